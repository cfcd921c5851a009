/**
 * Lambda configuration, read once at cold start from the environment the stack sets.
 */

import { DEPLOYED_DOCUMENT_VERSION, PINNED_VERSION } from '../aws/run-command/send-command-input.ts';
import { ConfigError } from './errors.ts';
import { defaultNodeBudget } from './node-budget.ts';

export interface ScannerConfig {
  /** SSM Command document that runs collect.sh (KUBELET_AUDIT_DOCUMENT_NAME, required). */
  readonly documentName: string;
  /**
   * The document version every SendCommand names (KUBELET_AUDIT_DOCUMENT_VERSION, default "1"):
   * a version made later by someone else is never what runs (functions/aws/run-command/send-command-input.ts).
   */
  readonly documentVersion: string;
  /** Bus for "Scan Completed" events (KUBELET_AUDIT_EVENT_BUS, default "default"). */
  readonly eventBus: string;
  /**
   * The stack's internal bus, which only the scanner may put events on: fan-out work items go there,
   * and only invocations from its rule may carry them (KUBELET_AUDIT_INTERNAL_EVENT_BUS). Absent = no
   * fan-out (a scan that would need one fails with a ConfigError).
   */
  readonly internalEventBus?: string;
  /** The scanner's state table: cluster leases and node scan times (KUBELET_AUDIT_STATE_TABLE). */
  readonly stateTable?: string;
  /**
   * A cluster (or node) scanned less than this ago is not scanned again
   * (KUBELET_AUDIT_MIN_SCAN_INTERVAL_MINUTES, default 10; 0 = only never two at once).
   */
  readonly minScanIntervalMs?: number;
  /**
   * An unchanged finding is imported again once this long after its last import
   * (KUBELET_AUDIT_REFRESH_DAYS, default 7; Security Hub deletes findings not updated for 90 days).
   * Absent = the default.
   */
  readonly refreshMs?: number;
  /**
   * An unreachable node keeps its last verdict this long after it was last reached, then turns
   * NOT_AVAILABLE (KUBELET_AUDIT_STALE_AFTER_HOURS, default 72; 0 = at once). Absent = the default.
   */
  readonly staleAfterMs?: number;
  /** Optional allow-list of cluster names (KUBELET_AUDIT_CLUSTERS, comma separated). */
  readonly clusterAllowList?: readonly string[];
  /** SendCommand TimeoutSeconds: how long SSM may take to deliver (KUBELET_AUDIT_DELIVERY_TIMEOUT_SECONDS). */
  readonly deliveryTimeoutSeconds: number;
  /** First poll after this wait: a collector run takes about a second plus agent pick-up. */
  readonly pollInitialDelayMs: number;
  /** Then poll at this pace (one ListCommands round for every command of the scan). */
  readonly pollIntervalMs: number;
  /**
   * Each wait is lengthened by up to this fraction, at random: the cluster scans of a full scan start
   * together, and polling (then reading invocations) in step would throttle each other.
   */
  readonly pollJitter: number;
  /** Time kept back from the Lambda deadline for evaluation and reporting. */
  readonly deadlineReserveMs: number;
  /**
   * Clusters one invocation scans side by side (KUBELET_AUDIT_CLUSTERS_PER_INVOCATION); more are
   * fanned out in events of this many. Absent = 1: one invocation per cluster.
   */
  readonly clustersPerInvocation?: number;
  /**
   * Nodes the cluster scans of one invocation may have in flight together
   * (KUBELET_AUDIT_NODES_IN_FLIGHT; default from the function's memory, node-budget.ts). Absent = no limit.
   */
  readonly nodesInFlight?: number;
}

export const CONFIG_DEFAULTS = {
  eventBus: 'default',
  deliveryTimeoutSeconds: 60,
  pollInitialDelayMs: 3_000,
  pollIntervalMs: 5_000,
  pollJitter: 0.5,
  deadlineReserveMs: 90_000,
  // Scans in one process share exact account-wide token buckets and one poll of SSM; scans in
  // separate invocations can only split the quotas blindly (docs/architecture.md, Quotas and pacing).
  clustersPerInvocation: 20,
  minScanIntervalMs: 10 * 60_000,
  refreshMs: 7 * 86_400_000,
  staleAfterMs: 72 * 3_600_000,
} as const;

const DOCUMENT_NAME = /^[a-zA-Z0-9_\-.:/]{3,128}$/;
// EKS cluster names: 1-100 characters, alphanumeric first (eks CreateCluster `name` pattern).
export const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/;

function intVar(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `expected an integer in [${min}, ${max}], got "${raw}"`);
  }
  return value;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): ScannerConfig {
  const document = documentSettings(env);
  const eventBus = env.KUBELET_AUDIT_EVENT_BUS?.trim() || CONFIG_DEFAULTS.eventBus;
  const clusterAllowList = readClusterAllowList(env);
  const internalEventBus = env.KUBELET_AUDIT_INTERNAL_EVENT_BUS?.trim();
  const stateTable = env.KUBELET_AUDIT_STATE_TABLE?.trim();
  const minScanIntervalMs =
    intVar(
      env,
      'KUBELET_AUDIT_MIN_SCAN_INTERVAL_MINUTES',
      CONFIG_DEFAULTS.minScanIntervalMs / 60_000,
      0,
      7 * 24 * 60,
    ) * 60_000;
  return {
    ...document,
    eventBus,
    ...(internalEventBus ? { internalEventBus } : {}),
    ...(stateTable ? { stateTable } : {}),
    minScanIntervalMs,
    ...stateSettings(env),
    ...(clusterAllowList ? { clusterAllowList } : {}),
    ...pollingSettings(env),
    ...capacitySettings(env),
  };
}

