/**
 * Runs the collector on reachable nodes through SSM Run Command and brings back one answer per node:
 * the collector's output, or why there is none. API calls are per node group or per 50 nodes, never
 * per node, except GetCommandInvocation for the rare output cut at 2,500 characters and for the
 * last few nodes of a group still running when the group is read (stragglerAllowance).
 */
import {
  type CommandInvocation,
  GetCommandInvocationCommand,
  type GetCommandInvocationCommandOutput,
  paginateListCommandInvocations,
  SendCommandCommand,
  type SSMClient,
  type Target,
} from '@aws-sdk/client-ssm';
import { isOutputTruncated } from '../collector/evidence.ts';
import { awsErrorName, errorMessage } from '../scanner/errors.ts';
import {
  CLOCK_SKEW_MS,
  type CommandCounts,
  type CommandPoller,
  FASTEST_POLL_MS,
  listExecutingCommands,
} from './command-poller.ts';
import {
  checkReachability,
  EC2_ID_CHUNK,
  type Reachability,
  SSM_INFO_CHUNK,
  UNMANAGED_REASON,
} from './discovery.ts';
import type { EarlyCandidate, EarlyReads } from './early-reads.ts';
import { collectorCommandInput } from './send-command-input.ts';

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

/** SendCommand takes at most 50 InstanceIds (ssm InstanceIdList). */
export const SEND_CHUNK = 50;
/** ListCommands / ListCommandInvocations MaxResults is 1..50. */
export const LIST_PAGE = 50;
/**
 * SendCommand calls in flight. One call takes about 80 ms, so two already ask for more than the
 * 10/s SSM allows (no published figure; the bench assumes 10/s burst 20) and the account's quota is
 * shared by every cluster scan running in parallel: more in flight only adds throttled attempts.
 */
const SEND_CONCURRENCY = 2;
/**
 * Commands whose invocations are read at once as soon as they end. One page per 50 nodes takes
 * about 80 ms, so reading 100 commands one by one after a poll adds 8 s before the import; two in
 * flight reach SSM's 10/s, and more only drew throttles in the 20-cluster bench (49 against 0).
 */
const READ_CONCURRENCY = 2;
const PENDING_INVOCATION = new Set(['Pending', 'InProgress', 'Delayed', 'Cancelling']);

/**
 * Why an invocation gave no evidence, by StatusDetails (the finer state; botocore
 * GetCommandInvocationResult.StatusDetails doc and ssm-ug monitor-commands).
 */
export const STATUS_DETAIL_HINTS: Readonly<Record<string, string>> = {
  DeliveryTimedOut:
    'SSM could not deliver the command before its delivery timeout (agent not polling or node unreachable)',
  ExecutionTimedOut: "the collector started but did not finish within the document's execution timeout",
  Failed: 'the collector exited with a non-zero status',
  Cancelled: 'the command was cancelled before it finished',
  Canceled: 'the command was cancelled before it finished',
  Undeliverable: 'the command could not be delivered: the node no longer exists or is not reachable by SSM',
  Terminated: 'the command was stopped on this node because the MaxErrors threshold was reached',
  InvalidPlatform: "the node's platform does not match the document",
  AccessDenied:
    "the scanner's role may not send commands to this node (check the tag condition on ssm:SendCommand)",
  TimedOut: 'the command timed out',
};

function compact(value: string | undefined): string {
  return (value ?? '').replace(/\s+/g, '');
}

