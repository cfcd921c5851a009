/**
 * Polling: one paged ListCommands a round covers every command of this scan. ExecutionStage=Executing
 * keeps the commands that already finished (ours, and those of cluster scans running in parallel) out
 * of the pages, so the round stays one page as commands complete. A pending command of ours that is
 * absent has probably finished (or is not listed yet: eventual consistency), so its invocations decide:
 * it is done only when every target's is terminal. Cluster scans side by side share one poller (one
 * listing serves them all).
 */
import { type CommandCounts, FASTEST_POLL_MS, listExecutingCommands } from './command-poller.ts';
import { registerEarlyCandidates } from './early-candidates.ts';
import { LIST_PAGE } from './limits.ts';
import { startRead } from './read-group.ts';
import type { CollectionState, TagCommand } from './state.ts';
import { startStragglerCheck, stragglerAllowance } from './stragglers.ts';

/**
 * How long a tag command's count may stand still before its group is read anyway. In time, not polls:
 * clusters side by side poll every second, and a rule in polls would re-read a whole group each time a
 * few slow nodes held the count (docs/performance.md).
 */
const STALLED_MS = 10_000;
/**
 * Poll pace while only stragglers are left, as a fraction of the normal pace: each poll is then a page
 * or less, and finding the last node sooner ends the scan sooner (docs/performance.md).
 */
const STRAGGLER_POLL_FACTOR = 0.4;

/** Polls until every command is read, a read fails (thrown) or the deadline comes. */
export async function pollUntilDone(state: CollectionState): Promise<void> {
  const { options, pending } = state;
  const unregisterEarly = registerEarlyCandidates(state);
  try {
    if (pending.size > 0) {
      // The cluster scans of a full scan start together; without jitter they would poll, and then read
      // their invocations, at the same instants and throttle each other (polls are only ever delayed).
      const firstPoll = options.pollInitialDelayMs * (1 + jitter(state));
      await options.sleep(Math.max(0, Math.min(firstPoll, options.remainingMs())));
    }
    while (pending.size > 0 && state.readError === undefined) {
      if (options.remainingMs() <= 0) {
        state.deadlineReached = true;
        break;
      }
      state.pollRounds++;
      const polledAtMs = options.now().getTime();
      takeListing(state, await listExecuting(state));
      // Started and timed in the same turn of the event loop as the listing's answer: the wait for the
      // reads then counts all of their time, which nextWait takes off the next poll's pace.
      startDueReads(state);
      options.earlyReads?.fill();
      const waitedForReadsMs = await waitIfOnlyReads(state);
      if (pending.size === 0 || state.readError !== undefined) break;
      if (options.remainingMs() <= 0) {
        state.deadlineReached = true;
        break;
      }
      const wait = nextWait(state, { polledAtMs, waitedForReadsMs });
      if (wait > 0) await options.sleep(wait);
    }
    await readsDone(state);
  } finally {
    // Unregistered even when polling fails, so the invocation's other scans stop starting its reads.
    unregisterEarly?.();
  }
  if (state.readError !== undefined) throw state.readError;
}

/** The fraction a wait is lengthened by this time (at random, up to `pollJitter`). */
function jitter(state: CollectionState): number {
  const random = state.options.random ?? Math.random;
  return (state.options.pollJitter ?? 0) * random();
}

/** This poll's listing of the executing commands, shared with the other scans or this scan's own. */
function listExecuting(state: CollectionState): Promise<ReadonlyMap<string, CommandCounts>> {
  const { options } = state;
  return options.poller
    ? options.poller.list(state.lastSendMs)
    : listExecutingCommands(state.ssm, options.documentName, state.invokedAfter);
}

function takeListing(state: CollectionState, listed: ReadonlyMap<string, CommandCounts>): void {
  state.executing.clear();
  state.counts.clear();
  state.readSincePoll.clear();
  for (const [commandId, count] of listed) {
    if (!state.pending.has(commandId)) continue;
    state.executing.add(commandId);
    state.counts.set(commandId, count);
  }
  for (const [commandId, count] of state.counts) {
    const tag = state.tagCommands.get(commandId);
    if (tag) {
      tag.lastCompleted = count.completed;
      tag.targetCount = count.targets;
    }
  }
}