/** How long unchanged findings go without an import, and unreachable nodes keep their verdict. */
function stateSettings(env: NodeJS.ProcessEnv): Required<Pick<ScannerConfig, 'refreshMs' | 'staleAfterMs'>> {
  return {
    // At most 60 days: well within Security Hub's 90 days, with room for scans that fail.
    refreshMs:
      intVar(env, 'KUBELET_AUDIT_REFRESH_DAYS', CONFIG_DEFAULTS.refreshMs / 86_400_000, 1, 60) * 86_400_000,
    staleAfterMs:
      intVar(env, 'KUBELET_AUDIT_STALE_AFTER_HOURS', CONFIG_DEFAULTS.staleAfterMs / 3_600_000, 0, 24 * 30) *
      3_600_000,
  };
}

/** The collector document and the version every SendCommand pins. */
function documentSettings(env: NodeJS.ProcessEnv): Pick<ScannerConfig, 'documentName' | 'documentVersion'> {
  const documentName = env.KUBELET_AUDIT_DOCUMENT_NAME?.trim();
  if (!documentName) throw new ConfigError('KUBELET_AUDIT_DOCUMENT_NAME', 'is required');
  if (!DOCUMENT_NAME.test(documentName)) {
    throw new ConfigError(
      'KUBELET_AUDIT_DOCUMENT_NAME',
      `"${documentName}" is not an SSM document name or ARN`,
    );
  }
  const documentVersion = env.KUBELET_AUDIT_DOCUMENT_VERSION?.trim() || DEPLOYED_DOCUMENT_VERSION;
  if (!PINNED_VERSION.test(documentVersion)) {
    throw new ConfigError(
      'KUBELET_AUDIT_DOCUMENT_VERSION',
      `"${documentVersion}" is not a document version number ($DEFAULT and $LATEST are not pinned)`,
    );
  }
  return { documentName, documentVersion };
}

/** KUBELET_AUDIT_CLUSTERS as distinct EKS cluster names; undefined = every cluster. */
function readClusterAllowList(env: NodeJS.ProcessEnv): string[] | undefined {
  const clusters = env.KUBELET_AUDIT_CLUSTERS?.trim();
  if (!clusters) return undefined;
  const clusterAllowList = [
    ...new Set(
      clusters
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean),
    ),
  ];
  const bad = clusterAllowList.find((c) => !CLUSTER_NAME.test(c));
  if (bad !== undefined)
    throw new ConfigError('KUBELET_AUDIT_CLUSTERS', `"${bad}" is not an EKS cluster name`);
  return clusterAllowList;
}

/** How commands are delivered and polled, and the reserve kept for reporting. */
function pollingSettings(
  env: NodeJS.ProcessEnv,
): Pick<
  ScannerConfig,
  'deliveryTimeoutSeconds' | 'pollInitialDelayMs' | 'pollIntervalMs' | 'pollJitter' | 'deadlineReserveMs'
> {
  return {
    // SendCommand TimeoutSeconds accepts 30..2592000 (ssm SendCommandRequest); a scan has at most 15 minutes.
    deliveryTimeoutSeconds: intVar(
      env,
      'KUBELET_AUDIT_DELIVERY_TIMEOUT_SECONDS',
      CONFIG_DEFAULTS.deliveryTimeoutSeconds,
      30,
      600,
    ),
    pollInitialDelayMs: intVar(
      env,
      'KUBELET_AUDIT_POLL_INITIAL_DELAY_MS',
      CONFIG_DEFAULTS.pollInitialDelayMs,
      0,
      60_000,
    ),
    pollIntervalMs: intVar(env, 'KUBELET_AUDIT_POLL_INTERVAL_MS', CONFIG_DEFAULTS.pollIntervalMs, 1, 60_000),
    pollJitter: CONFIG_DEFAULTS.pollJitter,
    deadlineReserveMs: intVar(
      env,
      'KUBELET_AUDIT_DEADLINE_RESERVE_MS',
      CONFIG_DEFAULTS.deadlineReserveMs,
      0,
      600_000,
    ),
  };
}

/** How much one invocation takes on: clusters side by side, nodes held in memory. */
function capacitySettings(
  env: NodeJS.ProcessEnv,
): Pick<ScannerConfig, 'clustersPerInvocation' | 'nodesInFlight'> {
  return {
    clustersPerInvocation: intVar(
      env,
      'KUBELET_AUDIT_CLUSTERS_PER_INVOCATION',
      CONFIG_DEFAULTS.clustersPerInvocation,
      1,
      100,
    ),
    nodesInFlight: intVar(
      env,
      'KUBELET_AUDIT_NODES_IN_FLIGHT',
      // Lambda sets AWS_LAMBDA_FUNCTION_MEMORY_SIZE; elsewhere (tests, local runs) assume 512 MB.
      defaultNodeBudget(intVar(env, 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 512, 128, 10_240)),
      1,
      1_000_000,
    ),
  };
}
