/**
 * The one esbuild run that builds the scanner function: the stack's asset (infra/constructs) and the
 * bench (test/sim/bench/bundle.ts) both call `buildScanner`, so what the bench measures is what
 * deploys. No CDK imports: a plain Node process runs it (build-scanner-cli.ts).
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';

/**
 * The SDK's default credential chain replaced by the environment provider Lambda needs
 * (functions/aws/lambda-credentials.ts): its STS and SSO clients never run in Lambda.
 */
const CREDENTIALS_ALIAS = {
  '@aws-sdk/credential-provider-node': resolve(
    import.meta.dirname,
    '../../functions/aws/lambda-credentials.ts',
  ),
};
// Some dependencies are CommonJS and call require(); an ESM bundle has no require of its own.
const REQUIRE_BANNER =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/** The SDK clients' schema modules: one per client, with a shape for every operation of the service. */
const SDK_SCHEMA_MODULE = /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/;
/** `const _xN = "xmlName";`: the string constants a schema module declares at its top. */
const STRING_CONSTANT = /^const (_\w+) = ("[^"\\\n]*");$/gm;
/** A computed object key naming one of them: `{ [_xN]: _m }`. */
const COMPUTED_KEY = /\[(_\w+)\]:/g;

/**
 * The schema modules declare every shape of the service (the EC2 client's alone is about 550 KB
 * minified) and esbuild keeps them all: their trait objects use computed keys (`{ [_xN]: _m }`),
 * which esbuild cannot prove free of side effects. Written as the string literals they name
 * (`{ "xmlName": _m }`), the unused shapes are dropped and only those the scanner's commands reach
 * stay. The module is otherwise unchanged.
 */
export function inlineTraitKeys(source: string): string {
  const strings = new Map<string, string>();
  for (const [, name, literal] of source.matchAll(STRING_CONSTANT)) {
    if (name !== undefined && literal !== undefined) strings.set(name, literal);
  }
  return source.replace(COMPUTED_KEY, (key, name: string) => {
    const literal = strings.get(name);
    return literal === undefined ? key : `${literal}:`;
  });
}

/** esbuild plugin applying `inlineTraitKeys` to the SDK's schema modules. */
export function schemaTraitLiterals(): Plugin {
  return {
    name: 'sdk-schema-trait-literals',
    setup(pluginBuild) {
      pluginBuild.onLoad({ filter: SDK_SCHEMA_MODULE }, async (args) => ({
        contents: inlineTraitKeys(await readFile(args.path, 'utf8')),
        loader: 'js',
        resolveDir: dirname(args.path),
      }));
    },
  };
}

export interface BuildScannerOptions {
  /** The handler module (functions/scanner/handler.ts). */
  readonly entry: string;
  /** Directory that receives index.mjs and index.mjs.map. */
  readonly outdir: string;
  /** More plugins (the bench cuts the catalog with one). */
  readonly plugins?: readonly Plugin[];
}

/** The Lambda handler's file in `outdir`; the function's handler is `index.handler`. */
export const SCANNER_BUNDLE_FILE = 'index.mjs';

/** Builds the function's code: one ES module, minified, SDK included, with its source map. */
export async function buildScanner(options: BuildScannerOptions): Promise<string> {
  const outfile = join(options.outdir, SCANNER_BUNDLE_FILE);
  await build({
    entryPoints: [options.entry],
    outfile,
    bundle: true,
    platform: 'node',
    // The Lambda runtime (Node.js 24).
    target: 'node24',
    format: 'esm',
    // The ESM entry points: the SDK clients come to about half the size of their CJS builds.
    mainFields: ['module', 'main'],
    minify: true,
    // Stack traces map to file and line offline; the sources themselves need not ship.
    sourcemap: true,
    sourcesContent: false,
    // No externals: ship the SDK versions we test against (package-lock.json), not whatever the
    // runtime carries, so retry strategy and error shapes do not change under us with a runtime update.
    external: [],
    banner: { js: REQUIRE_BANNER },
    alias: CREDENTIALS_ALIAS,
    logLevel: 'warning',
    plugins: [schemaTraitLiterals(), ...(options.plugins ?? [])],
  });
  return outfile;
}