function printable(text: string, max: number): string {
  // Node output is untrusted: keep it short and printable before it reaches a finding.
  const clean = text.replace(/[^\x20-\x7e]+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** The answer for one terminal, non-successful invocation. */
export function failedInvocationOutcome(invocation: CommandInvocation): CollectionOutcome {
  const status = invocation.Status ?? 'Unknown';
  const details = invocation.StatusDetails ?? '';
  const key = compact(details) || status;
  const hint = STATUS_DETAIL_HINTS[key] ?? STATUS_DETAIL_HINTS[status] ?? 'the command did not succeed';
  const output = invocation.CommandPlugins?.find((p) => p.Output)?.Output;
  const tail = key === 'Failed' && output ? ` Output: "${printable(output, 200)}"` : '';
  return {
    kind: 'not-assessed',
    instanceId: invocation.InstanceId ?? '',
    code: `SSM_${key.toUpperCase()}`,
    reason: `SSM Run Command ${status}${details && details !== status ? ` (${details})` : ''}: ${hint}.${tail}`,
    ...(invocation.CommandId ? { commandId: invocation.CommandId } : {}),
    evidence: {
      ssmStatus: status,
      ...(details ? { ssmStatusDetails: details } : {}),
      ...(invocation.CommandId ? { commandId: invocation.CommandId } : {}),
    },
  };
}

function notAssessed(
  instanceId: string,
  code: string,
  reason: string,
  commandId?: string,
  extra: Record<string, string> = {},
): CollectionOutcome {
  return {
    kind: 'not-assessed',
    instanceId,
    code,
    reason,
    ...(commandId ? { commandId } : {}),
    evidence: { ...(commandId ? { commandId } : {}), ...extra },
  };
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  });
  await Promise.all(workers);
  return results;
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

/** Answers for ids SSM does not list: unmanaged, unless `stillRunning` says the instance is gone. */
const VANISHED_REASON =
  'node left during the scan: it is no longer a running instance, so SSM no longer lists it';

/**
 * Sends the collector to `instanceIds` (candidates not known to be offline) and waits for the
 * answers. Every id gets an outcome.
 *
 * Large node groups (`tagTargets`) get one SendCommand each with a tag target. SSM resolves the tag
 * to the managed instances carrying it, so an unmanaged node is simply absent from the command's
 * invocations: once read, the absent ids are classified as below (and an online one sent by id).
 *
 * Sending is by exception (see discovery.ts): each chunk of ≤ 50 goes straight to SendCommand. A
 * chunk SSM rejects with InvalidInstanceId sent nothing, so one DescribeInstanceInformation for that
 * chunk classifies its ids (absent → unmanaged or vanished, offline → offline) and the online ones
 * are sent once more. Nothing is ever sent to an unmanaged or offline node. When most chunks are
 * rejected (a cluster whose nodes SSM does not manage), checking first is cheaper (2 calls per chunk
 * against 1 + 2·p for a rejection rate p), so once at least 2 chunks were rejected and more were
 * rejected than accepted, the remaining chunks are checked before they are sent: the cost stays
 * bounded at about one call per 50 nodes.
 */
export async function runCollector(
  ssm: SSMClient,
  instanceIds: readonly string[],
  options: RunCommandOptions,
): Promise<RunCommandResult> {
  const outcomes = new Map<string, CollectionOutcome>();
  const commandTargets = new Map<string, readonly string[]>();
  if (instanceIds.length === 0) {
    return { outcomes, commandIds: [], pollRounds: 0, deadlineReached: false, rejectedSends: 0, sentTo: 0 };
  }
  const invokedAfter = new Date(options.now().getTime() - CLOCK_SKEW_MS);
  const random = options.random ?? Math.random;
  const jitter = options.pollJitter ?? 0;

  /** When the last command was accepted: a poll must list commands from a listing started after it. */
  let lastSendMs = 0;
  const send = async (to: { InstanceIds: string[] } | { Targets: Target[] }): Promise<string> => {
    const out = await ssm.send(new SendCommandCommand(collectorCommandInput(options, to)));
    const id = out.Command?.CommandId;
    if (!id) throw new Error('SendCommand returned no CommandId');
    lastSendMs = options.now().getTime();
    return id;
  };
  const pending = new Set<string>();
  const track = (commandId: string, ids: readonly string[]): void => {
    commandTargets.set(commandId, ids);
    pending.add(commandId);
  };

  const sendFailed = (ids: readonly string[], error: unknown) => {
    for (const id of ids) {
      outcomes.set(
        id,
        notAssessed(id, 'SEND_FAILED', `SendCommand failed: ${awsErrorName(error)}: ${errorMessage(error)}`),
      );
    }
    options.log?.('SendCommand failed', { error: errorMessage(error), instances: ids.length });
  };

  /** Ids SSM does not list at all; unmanaged unless they vanished (decided once, after sending). */
  const unlisted: string[] = [];

  // Only a surprise needs EC2's word: a node SSM did not list although the previous scan did not
  // find it unmanaged may have stopped or been terminated since discovery. One call per 200 ids.
  // Decided in the background as each read finds such ids (with those the sending found), so it is not
  // the last thing a cluster waits for: it waits for the previous scan's findings, and EC2 took 0.3 s
  // after the last straggler of the 20-cluster bench had answered.
  const classifications: Promise<void>[] = [];
  const classifyUnlistedSoFar = (): void => {
    if (unlisted.length > 0) classifications.push(classifyUnlisted(unlisted.splice(0)));
  };
  /** Nodes known unmanaged from the previous scan's findings, and EC2's word on the others. */
  interface UnlistedCheck {
    readonly known: ReadonlySet<string>;
    readonly running?: Set<string>;
  }
  const checkUnlisted = async (ids: readonly string[]): Promise<UnlistedCheck> => {
    let known: ReadonlySet<string> = new Set<string>();
    try {
      known = (await options.knownUnmanaged?.()) ?? known;
      const surprises = ids.filter((id) => !known.has(id));
      const running =
        options.stillRunning && surprises.length > 0 ? await options.stillRunning(surprises) : undefined;
      return { known, ...(running ? { running } : {}) };
    } catch (error) {
      options.log?.('Could not tell vanished nodes from unmanaged ones', { error: errorMessage(error) });
      return { known };
    }
  };
  const classifyUnlisted = async (
    ids: readonly string[],
    check: Promise<UnlistedCheck> = checkUnlisted(ids),
  ): Promise<void> => {
    const { known, running } = await check;
    for (const id of ids) {
      outcomes.set(
        id,
        running && !known.has(id) && !running.has(id)
          ? notAssessed(id, 'SSM_VANISHED', VANISHED_REASON)
          : notAssessed(id, 'SSM_UNMANAGED', UNMANAGED_REASON),
      );
    }
  };

  /**
   * The look-ups of a group's untargeted nodes, asked while its last pages are (collectInvocations
   * `lastPages`): the nodes not listed yet are those pages' and the untargeted ones, so when they are
   * more than the pages hold, some are untargeted for sure. EC2 (one call for ≤ 200 ids, only when some
   * are not known unmanaged) is asked as soon as ≤ 200 are not listed, and SSM (one call for ≤ 50) as
   * the last page is: EC2 takes 150–400 ms, and the last group of a first scan otherwise ended on it
   * (seed-4 bench trace: 0.37 s after its last page was asked for, then one more import). Same calls as
   * after the pages; wasted only when the read is thrown away (too many still running).
   */
  interface EarlyLookUps {
    check?: { readonly ids: ReadonlySet<string>; readonly result: Promise<UnlistedCheck | undefined> };
    asked?: { readonly ids: ReadonlySet<string>; readonly result: Promise<Map<string, Reachability>> };
  }
  const lookUpEarly = (lookUps: EarlyLookUps, notYetListed: readonly string[], remaining: number): void => {
    const untargeted = notYetListed.length - remaining;
    if (untargeted <= 0) return;
    if (!lookUps.check && notYetListed.length <= EC2_ID_CHUNK) {
      const result = (async () => {
        const known = (await options.knownUnmanaged?.().catch(() => undefined)) ?? new Set<string>();
        const knownHere = notYetListed.filter((id) => known.has(id)).length;
        return untargeted > knownHere ? checkUnlisted(notYetListed) : undefined;
      })();
      lookUps.check = { ids: new Set(notYetListed), result };
    }
    if (!lookUps.asked && notYetListed.length <= SSM_INFO_CHUNK) {
      const result = checkReachability(ssm, notYetListed);
      result.catch(() => undefined);
      lookUps.asked = { ids: new Set(notYetListed), result };
    }
  };

  /**
   * Sends to the online ids of `chunk` after one DescribeInstanceInformation; answers the others.
   * `check`: EC2's word on these ids, asked beside SSM's (else the unmanaged ones wait in `unlisted`).
   */
  const classifyAndSend = async (
    chunk: readonly string[],
    check?: Promise<UnlistedCheck>,
    /** SSM's word on these ids, asked already (a failed early look-up is made again). */
    asked?: Promise<Map<string, Reachability>>,
  ): Promise<void> => {
    const reach = await (asked
      ? asked.catch(() => checkReachability(ssm, chunk))
      : checkReachability(ssm, chunk));
    const online: string[] = [];
    const unmanaged: string[] = [];
    for (const id of chunk) {
      const r = reach.get(id);
      if (r?.reachable) online.push(id);
      else if (r && r.code === 'SSM_UNMANAGED') unmanaged.push(id);
      else outcomes.set(id, notAssessed(id, r?.code ?? 'SSM_UNKNOWN', r?.reason ?? 'not reachable by SSM'));
    }
    if (check && unmanaged.length > 0) classifications.push(classifyUnlisted(unmanaged, check));
    else unlisted.push(...unmanaged);
    if (online.length === 0) return;
    try {
      track(await send({ InstanceIds: online }), online);
    } catch (error) {
      // A second rejection means a node changed state within seconds; answer rather than loop.
      sendFailed(online, error);
    }
  };

  // Decided on the answers already in (sends run SEND_CONCURRENCY at a time), so in a cluster SSM
  // does not manage at all at most SEND_CONCURRENCY + 1 sends are wasted.
  let accepted = 0;
  let rejected = 0;
  const sendChunk = async (chunk: readonly string[]): Promise<void> => {
    if (rejected >= 2 && rejected > accepted) {
      await classifyAndSend(chunk);
      return;
    }
    try {
      track(await send({ InstanceIds: [...chunk] }), chunk);
      accepted++;
      return;
    } catch (error) {
      if (awsErrorName(error) !== 'InvalidInstanceId') {
        sendFailed(chunk, error);
        return;
      }
    }
    rejected++;
    await classifyAndSend(chunk);
  };

  // Whole node groups first, one tag-targeted command each (AWS recommends Targets over InstanceIds
  // past 50 nodes: one call instead of one per 50, and no SendCommand queue behind SSM's rate limit).
  // A group whose tag command fails goes by id like the rest.
  const tagCommands = new Map<string, TagCommand>();
  const byId: string[] = [];
  const tagged = new Set<string>();
  for (const target of options.tagTargets ?? []) {
    if (target.instanceIds.length === 0) continue;
    try {
      const commandId = await send({ Targets: [{ Key: target.key, Values: [target.value] }] });
      track(commandId, target.instanceIds);
      tagCommands.set(commandId, { target });
      for (const id of target.instanceIds) tagged.add(id);
    } catch (error) {
      options.log?.('Tag-targeted SendCommand failed; sending to the group by instance id', {
        tag: `${target.key}=${target.value}`,
        error: errorMessage(error),
      });
    }
  }
  for (const id of instanceIds) if (!tagged.has(id)) byId.push(id);

  // Nodes are sent in the caller's order (chunked by instance role and node group, scan-cluster.ts),
  // so a node group SSM does not manage fills its own chunks; the rejection rule above keeps the
  // cost of the chunks it still spoils bounded.
  const chunks: string[][] = [];
  for (let i = 0; i < byId.length; i += SEND_CHUNK) chunks.push(byId.slice(i, i + SEND_CHUNK));
  await mapLimit(chunks, SEND_CONCURRENCY, sendChunk);

  /**
   * Polls in which a command was missing from the "Executing" list but its invocations were not all
   * done, and since when.
   */
  const unconfirmed = new Map<string, { polls: number; sinceMs: number }>();
  /** The last poll's listing: pending commands SSM lists as executing, and their counts. */
  const executing = new Set<string>();
  const counts = new Map<string, CommandCounts>();
  /** Commands whose read started since the last poll: one read a group per poll at most. */
  const readSincePoll = new Set<string>();
  let pollRounds = 0;
  let deadlineReached = false;

  // A command's invocations are read as soon as a poll finds it ended, in the background and a few
  // commands at once, so the reads neither wait for each other nor delay the next poll.
  const reading = new Map<string, Promise<void>>();
  /** Nodes of tag commands that SSM did not target (counted out of `sentTo`). */
  let notTargeted = 0;
  let readError: unknown;
  let slots = options.readConcurrency ?? READ_CONCURRENCY;
  const waiting: (() => void)[] = [];
  /** `allowRunning`: stragglers the read may leave beyond the group's usual number (an early read). */
  const startRead = (commandId: string, stillExecuting = false, allowRunning = 0): void => {
    const seen = unconfirmed.get(commandId) ?? { polls: 0, sinceMs: options.now().getTime() };
    // After a few polls and UNCONFIRMED_MS the command's own status has had time to settle; take what
    // SSM reports. A tag command SSM still reports executing is only ever confirmed: its stragglers are real.
    const settled =
      seen.polls + 1 >= MAX_UNCONFIRMED_POLLS && options.now().getTime() - seen.sinceMs >= UNCONFIRMED_MS;
    const mode = settled && !stillExecuting ? 'final' : 'confirm';
    // Counted at once, so an early read decided later in this same poll sees this one in flight.
    options.earlyReads?.begin();
    readSincePoll.add(commandId);
    let askStragglers = false;
    const read = (async () => {
      while (slots === 0) await new Promise<void>((resolve) => waiting.push(resolve));
      slots--;
      const endTurn = await options.earlyReads?.turn();
      try {
        const tag = tagCommands.get(commandId);
        // SSM's count when the read starts: a straggler that ends while the pages are read shows as
        // progress at the next poll (taken after the read, it would be missed until the command ends).
        const countAtStart = tag?.lastCompleted ?? 0;
        const missing: string[] | undefined = tag ? [] : undefined;
        const slow: string[] = [];
        const targetCount = tag?.targetCount;
        const lookUps: EarlyLookUps = {};
        const earlyReads = options.earlyReads;
        const done = await collectInvocations(
          ssm,
          commandId,
          commandTargets.get(commandId) ?? [],
          outcomes,
          options,
          mode,
          missing,
          tag && stillExecuting ? slow : undefined,
          tag ? Math.max(allowRunning, stragglersKeptAtRead(tag.target.instanceIds.length)) : 0,
          allowRunning > 0 && earlyReads
            ? () => earlyReads.pace(options.now().getTime(), options.sleep)
            : undefined,
          tag && targetCount
            ? {
                targetCount,
                onRequest: (notYetListed, remaining) => lookUpEarly(lookUps, notYetListed, remaining),
              }
            : undefined,
        );
        // The turn is for listing pages; classifying the nodes SSM did not target does not list.
        endTurn?.();
        // An early read was charged the nodes running at the last poll; fewer were running by the time
        // their pages were read (about a third fewer in the 20-cluster bench): the rest goes back.
        if (allowRunning > 0)
          options.earlyReads?.refund(done ? Math.max(0, allowRunning - slow.length) : allowRunning);
        if (done && tag && slow.length > 0) {
          tag.stragglers = slow;
          tag.completedAtRead = countAtStart;
          // A group read over several seconds may have ended meanwhile (the last poll, taken during the
          // read, no longer lists it): its stragglers are all done, so they are asked now rather than at
          // the next poll (a second more at the end of a scan).
          askStragglers = !executing.has(commandId);
        }
        // Nodes of the group SSM did not target: not managed, not tagged yet, or gone. Classified
        // (and the online ones sent to by id) before the command leaves `pending`, so polling goes on.
        if (done && missing) {
          notTargeted += missing.length;
          // EC2 is asked which of them still run beside SSM's look-up, not after it: a node SSM does
          // not target is nearly always one it does not manage, and the cluster read last otherwise
          // ends on both calls one after the other. The EC2 call is wasted only when every such node
          // turns out managed (and is then sent to by id); with known unmanaged ones there is none.
          const covers = (ids: ReadonlySet<string> | undefined) => missing.every((id) => ids?.has(id));
          const early = lookUps.check;
          const check =
            early && covers(early.ids)
              ? early.result.then((c) => c ?? checkUnlisted(missing))
              : checkUnlisted(missing);
          const asked = covers(lookUps.asked?.ids) ? lookUps.asked?.result : undefined;
          for (let i = 0; i < missing.length; i += SEND_CHUNK) {
            await classifyAndSend(missing.slice(i, i + SEND_CHUNK), check, asked);
          }
        }
        classifyUnlistedSoFar();
        // A command read but for its stragglers stays pending: they are fetched one by one later.
        if (done) {
          if (!tag?.stragglers) pending.delete(commandId);
        } else if (tag && stillExecuting) tag.stalledSinceMs = options.now().getTime();
        else unconfirmed.set(commandId, { polls: seen.polls + 1, sinceMs: seen.sinceMs });
      } catch (error) {
        readError ??= error;
        pending.delete(commandId);
      } finally {
        endTurn?.();
        slots++;
        waiting.shift()?.();
        reading.delete(commandId);
        options.earlyReads?.end();
        // A read ended: another group may be read early now, from this scan or another.
        if (readError === undefined) options.earlyReads?.fill();
        const tag = tagCommands.get(commandId);
        if (askStragglers && tag?.stragglers && readError === undefined)
          startStragglerCheck(commandId, tag, true);
      }
    })();
    reading.set(commandId, read);
  };
  /** Stragglers an early read of this group would leave, if it may be read early now (early-reads.ts). */
  const earlyRunning = (
    tag: TagCommand | undefined,
    count: CommandCounts | undefined,
  ): number | undefined => {
    if (!options.earlyReads || !tag || !count || count.targets === 0) return undefined;
    if (options.readEarly && !options.readEarly()) return undefined;
    const running = count.targets - count.completed - tag.target.offline;
    return running > 0 ? running : undefined;
  };
  // Groups of this scan that may be read early, judged on the last poll's counts (a group's running
  // nodes only go down, so an older count errs on the side of fewer early reads).
  const unregisterEarly = options.earlyReads?.register({
    candidates: () => {
      if (readError !== undefined || deadlineReached) return [];
      const out: EarlyCandidate[] = [];
      for (const commandId of pending) {
        if (reading.has(commandId) || readSincePoll.has(commandId) || !executing.has(commandId)) continue;
        const tag = tagCommands.get(commandId);
        if (tag?.stragglers) continue;
        const running = earlyRunning(tag, counts.get(commandId));
        if (running !== undefined) out.push({ running, start: () => startRead(commandId, true, running) });
      }
      return out;
    },
  });
  const startStragglerCheck = (commandId: string, tag: TagCommand, ended: boolean): void => {
    const check = (async () => {
      try {
        // SSM counted `moved` more invocations done: once that many stragglers are found done, the
        // others cannot be (each would have moved the count), so they are not asked for this time.
        const moved = ended
          ? Number.POSITIVE_INFINITY
          : (tag.lastCompleted ?? 0) - (tag.completedAtRead ?? 0);
        tag.completedAtRead = tag.lastCompleted ?? tag.completedAtRead;
        const stragglers = tag.stragglers ?? [];
        // Asked blindly, the m that ended among s are found after about m(s + 1)/(m + 1) calls; from
        // s = m + 2 on, one listing of those still InProgress (a page per 50) plus m calls is no more.
        const listed = !ended && stragglers.length > moved + 1;
        const running = listed ? await inProgressInvocations(ssm, commandId) : new Set<string>();
        const left: string[] = [];
        if (ended || listed) {
          // Every straggler of an ended command, or those the listing no longer shows running, has
          // ended (or waits for pickup): all are to be asked, so side by side (one by one, 12 took
          // 1.2 s at the end of a 5,000-node scan).
          const done = stragglers.filter((id) => !running.has(id));
          const answers = await mapLimit(done, STRAGGLER_CONCURRENCY, (id) =>
            stragglerOutcome(ssm, commandId, id, options),
          );
          done.forEach((id, i) => {
            const outcome = answers[i];
            if (outcome) record(outcomes, options, outcome, commandId);
            else left.push(id);
          });
          left.push(...stragglers.filter((id) => running.has(id)));
        } else {
          let found = 0;
          for (const id of stragglers) {
            const outcome = found < moved ? await stragglerOutcome(ssm, commandId, id, options) : undefined;
            if (outcome) {
              record(outcomes, options, outcome, commandId);
              found++;
            } else left.push(id);
          }
        }
        tag.stragglers = left.length > 0 ? left : undefined;
        if (!tag.stragglers) pending.delete(commandId);
      } catch (error) {
        readError ??= error;
        pending.delete(commandId);
      } finally {
        reading.delete(commandId);
      }
    })();
    reading.set(commandId, check);
  };
  const readsDone = async () => {
    while (reading.size > 0) await Promise.all([...reading.values()]);
  };

  try {
    if (pending.size > 0) {
      // The cluster scans of a full scan start together; without jitter they would poll, and then read
      // their invocations, at the same instants and throttle each other (polls are only ever delayed).
      const firstPoll = options.pollInitialDelayMs * (1 + jitter * random());
      await options.sleep(Math.max(0, Math.min(firstPoll, options.remainingMs())));
    }
    while (pending.size > 0 && readError === undefined) {
      if (options.remainingMs() <= 0) {
        deadlineReached = true;
        break;
      }
      pollRounds++;
      const polledAtMs = options.now().getTime();
      // One paged ListCommands per round covers every command of this scan. ExecutionStage=Executing
      // keeps the commands that already finished (ours, and those of cluster scans running in
      // parallel) out of the pages, so the round stays one page as commands complete. A pending
      // command of ours that is absent has probably finished (or is not listed yet: eventual
      // consistency), so its invocations decide: it is done only when every target's is terminal.
      // Cluster scans side by side share one poller (one listing serves them all).
      const listed = options.poller
        ? await options.poller.list(lastSendMs)
        : await listExecutingCommands(ssm, options.documentName, invokedAfter);
      executing.clear();
      counts.clear();
      readSincePoll.clear();
      for (const [commandId, count] of listed) {
        if (!pending.has(commandId)) continue;
        executing.add(commandId);
        counts.set(commandId, count);
      }
      for (const [commandId, count] of counts) {
        const tag = tagCommands.get(commandId);
        if (tag) {
          tag.lastCompleted = count.completed;
          tag.targetCount = count.targets;
        }
      }
      for (const commandId of pending) {
        if (reading.has(commandId)) continue;
        const tag = tagCommands.get(commandId);
        if (tag?.stragglers) {
          // Only when SSM counts another invocation done (or the command ended) can a straggler have ended.
          const ended = !executing.has(commandId);
          if (ended || (tag.lastCompleted ?? 0) > (tag.completedAtRead ?? 0)) {
            startStragglerCheck(commandId, tag, ended);
          }
          continue;
        }
        if (!executing.has(commandId)) startRead(commandId);
        else if (tagCommandSettled(tag, counts.get(commandId), options.now().getTime())) {
          startRead(commandId, true);
        }
      }
      options.earlyReads?.fill();
      // Nothing left to wait for but the reads: they decide; a command they could not confirm is polled again.
      let waitedForReadsMs = 0;
      if ([...pending].every((id) => reading.has(id))) {
        const waitFrom = options.now().getTime();
        await readsDone();
        waitedForReadsMs = options.now().getTime() - waitFrom;
      }
      if (pending.size === 0 || readError !== undefined) break;
      // Once only stragglers are left, each poll is a page or less and the scan waits for nothing else:
      // a shorter pace tells sooner that one ended (it is the last node of the cluster, so every
      // second of delay is a second of the scan).
      const onlyStragglers = [...pending].every((id) => tagCommands.get(id)?.stragglers);
      const interval = onlyStragglers
        ? Math.max(
            options.pollIntervalMs * STRAGGLER_POLL_FACTOR,
            Math.min(options.pollIntervalMs, FASTEST_POLL_MS),
          )
        : options.pollIntervalMs;
      if (options.remainingMs() <= 0) {
        deadlineReached = true;
        break;
      }
      // A cluster polling alone is paced from this poll, not from now: when the round waited for its
      // reads (9 s for a 3,500-node group), a straggler that ended meanwhile is found by the next poll at
      // once, not an interval later (1.3 s at the end of a 5,000-node scan). Side by side, the shared
      // listing comes every second anyway, and polling sooner after each read added straggler listings
      // to the ListCommandInvocations quota the scans wait for (+5 to +11 pages in the 20-cluster bench).
      // Once only stragglers are left, the time the round waited for their GetCommandInvocations (10 a
      // second for the whole invocation, seconds when early reads left many) counts: the cluster's last
      // ones had been found a second late (seed-4 bench: the next listing 2.2 s after the previous).
      // Not the listing's own latency: a poll a whole interval after the listing started would be
      // handed that same listing (CommandPoller maxAgeMs), and the next fresh one came 2 s later.
      const spent = options.poller
        ? onlyStragglers
          ? waitedForReadsMs
          : 0
        : options.now().getTime() - polledAtMs;
      const wait = Math.min(interval * (1 + jitter * random()) - spent, options.remainingMs());
      if (wait > 0) await options.sleep(wait);
    }
    await readsDone();
  } finally {
    // Unregistered even when polling fails, so the invocation's other scans stop starting its reads.
    unregisterEarly?.();
  }
  if (readError !== undefined) throw readError;
  // At the deadline, take whatever finished; the rest are answered as "deadline reached".
  for (const commandId of pending) {
    const stragglers = tagCommands.get(commandId)?.stragglers;
    if (stragglers) {
      for (const id of stragglers) {
        outcomes.set(
          id,
          notAssessed(
            id,
            'DEADLINE',
            'scan deadline reached while the collector was still running',
            commandId,
          ),
        );
      }
      continue;
    }
    await collectInvocations(
      ssm,
      commandId,
      commandTargets.get(commandId) ?? [],
      outcomes,
      options,
      'deadline',
    );
  }
  classifyUnlistedSoFar();
  await Promise.all(classifications);
  for (const id of instanceIds) {
    if (!outcomes.has(id)) {
      const commandId = [...commandTargets].find(([, ids]) => ids.includes(id))?.[0];
      outcomes.set(
        id,
        notAssessed(
          id,
          'NO_INVOCATION',
          'SSM reported no invocation for this node before the scan ended',
          commandId,
        ),
      );
    }
  }
  return {
    outcomes,
    commandIds: [...commandTargets.keys()],
    pollRounds,
    deadlineReached,
    rejectedSends: rejected,
    sentTo: [...commandTargets.values()].reduce((sum, ids) => sum + ids.length, 0) - notTargeted,
  };
}

interface TagCommand {
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

/**
 * Nodes of a tag command that may still run when its invocations are read, at least. Node run times
 * have a long tail (the bench draws them lognormal, p99 8 s, from reports of operators), and one slow
 * node of 350 would otherwise hold back the reading of all 350 and their import; each straggler then
 * costs a GetCommandInvocation or two. One, not two: the slowest node is often seconds behind the
 * others, the second slowest rarely; a second straggler a group saved no time in the 20-cluster bench
 * (seeds 42 and 4) and cost a call a group (1,000 nodes in 4 clusters: 80 → 78 calls per 1,000 nodes;
 * one draw of that fleet ended 1 s later, its two slowest nodes 0.7 s apart).
 */
const STRAGGLERS = 1;
/**
 * Share of a group's nodes that end in each second of its tail (lognormal, median 1.5 s, p99 8 s:
 * the density near 10 s is about 0.2 % a second).
 */
const TAIL_SHARE_PER_SECOND = 0.002;
/** ListCommandInvocations pages a second the account allows (SSM publishes none; the bench assumes 10/s). */
export const READ_PAGES_PER_SECOND = 10;

/**
 * Nodes of a group of `size` that its read may leave running (fetched one by one later). The read
 * takes a page per 50 nodes (7 s for 3,500), so it should start about that long before the group's
 * last node ends: by then the nodes that end during the read, size × read time × the tail's rate,
 * are still running. That grows with the square of the size: 1 (the least) up to about 650 nodes,
 * 5 for 1,100, 49 for 3,500. Each costs about one GetCommandInvocation (and a listing of those still
 * InProgress now and then), against the whole read started seconds later.
 */
export function stragglerAllowance(size: number): number {
  const readSeconds = Math.ceil(size / LIST_PAGE) / READ_PAGES_PER_SECOND;
  return Math.max(STRAGGLERS, Math.ceil(size * readSeconds * TAIL_SHARE_PER_SECOND));
}
/**
 * Nodes a read of a group of `size` may find still running and keep as stragglers rather than throw
 * the read away: its allowance, or as many as the group has pages, whichever is more. A read is
 * started on SSM's count (or a count that stood still), and by the time its pages arrive the count
 * may have been stale; fetching r stragglers one by one costs about r calls, reading the group again
 * all its pages and the wait for them (2 of 60 groups were read twice in a 20-cluster bench run: 15
 * pages).
 */
function stragglersKeptAtRead(size: number): number {
  return Math.max(stragglerAllowance(size), Math.ceil(size / LIST_PAGE));
}

/** Stragglers asked for at once (GetCommandInvocation, paced from the invocation's shared bucket). */
const STRAGGLER_CONCURRENCY = 5;

/** Poll pace while only stragglers are left, as a fraction of the normal pace (5 s → 2 s). */
const STRAGGLER_POLL_FACTOR = 0.4;

/**
 * Instances whose invocation of the command is still InProgress (Status filter of
 * ListCommandInvocations, facts A4). A straggler not among them has ended, or was not picked up
 * yet (Pending, Delayed): GetCommandInvocation tells which.
 */
async function inProgressInvocations(ssm: SSMClient, commandId: string): Promise<Set<string>> {
  const ids = new Set<string>();
  const pages = paginateListCommandInvocations(
    { client: ssm, pageSize: LIST_PAGE },
    { CommandId: commandId, Filters: [{ key: 'Status', value: 'InProgress' }] },
  );
  for await (const page of pages) {
    for (const invocation of page.CommandInvocations ?? []) {
      if (invocation.InstanceId) ids.add(invocation.InstanceId);
    }
  }
  return ids;
}

/** One straggler's invocation: its outcome once terminal, undefined while it still runs. */
async function stragglerOutcome(
  ssm: SSMClient,
  commandId: string,
  instanceId: string,
  options: RunCommandOptions,
): Promise<CollectionOutcome | undefined> {
  let out: GetCommandInvocationCommandOutput;
  try {
    out = await ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }));
  } catch (error) {
    // Eventual consistency right after the invocation appeared: ask again next time.
    if (awsErrorName(error) === 'InvocationDoesNotExist') return undefined;
    throw error;
  }
  const status = out.Status ?? '';
  if (PENDING_INVOCATION.has(status)) return undefined;
  const invocation: CommandInvocation = {
    CommandId: commandId,
    InstanceId: instanceId,
    Status: status as CommandInvocation['Status'],
    ...(out.StatusDetails ? { StatusDetails: out.StatusDetails } : {}),
    CommandPlugins: [
      { ...(out.PluginName ? { Name: out.PluginName } : {}), Output: out.StandardOutputContent ?? '' },
    ],
  };
  if (status !== 'Success') return failedInvocationOutcome(invocation);
  // GetCommandInvocation returns up to 24,000 characters: no cut to follow up.
  return successOutcome(ssm, invocation, commandId, options);
}

