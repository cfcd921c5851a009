/**
 * Settings of the scanner function that other code must agree with (the bench measures the artifact
 * the stack deploys). No CDK imports here, so a plain Node script can read them.
 */
export const SCANNER_FUNCTION_DEFAULTS = {
  /** MB. Sized from `npm run bench`: one 5,000-node cluster peaks near 256 MB. */
  memorySize: 512,
  timeoutMinutes: 15,
} as const;

/** esbuild settings the NodejsFunction uses (format ESM, minified, SDK bundled, no externals). */
export const SCANNER_BUNDLING = {
  // Prefer the ESM entry points: the SDK clients come to about half the size of their CJS builds.
  mainFields: ['module', 'main'],
  // Some dependencies are CommonJS and call require(); an ESM bundle has no require of its own.
  banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
} as const;
