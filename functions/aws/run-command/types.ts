/** The public shapes of a collection: what the caller passes in and what every node gets back. */
import type { CommandPoller } from './command-poller.ts';
import type { EarlyReads } from './early-reads.ts';

export type CollectionOutcome =
  | {
      readonly kind: 'output';
      readonly instanceId: string;
      readonly output: string;
      readonly commandId: string;
    }
  | {
      /** The output went to `onOutput` as soon as it was read and is not kept. */
      readonly kind: 'handed-over';
      readonly instanceId: string;
      readonly commandId: string;
    }
  | {
      readonly kind: 'not-assessed';
      readonly instanceId: string;
      readonly code: string;
      readonly reason: string;
      readonly commandId?: string;
      readonly evidence: Readonly<Record<string, string>>;
    };

export interface RunCommandOptions {
  readonly documentName: string;
  /** The pinned document version (send-command-input.ts); default the deployed "1". */
  readonly documentVersion?: string;
  /** SendCommand TimeoutSeconds (delivery); SSM then adds the document's own execution timeout. */
  readonly deliveryTimeoutSeconds: number;
  readonly pollInitialDelayMs: number;
  readonly pollIntervalMs: number;
  /** Milliseconds left before collection must stop (the Lambda deadline minus the reporting reserve). */
  readonly remainingMs: () => number;
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  readonly comment?: string;
  readonly log?: (message: string, attributes: Record<string, unknown>) => void;
  /** Which of the given ids are still running instances (EC2); tells vanished nodes from unmanaged. */
  readonly stillRunning?: (instanceIds: readonly string[]) => Promise<Set<string>>;
  /**
   * Ids the previous scan found not managed by SSM (from the findings it left), read while the
   * commands run. Used only after sending, to skip the EC2 look-up for ids SSM did not list and
   * that were unmanaged before anyway; sending never waits for it (the findings read is paced by
   * GetFindings' 3/s shared by every cluster scan of the account).
   */
  readonly knownUnmanaged?: () => Promise<ReadonlySet<string>>;
  /**
   * Takes each node's output as soon as its command's invocations are read (to evaluate it at once),
   * so raw outputs (up to 24,000 characters a node) are not held until every node has answered.
   */
  readonly onOutput?: (instanceId: string, output: string) => void;
  /**
   * Called once the commands are sent; polling and reading (so every `onOutput`, `readEarly` and
   * `knownUnmanaged` call) wait until it resolves, and its rejection fails the collection. What the
   * caller needs only for the answers (the cluster's state records) is read then, off the send path.
   */
  readonly afterSend?: () => Promise<unknown>;
  /** Commands read at once when they end (ListCommandInvocations pages). */
  readonly readConcurrency?: number;
  /** Each wait is lengthened by up to this fraction at random (default 0: none). */
  readonly pollJitter?: number;
  /** A poller shared with the other cluster scans of the invocation; absent = list for this scan alone. */
  readonly poller?: CommandPoller;
  /** 0 ≤ x < 1, for the poll jitter (default Math.random). */
  readonly random?: () => number;
  /** Reads of groups before their usual time while the read quota is idle (shared by the invocation). */
  readonly earlyReads?: EarlyReads;
  /**
   * Whether reading a group early would bring its findings out sooner now (default: always). A fresh
   * finding is imported once the cluster's stored findings (GetFindings, 3/s for the whole account)
   * have listed its record: while that read runs, results read early mostly wait, and their
   * stragglers cost calls for little.
   */
  readonly readEarly?: () => boolean;
  /**
   * Node groups reached with one tag-targeted SendCommand each instead of chunks of 50 ids (a whole
   * cluster scan). Their ids must also be in `instanceIds`; the rest of `instanceIds` go by id.
   */
  readonly tagTargets?: readonly TagTarget[];
  /**
   * Nodes an IAM tag condition treats alike share a class (their cluster tags): a SendCommand by id
   * denied for one class is denied for all its nodes (access-denied.ts). Absent = each id on its own.
   */
  readonly accessClass?: (instanceId: string) => string | undefined;
}

/**
 * One SendCommand `Targets` entry (`key` = `tag:<tag>` or `tag-key`, one `value`) and the nodes of the
 * scan it reaches. SSM resolves a tag target to every managed instance carrying the tag, offline ones
 * included (they wait for delivery until the delivery timeout): `offline` counts the nodes the caller
 * knows will not answer, so the scan does not wait for them.
 */
export interface TagTarget {
  /** SendCommand Target Key: `tag:<tag key>` (value = the tag's value) or `tag-key` (value = a key). */
  readonly key: string;
  readonly value: string;
  readonly instanceIds: readonly string[];
  readonly offline: number;
}

export interface RunCommandResult {
  readonly outcomes: Map<string, CollectionOutcome>;
  readonly commandIds: readonly string[];
  readonly pollRounds: number;
  readonly deadlineReached: boolean;
  /** SendCommand calls SSM rejected with InvalidInstanceId (each cost one DescribeInstanceInformation). */
  readonly rejectedSends: number;
  /** Nodes a command was actually sent to. */
  readonly sentTo: number;
}