/**
 * Whether a tag-targeted command that is still executing is worth reading: its unfinished
 * invocations are no more than the nodes known offline (they wait for delivery until the timeout and
 * keep the command "InProgress") plus the stragglers it may leave for later, or the count has
 * stopped moving for STALLED_MS at one page or less
 * (offline instances the scan does not know of, e.g. stopped ones still tagged). A read that finds a
 * node of the scan unfinished leaves the command pending (confirm mode), so a wrong guess costs a read.
 */
function tagCommandSettled(
  command: TagCommand | undefined,
  counts: { targets: number; completed: number } | undefined,
  nowMs: number,
): boolean {
  // TargetCount stays 0 until SSM has resolved the tag: nothing to read yet.
  if (!command || !counts || counts.targets === 0) return false;
  const outstanding = counts.targets - counts.completed;
  const stalled = outstanding === command.lastOutstanding && outstanding <= LIST_PAGE;
  command.stalledSinceMs = stalled ? (command.stalledSinceMs ?? nowMs) : undefined;
  command.lastOutstanding = outstanding;
  return (
    outstanding <= command.target.offline + stragglerAllowance(command.target.instanceIds.length) ||
    (command.stalledSinceMs !== undefined && nowMs - command.stalledSinceMs >= STALLED_MS)
  );
}

