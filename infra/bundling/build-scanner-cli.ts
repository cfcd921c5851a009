/**
 * `tsx infra/bundling/build-scanner-cli.ts <entry> <outdir>`: the stack's local bundling runs this in
 * a child process, because CDK bundles synchronously and esbuild's plugins need its asynchronous API.
 */
import { buildScanner } from './scanner-esbuild.ts';

const [entry, outdir] = process.argv.slice(2);
if (entry === undefined || outdir === undefined) {
  process.stderr.write('usage: build-scanner-cli.ts <entry> <outdir>\n');
  process.exit(2);
}
await buildScanner({ entry, outdir });