function startDueReads(state: CollectionState): void {
  for (const commandId of state.pending) {
    if (state.reading.has(commandId)) continue;
    const tag = state.tagCommands.get(commandId);
    const executing = state.executing.has(commandId);
    if (tag?.stragglers) {
      // Only when SSM counts another invocation done (or the command ended) can a straggler have ended.
      if (!executing || (tag.lastCompleted ?? 0) > (tag.completedAtRead ?? 0)) {
        startStragglerCheck(state, commandId, !executing);
      }
      continue;
    }
    if (!executing) startRead(state, commandId);
    else if (tagCommandSettled(tag, state.counts.get(commandId), state.options.now().getTime())) {
      startRead(state, commandId, { stillExecuting: true });
    }
  }
}

/**
 * Whether a tag-targeted command that is still executing is worth reading: its unfinished invocations
 * are no more than the nodes known offline (they wait for delivery until the timeout and keep the
 * command "InProgress") plus the stragglers it may leave for later, or the count has stopped moving for
 * STALLED_MS at one page or less (offline instances the scan does not know of, e.g. stopped ones still
 * tagged). A read that finds a node of the scan unfinished leaves the command pending (confirm mode),
 * so a wrong guess costs a read.
 */
function tagCommandSettled(
  command: TagCommand | undefined,
  counts: CommandCounts | undefined,
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

/** Nothing left to wait for but the reads: they decide; a command they could not confirm is polled again. */
async function waitIfOnlyReads(state: CollectionState): Promise<number> {
  if (![...state.pending].every((id) => state.reading.has(id))) return 0;
  const waitFrom = state.options.now().getTime();
  await readsDone(state);
  return state.options.now().getTime() - waitFrom;
}

export async function readsDone(state: CollectionState): Promise<void> {
  while (state.reading.size > 0) await Promise.all([...state.reading.values()]);
}

/**
 * Poll pace while SSM's rate control is still ramping every pending command up, as a multiple of the
 * normal pace. SSM sends a command to one node, then 2, 4 … (SSM User Guide, "Using rate controls"), so
 * the last wave holds about half of a command's targets: while fewer than half are done, no command of
 * the scan can end or settle at the next poll, and a listing a second only counts the waves.
 */
const RAMP_POLL_FACTOR = 2;

/** Whether every pending command is executing, unread and less than half done (see RAMP_POLL_FACTOR). */
function rampingUp(state: CollectionState): boolean {
  if (state.pending.size === 0) return false;
  for (const commandId of state.pending) {
    const counts = state.counts.get(commandId);
    if (!counts || !state.executing.has(commandId) || state.reading.has(commandId)) return false;
    if (state.tagCommands.get(commandId)?.stragglers) return false;
    if (counts.targets === 0 || counts.completed * 2 >= counts.targets) return false;
  }
  return true;
}

interface RoundTimes {
  readonly polledAtMs: number;
  /** How long the round waited for its reads, when nothing else was left. */
  readonly waitedForReadsMs: number;
}

/** How long to wait before the next poll. */
function nextWait(state: CollectionState, { polledAtMs, waitedForReadsMs }: RoundTimes): number {
  const { options } = state;
  // Once only stragglers are left, each poll is a page or less and the scan waits for nothing else: a
  // shorter pace tells sooner that one ended (it is the last node of the cluster, so every second of
  // delay is a second of the scan).
  const onlyStragglers = [...state.pending].every((id) => state.tagCommands.get(id)?.stragglers);
  const interval = onlyStragglers
    ? Math.max(
        options.pollIntervalMs * STRAGGLER_POLL_FACTOR,
        Math.min(options.pollIntervalMs, FASTEST_POLL_MS),
      )
    : rampingUp(state)
      ? options.pollIntervalMs * RAMP_POLL_FACTOR
      : options.pollIntervalMs;
  // A cluster polling alone is paced from this poll, not from now: when the round waited for its reads
  // (seconds for a large group), a straggler that ended meanwhile is found by the next poll at once,
  // not an interval later. Side by side, the shared listing comes every second anyway, and polling
  // sooner after each read would add straggler listings to the read quota the scans wait for. Once only
  // stragglers are left, the time the round waited for their GetCommandInvocations (shared by the whole
  // invocation, seconds when early reads left many) counts, or the cluster's last ones are found a
  // poll late. Not the listing's own latency: a poll a whole interval after the listing started would
  // be handed that same listing (CommandPoller maxAgeMs), and the next fresh one would come later still.
  const spent = options.poller
    ? onlyStragglers
      ? waitedForReadsMs
      : 0
    : options.now().getTime() - polledAtMs;
  return Math.min(interval * (1 + jitter(state)) - spent, options.remainingMs());
}
