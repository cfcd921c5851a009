/**
 * Settings of the scanner function that other code must agree with (the bench measures the artifact
 * the stack deploys). No CDK imports here, so a plain Node script can read them.
 */
export const SCANNER_FUNCTION_DEFAULTS = {
  /**
   * MB. Lambda gives 1,769 MB one full vCPU: the scheduled invocation evaluates up to 20 clusters
   * side by side, which at 512 MB (0.29 vCPU) would be CPU-bound; the node budget (node-budget.ts)
   * grows with it. Measured CPU and memory per fleet shape: docs/performance.md.
   */
  memorySize: 1769,
  timeoutMinutes: 15,
} as const;

/**
 * Where the function's EMF metrics land: POWERTOOLS_METRICS_NAMESPACE, and Powertools' default
 * `service` dimension from POWERTOOLS_SERVICE_NAME (functions/scanner/handler.ts). The alarms read
 * the same names.
 */
export const SCANNER_METRICS = { namespace: 'EksKubeletAudit', service: 'eks-kubelet-audit' } as const;

/**
 * NODE_OPTIONS of the function. `--max-semi-space-size=4` (MB, below V8's default): the scan
 * allocates mostly short-lived objects (a page of 50 outputs, a batch of 100 findings, their HTTP
 * bodies), and smaller young-generation spaces collect them, and the response buffers they hold,
 * sooner, which lowers the peak RSS of a large cluster's scan (docs/performance.md). Not
 * `--enable-source-maps`: loading the bundle's source map costs tens of MiB more at that peak; the
 * map is still shipped beside the bundle, so a stack trace from the logs can be mapped offline.
 * Unverified in a real account: copies of the Lambda Node.js runtime's bootstrap script pass their own
 * `--max-semi-space-size` (memory / 20) and `--max-old-space-size` on the command line, which take
 * precedence over NODE_OPTIONS; docs/performance.md gives the peak measured that way too.
 */
export const SCANNER_NODE_OPTIONS = '--max-semi-space-size=4';