/**
 * How long a tag command's count may stand still before its group is read anyway, and how long a
 * command may be missing from the "Executing" list before its invocations are taken as they stand.
 * In time, not polls: clusters side by side poll every second, and two or three polls (the rule when
 * polls were 5 s apart) would re-read a whole group each time a few slow nodes held the count, and
 * give SSM's listing only seconds to catch up.
 */
const STALLED_MS = 10_000;
const UNCONFIRMED_MS = 10_000;

/**
 * How many polls a command may be missing from the "Executing" list while some of its invocations
 * are not terminal (or not listed) before those are answered as they stand.
 */
const MAX_UNCONFIRMED_POLLS = 3;

/**
 * Reads a command's invocations. 'confirm': records outcomes and returns true only when every target
 * has a terminal invocation (otherwise records nothing). 'final' and 'deadline': records what there is.
 */
async function collectInvocations(
  ssm: SSMClient,
  commandId: string,
  targets: readonly string[],
  outcomes: Map<string, CollectionOutcome>,
  options: RunCommandOptions,
  mode: 'confirm' | 'final' | 'deadline',
  /** Tag-targeted command: targets SSM did not list are put here instead of being waited for. */
  missing?: string[],
  /**
   * Confirm mode: up to this many targets may still run; they are put in `stragglers` (not
   * answered) and the rest is recorded, so a few slow nodes do not hold back a whole group's reads.
   */
  stragglers?: string[],
  allowPending = 0,
  /** Waited for before each page is asked for (an early read's pace). */
  beforePage?: () => Promise<void>,
  /**
   * Told, as each of the last pages of the command's `targetCount` invocations is asked for (at most
   * EC2_ID_CHUNK invocations left), which targets are not listed yet and how many invocations those
   * pages still hold.
   */
  lastPages?: {
    readonly targetCount: number;
    readonly onRequest: (notYetListed: string[], remaining: number) => void;
  },
): Promise<boolean> {
  const atDeadline = mode === 'deadline';
  const pages = paginateListCommandInvocations(
    { client: ssm, pageSize: LIST_PAGE },
    { CommandId: commandId, Details: true },
  );
  const wanted = new Set(targets);
  const listed = new Set<string>();
  const unfinished: CommandInvocation[] = [];
  /** Invocations listed so far, ours or not (the tag may also reach nodes the scan does not send to). */
  let seen = 0;
  const tellLastPages = (remaining: number): void => {
    if (!lastPages || remaining <= 0 || remaining > EC2_ID_CHUNK) return;
    lastPages.onRequest(
      targets.filter((id) => !listed.has(id)),
      remaining,
    );
  };
  tellLastPages(lastPages?.targetCount ?? 0);
  // The next page is asked for before this one is evaluated: a page of 50 outputs takes about 55 ms of
  // CPU against 80 ms for the call, and one after the other a 100-page group read at 7 pages a second
  // instead of SSM's 10.
  const iterator = pages[Symbol.asyncIterator]();
  const fetchPage = beforePage ? () => beforePage().then(() => iterator.next()) : () => iterator.next();
  for (let next = fetchPage(); ; ) {
    const result = await next;
    if (result.done) break;
    next = fetchPage();
    // Should this page's evaluation throw, the prefetched call must not become an unhandled rejection.
    next.catch(() => undefined);
    const page = result.value;
    const invocations = page.CommandInvocations ?? [];
    for (const invocation of invocations) {
      if (invocation.InstanceId && wanted.has(invocation.InstanceId)) listed.add(invocation.InstanceId);
    }
    if (page.NextToken) {
      seen += invocations.length;
      if (lastPages) tellLastPages(lastPages.targetCount - seen);
    }
    for (const invocation of invocations) {
      const id = invocation.InstanceId;
      if (!id || !wanted.has(id)) continue;
      const status = invocation.Status ?? '';
      if (PENDING_INVOCATION.has(status)) unfinished.push(invocation);
      // A terminal invocation's answer is final whatever the rest of the command shows, so it is
      // recorded as its page arrives: evaluation and import go on while a large group's other pages
      // are read (a 5,000-node group is 100 pages, 10 s at SSM's pace). A read that is then thrown
      // away keeps these; the next read of the command skips them.
      else if (!outcomes.has(id)) {
        if (status === 'Success') {
          record(outcomes, options, await successOutcome(ssm, invocation, commandId, options), commandId);
        } else outcomes.set(id, failedInvocationOutcome(invocation));
      }
    }
  }
  // A tag command lists what SSM resolved the tag to (it is read only once TargetCount is known); a
  // node of the scan not among them was not targeted, and no poll will change that.
  const targeted = missing && mode !== 'deadline' ? targets.filter((id) => listed.has(id)) : targets;
  if (missing && mode !== 'deadline') for (const id of targets) if (!listed.has(id)) missing.push(id);
  if (mode === 'confirm') {
    const notEnded = new Set(unfinished.map((i) => i.InstanceId));
    const running = targeted.filter((id) => !listed.has(id) || notEnded.has(id));
    if (running.length > allowPending || (running.length > 0 && !stragglers)) {
      if (missing) missing.length = 0;
      return false;
    }
    stragglers?.push(...running);
  }
  const later = new Set(stragglers);
  for (const invocation of unfinished) {
    const id = invocation.InstanceId ?? '';
    const status = invocation.Status ?? '';
    if (later.has(id)) continue;
    outcomes.set(
      id,
      notAssessed(
        id,
        atDeadline ? 'DEADLINE' : 'SSM_PENDING',
        atDeadline
          ? `scan deadline reached while the SSM invocation was ${status}${invocation.StatusDetails && invocation.StatusDetails !== status ? ` (${invocation.StatusDetails})` : ''}`
          : `SSM invocation still ${status} although its command is no longer executing`,
        commandId,
        { ssmStatus: status },
      ),
    );
  }
  if (atDeadline) {
    for (const id of targets) {
      if (!outcomes.has(id)) {
        outcomes.set(
          id,
          notAssessed(id, 'DEADLINE', 'scan deadline reached before SSM reported this node', commandId),
        );
      }
    }
  }
  return true;
}

