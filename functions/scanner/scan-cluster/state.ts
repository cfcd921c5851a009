/**
 * The state one cluster scan carries from discovery to report, shared by its phases (discover,
 * triage, collect, deliver, report). Types only: each phase owns the code that fills its part.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import type { ClusterInfo, NodeInfo } from '../../aws/discovery.ts';
import type { SecurityHubNotEnabledError } from '../../aws/errors.ts';
import type { FindingImporter, PendingResolveResult, SecurityHubTarget } from '../../aws/security-hub.ts';
import type { ClusterStateRead, ConsumedUnits } from '../../aws/state-table.ts';
import type { StoredFinding } from '../../findings/lifecycle.ts';
import type { StreamingPlan } from '../../findings/streaming-plan.ts';
import type { ClusterScanSummary } from '../summary.ts';
import type { ClusterScanInput, ScanDeps } from './input.ts';
import type { NodeAnswer, NodeVerdict } from './node-answer.ts';
import type { StateRecorder } from './state-recorder.ts';
import type { TablePlan } from './table-plan.ts';

export type { NodeAnswer, NodeVerdict } from './node-answer.ts';

/**
 * How this scan uses the state table: `change-only` compares with the cluster's records and imports
 * what changed; `rebuild` (no records yet, or a resync) reads Security Hub's findings, re-imports
 * them all and writes every record; `none` without a state table.
 */
export const StateMode = { CHANGE_ONLY: 'change-only', REBUILD: 'rebuild', NONE: 'none' } as const;
export type StateMode = (typeof StateMode)[keyof typeof StateMode];

/** The summary fields known when the scan starts. */
export type SummaryBase = Pick<
  ClusterScanSummary,
  'kind' | 'scanId' | 'trigger' | 'reason' | 'cluster' | 'startedAt'
>;

/** The cluster's ACTIVE findings, or why Security Hub could not list them. */
export type ActiveRead =
  | { readonly ok: true; readonly active: Map<string, StoredFinding | AwsSecurityFinding> }
  | { readonly ok: false; readonly error: SecurityHubNotEnabledError };

/** The read of the cluster's stored findings, started beside discovery (stored-findings.ts). */
export interface StoredRead {
  readonly read: Promise<ActiveRead>;
  /** Whether the read has ended (either way). */
  readonly done: () => boolean;
  /** RESOLVEDs an earlier scan could not get applied, asked again once the read ends (never rejects). */
  readonly pendingRetry: Promise<PendingResolveResult | undefined>;
}

/** One scan of a cluster that exists. */
export interface ScanState {
  readonly deps: ScanDeps;
  readonly input: ClusterScanInput;
  readonly log: Logger;
  readonly base: SummaryBase;
  readonly cluster: ClusterInfo;
  /** Every running node of the cluster, listed from the start (discover.ts). */
  readonly discovery: Promise<NodeInfo[]>;
  readonly target: SecurityHubTarget;
  readonly importer: FindingImporter;
  /** Plans each fresh finding against its stored record and hands it to the importer. */
  readonly plan: StreamingPlan;
  readonly stored: StoredRead;
  /**
   * Each node's answer by instance id, filled by triage and collection, until its findings are
   * planned (answers.ts planFindings): then only its verdict is kept.
   */
  readonly answers: Map<string, NodeAnswer>;
  /** Each node's verdict by instance id, once its findings are planned: what the summary reports. */
  readonly verdicts: Map<string, NodeVerdict>;
  readonly stateMode: StateMode;
  /** The change-only plan (stateMode change-only). */
  readonly changes?: TablePlan;
  /** What a rebuild imported, to write as records (stateMode rebuild). */
  readonly recorder?: StateRecorder;
  /** The records a rebuild replaces (RESOLVEDs they owe, nodes that left). */
  readonly previousState?: ClusterStateRead;
  /** Capacity units the scan's state-table calls consumed (summary `state`). */
  readonly consumed: ConsumedUnits;
  /** Nodes the previous scan found SSM does not manage: no EC2 look-up for them. */
  readonly knownUnmanaged: () => Promise<Set<string>>;
}

/** Which nodes discovery found, and which of them this scan covers. */
export interface ScanScope {
  /** Every running node of the cluster. */
  readonly nodes: readonly NodeInfo[];
  readonly present: ReadonlySet<string>;
  readonly inScope: readonly NodeInfo[];
  readonly notANodeIds: string[];
}
