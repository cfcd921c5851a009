/** What a cluster scan is given: its AWS clients and settings, and the request it answers. */
import type { ApiCallCounter, AwsClients } from '../../aws/clients.ts';
import type { listOfflineInstances } from '../../aws/discovery.ts';
import type { GroupedDiscovery } from '../../aws/grouped-discovery.ts';
import type { CommandPoller } from '../../aws/run-command/command-poller.ts';
import type { EarlyReads } from '../../aws/run-command/early-reads.ts';
import type { Turns } from '../../aws/turns.ts';
import type { AccountScope } from '../../findings/asff.ts';
import type { ScannerConfig } from '../config.ts';
import type { Trigger } from '../events.ts';
import type { ClusterScanSummary, ReportDeps } from '../summary.ts';

export interface ScanDeps extends ReportDeps {
  readonly clients: AwsClients;
  readonly config: ScannerConfig;
  readonly now: () => Date;
}

type OfflineMap = Awaited<ReturnType<typeof listOfflineInstances>>;
/** An offline listing, or one still coming in (which never rejects: undefined when it failed). */
export type OfflineInstances = OfflineMap | Promise<OfflineMap | undefined>;

export interface ClusterScanInput {
  readonly cluster: string;
  readonly instanceIds?: readonly string[];
  /** Ids the caller already found to be no node of any scanned cluster; reported with this scan. */
  readonly extraNotANodeIds?: readonly string[];
  /**
   * The account's offline managed instances as the invocation or the fan-out listed them (or their
   * listing under way); absent or undefined = listed here.
   */
  readonly offlineInstances?: OfflineInstances;
  readonly scanId: string;
  /**
   * Re-import every finding of the scope and rebuild its state records from Security Hub (a
   * reconciliation anyone may ask for: it changes no verdict).
   */
  readonly resync?: boolean;
  readonly trigger: Trigger;
  readonly reason?: string;
  readonly scope: AccountScope;
  /** Milliseconds left for collection (Lambda remaining time minus the reporting reserve). */
  readonly remainingMs: () => number;
  readonly counter: ApiCallCounter;
  /**
   * Waits, once discovery has counted the nodes in scope, until this scan may hold them in memory
   * (scans side by side in one invocation share a node budget, node-budget.ts).
   */
  readonly admit?: (nodes: number) => Promise<void>;
  /**
   * Turns at discovery shared with the invocation's other cluster scans. Decoding EC2's XML takes
   * the CPU (tens of milliseconds a page of 500 instances): 20 clusters decoding at once all end
   * together, a second after the first could have sent; a few at a time, the first clusters send at
   * once.
   */
  readonly discoveries?: Turns;
  /** The first pages of queries naming every cluster of the invocation (grouped-discovery.ts). */
  readonly groupedDiscovery?: GroupedDiscovery;
  /**
   * Takes the summary for the "Scan Completed" event instead of putting it here: scans side by side
   * put theirs together when the last one ends (one PutEvents for up to 10 clusters).
   */
  readonly scanCompleted?: (summary: ClusterScanSummary) => void;
  /** Polls shared with the other cluster scans of the invocation, and their pace. */
  readonly sharedPoll?: {
    readonly poller: CommandPoller;
    readonly intervalMs: number;
    /** Shared by the invocation's cluster scans: one read of any of them in flight is not idle. */
    readonly earlyReads?: EarlyReads;
  };
}