/** Records a node's outcome; an output goes to `onOutput` at once and is not kept. */
function record(
  outcomes: Map<string, CollectionOutcome>,
  options: RunCommandOptions,
  outcome: CollectionOutcome,
  commandId: string,
): void {
  const id = outcome.instanceId;
  if (outcome.kind === 'output' && options.onOutput) {
    options.onOutput(id, outcome.output);
    outcomes.set(id, { kind: 'handed-over', instanceId: id, commandId });
  } else {
    outcomes.set(id, outcome);
  }
}

async function successOutcome(
  ssm: SSMClient,
  invocation: CommandInvocation,
  commandId: string,
  options: RunCommandOptions,
): Promise<CollectionOutcome> {
  const instanceId = invocation.InstanceId ?? '';
  const plugins = invocation.CommandPlugins ?? [];
  const plugin = plugins.find((p) => looksLikeJson(p.Output)) ?? plugins[0];
  let output = plugin?.Output ?? '';
  if (isOutputTruncated(output)) {
    // ListCommandInvocations cuts plugin output at 2,500 characters; GetCommandInvocation has 24,000.
    const full = await getFullOutput(ssm, commandId, instanceId, plugin?.Name, options);
    if (full !== undefined) output = full;
  }
  if (!looksLikeJson(output) && !isOutputTruncated(output)) {
    // Which JSON encoding the collector chose is the evidence parser's business: anything that
    // starts like JSON (or was cut) goes to it and, if malformed, becomes WARNING. A schema-2.2 document whose Linux precondition is unmet (Windows) ends Success with the step
    // skipped and none of our output (facts E4).
    return notAssessed(
      instanceId,
      'NO_EVIDENCE',
      `the command succeeded but printed no evidence document${output.trim() ? ` ("${printable(output, 160)}")` : ''}; the collector step was probably skipped (not a Linux node)`,
      commandId,
      { ssmStatus: 'Success' },
    );
  }
  return { kind: 'output', instanceId, output, commandId };
}

