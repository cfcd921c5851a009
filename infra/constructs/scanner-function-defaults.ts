/**
 * Settings of the scanner function that other code must agree with (the bench measures the artifact
 * the stack deploys). No CDK imports here, so a plain Node script can read them.
 */
export const SCANNER_FUNCTION_DEFAULTS = {
  /**
   * MB. Lambda gives 1,769 MB one full vCPU: the scheduled invocation evaluates up to 20 clusters
   * side by side (about 1.5 s of CPU per 1,000 nodes, `npm run bench`), which at 512 MB (0.29 vCPU)
   * would be CPU-bound. Memory itself: 291-328 MiB for 20 clusters of 500 nodes, 228-241 MiB for one
   * 5,000-node cluster; the node budget (node-budget.ts) grows with it.
   */
  memorySize: 1769,
  timeoutMinutes: 15,
} as const;

/** esbuild settings the NodejsFunction uses (format ESM, minified, SDK bundled, no externals). */
export const SCANNER_BUNDLING = {
  // Prefer the ESM entry points: the SDK clients come to about half the size of their CJS builds.
  mainFields: ['module', 'main'],
  // Some dependencies are CommonJS and call require(); an ESM bundle has no require of its own.
  banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
} as const;
