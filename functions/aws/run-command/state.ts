/**
 * Everything one collection knows while it runs, in one object the phases share: the commands sent
 * and their nodes, what the last poll saw, the reads in flight, and the answers so far. Each phase
 * (send.ts, poll.ts, read-group.ts, stragglers.ts, untargeted.ts, finish.ts) reads and updates it;
 * nothing else holds collection state.
 */
import type { SSMClient } from '@aws-sdk/client-ssm';
import { CLOCK_SKEW_MS, type CommandCounts } from './command-poller.ts';
import type { CollectionOutcome, RunCommandOptions, TagTarget } from './types.ts';

/** A tag-targeted command: its group, and what the polls and reads learnt about it. */
export interface TagCommand {
  readonly target: TagTarget;
  lastOutstanding?: number;
  /** Since when the count has not moved (one page or less outstanding). */
  stalledSinceMs?: number;
  /** CompletedCount of the last poll. */
  lastCompleted?: number;
  /** TargetCount of the last poll that listed the command (kept once it ended). */
  targetCount?: number;
  /** Nodes still running when the group was read; fetched one by one (GetCommandInvocation). */
  stragglers?: string[];
  /** CompletedCount when the stragglers were last looked at. */
  completedAtRead?: number;
}

/** Polls in which a command was missing from the "Executing" list but not all its invocations were done. */
export interface Unconfirmed {
  readonly polls: number;
  readonly sinceMs: number;
}

/**
 * Reads of invocations in flight at once: a slot is taken before a read lists its first page. A freed
 * slot wakes the first waiting read, but a read started in the same turn of the event loop (one chosen
 * to be read early as another ends) may take it first; the woken one then waits again.
 */
export interface ReadSlots {
  free: number;
  readonly waiting: (() => void)[];
}

export interface CollectionState {
  readonly ssm: SSMClient;
  readonly options: RunCommandOptions;
  readonly instanceIds: readonly string[];
  /** ListCommands InvokedAfter when this scan polls alone. */
  readonly invokedAfter: Date;
  readonly outcomes: Map<string, CollectionOutcome>;
  /** Every command sent, with the nodes of the scan it was sent for. */
  readonly commandTargets: Map<string, readonly string[]>;
  readonly tagCommands: Map<string, TagCommand>;
  /**
   * When each command expires (SendCommand's Command.ExpiresAfter): its delivery timeout PLUS the
   * document's execution timeout (SSM User Guide, "Understanding command timeout values"). Until then
   * an undelivered invocation may stay Pending; after it, SSM ends it DeliveryTimedOut.
   */
  readonly expiresAtMs: Map<string, number>;
  /** Commands whose nodes are not all answered yet. */
  readonly pending: Set<string>;

  /** When the last command was accepted: a poll must list commands from a listing started after it. */
  lastSendMs: number;
  /** SendCommand calls by id that SSM accepted or rejected with InvalidInstanceId. */
  accepted: number;
  rejected: number;

  /** Access classes (RunCommandOptions.accessClass) a SendCommand by id was denied for (access-denied.ts). */
  readonly deniedClasses: Set<string>;

  /** Ids SSM does not list at all, not yet classified (unlisted.ts). */
  readonly unlisted: string[];
  /** Classifications of unlisted ids under way; all are awaited before the outcomes are final. */
  readonly classifications: Promise<void>[];

  readonly unconfirmed: Map<string, Unconfirmed>;
  /** The last poll's listing: pending commands SSM lists as executing, and their counts. */
  readonly executing: Set<string>;
  readonly counts: Map<string, CommandCounts>;
  /** Commands whose read started since the last poll: one read a group per poll at most. */
  readonly readSincePoll: Set<string>;
  pollRounds: number;
  deadlineReached: boolean;

  /** Reads and straggler checks in flight, by command (at most one each). */
  readonly reading: Map<string, Promise<void>>;
  readonly readSlots: ReadSlots;
  /** Nodes of tag commands that SSM did not target (counted out of `sentTo`). */
  notTargeted: number;
  /** The first error of a read; it ends the collection. */
  readError: unknown;
}

export function createState(
  ssm: SSMClient,
  instanceIds: readonly string[],
  options: RunCommandOptions,
): CollectionState {
  return {
    ssm,
    options,
    instanceIds,
    invokedAfter: new Date(options.now().getTime() - CLOCK_SKEW_MS),
    outcomes: new Map(),
    commandTargets: new Map(),
    tagCommands: new Map(),
    expiresAtMs: new Map(),
    pending: new Set(),
    lastSendMs: 0,
    accepted: 0,
    rejected: 0,
    deniedClasses: new Set(),
    unlisted: [],
    classifications: [],
    unconfirmed: new Map(),
    executing: new Set(),
    counts: new Map(),
    readSincePoll: new Set(),
    pollRounds: 0,
    deadlineReached: false,
    reading: new Map(),
    readSlots: { free: options.readConcurrency ?? READ_CONCURRENCY, waiting: [] },
    notTargeted: 0,
    readError: undefined,
  };
}

/**
 * Commands whose invocations are read at once as soon as they end. Two in flight already reach SSM's
 * read quota; more only draw throttles from it (docs/performance.md).
 */
const READ_CONCURRENCY = 2;