/** The collector always prints one JSON object; other stdout is not an evidence document. */
function looksLikeJson(output: string | undefined): boolean {
  return output?.trimStart().startsWith('{') ?? false;
}

/** GetCommandInvocation attempts while SSM still says InvocationDoesNotExist. */
const GET_INVOCATION_ATTEMPTS = 4;

async function getFullOutput(
  ssm: SSMClient,
  commandId: string,
  instanceId: string,
  pluginName: string | undefined,
  options: RunCommandOptions,
): Promise<string | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      const out = await ssm.send(
        new GetCommandInvocationCommand({
          CommandId: commandId,
          InstanceId: instanceId,
          ...(pluginName ? { PluginName: pluginName } : {}),
        }),
      );
      return out.StandardOutputContent ?? '';
    } catch (error) {
      // InvocationDoesNotExist right after an invocation appears is eventual consistency, not a fault;
      // the SDK's retry strategy does not treat it as retryable, so a short bounded loop does.
      if (awsErrorName(error) !== 'InvocationDoesNotExist' || attempt >= GET_INVOCATION_ATTEMPTS) {
        options.log?.('GetCommandInvocation failed; evaluating the cut output', {
          instanceId,
          commandId,
          error: awsErrorName(error),
        });
        return undefined;
      }
      await options.sleep(Math.min(200 * 2 ** (attempt - 1), Math.max(0, options.remainingMs())));
    }
  }
}
