/**
 * The scanner function's code: built at synth by the same esbuild run the bench measures
 * (infra/bundling/scanner-esbuild.ts), locally, without Docker.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { SCANNER_BUNDLE_FILE } from '../bundling/scanner-esbuild.ts';

const BUILD_CLI = resolve(import.meta.dirname, '../bundling/build-scanner-cli.ts');
const TSX_CLI = createRequire(import.meta.url).resolve('tsx/cli');

/** The function's handler setting for that code. */
export const SCANNER_HANDLER = `${SCANNER_BUNDLE_FILE.replace(/\.mjs$/, '')}.handler`;

/**
 * Code asset of the function whose handler module is `entry`. CDK bundles synchronously and esbuild's
 * plugins need its asynchronous API, so the build runs in a child process; a handler that does not
 * build fails the synth with esbuild's message.
 */
export function scannerCode(entry: string): Code {
  return Code.fromAsset(dirname(entry), {
    // The hash of what ships, so a change anywhere in the bundled sources makes a new asset.
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Required by CDK as the fallback; local bundling below always builds or throws, so it never runs.
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:24'),
      local: {
        tryBundle(outputDir: string): boolean {
          const run = spawnSync(process.execPath, [TSX_CLI, BUILD_CLI, entry, outputDir], {
            encoding: 'utf8',
            stdio: ['ignore', 'inherit', 'pipe'],
            timeout: 120_000,
          });
          if (run.status !== 0) {
            throw new Error(`bundling ${entry} failed: ${run.error?.message ?? run.stderr.trim()}`);
          }
          return true;
        },
      },
    },
  });
}
