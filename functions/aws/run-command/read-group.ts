/**
 * Reading a command's invocations in the background once a poll (or an early read) decides it is
 * time, a few commands at once, so the reads neither wait for each other nor delay the next poll.
 * A read that finds the command done answers its nodes and lets it leave `pending`; one that finds
 * too many still running leaves it pending for a later read.
 */
import type { ReadMode } from './read-pages.ts';
import { readInvocations } from './read-pages.ts';
import type { CollectionState, Unconfirmed } from './state.ts';
import { startStragglerCheck, stragglersKeptAtRead } from './stragglers.ts';
import { classifyUnlistedSoFar } from './unlisted.ts';
import { classifyUntargeted, type EarlyLookUps, lookUpEarly } from './untargeted.ts';

/**
 * How long, and in how many polls, a command may be missing from the "Executing" list while some of
 * its invocations are not terminal (or not listed) before those are answered as they stand. In time
 * as well as polls: clusters side by side poll every second, and a few polls alone would give SSM's
 * listing only seconds to catch up (docs/performance.md).
 */
const UNCONFIRMED_MS = 10_000;
const MAX_UNCONFIRMED_POLLS = 3;

export interface ReadStart {
  /** SSM still lists the command as executing (a settled tag command, or an early read). */
  readonly stillExecuting?: boolean;
  /** Stragglers the read may leave beyond the group's usual number (an early read). */
  readonly allowRunning?: number;
}

interface GroupRead {
  readonly commandId: string;
  readonly mode: ReadMode;
  readonly seen: Unconfirmed;
  readonly stillExecuting: boolean;
  readonly allowRunning: number;
}

/** Starts reading a command's invocations in the background (counted in `state.reading`). */
export function startRead(state: CollectionState, commandId: string, start: ReadStart = {}): void {
  const { stillExecuting = false, allowRunning = 0 } = start;
  const { options } = state;
  const seen = state.unconfirmed.get(commandId) ?? { polls: 0, sinceMs: options.now().getTime() };
  // After a few polls and UNCONFIRMED_MS the command's own status has had time to settle; take what
  // SSM reports. A tag command SSM still reports executing is only ever confirmed: its stragglers are real.
  const settled =
    seen.polls + 1 >= MAX_UNCONFIRMED_POLLS && options.now().getTime() - seen.sinceMs >= UNCONFIRMED_MS;
  const mode = settled && !stillExecuting ? 'final' : 'confirm';
  // Counted at once, so an early read decided later in this same poll sees this one in flight.
  options.earlyReads?.begin();
  state.readSincePoll.add(commandId);
  state.reading.set(commandId, runRead(state, { commandId, mode, seen, stillExecuting, allowRunning }));
}

async function runRead(state: CollectionState, read: GroupRead): Promise<void> {
  const { commandId } = read;
  const { earlyReads } = state.options;
  const slots = state.readSlots;
  let askStragglers = false;
  while (slots.free === 0) await new Promise<void>((resolve) => slots.waiting.push(resolve));
  slots.free--;
  const endTurn = await earlyReads?.turn();
  try {
    askStragglers = await readGroup(state, read, endTurn);
  } catch (error) {
    state.readError ??= error;
    state.pending.delete(commandId);
  } finally {
    endTurn?.();
    slots.free++;
    slots.waiting.shift()?.();
    state.reading.delete(commandId);
    earlyReads?.end();
    // A read ended: another group may be read early now, from this scan or another.
    if (state.readError === undefined) earlyReads?.fill();
    if (askStragglers && state.tagCommands.get(commandId)?.stragglers && state.readError === undefined)
      startStragglerCheck(state, commandId, true);
  }
}

/** Reads the group's pages and settles what they say; returns whether to ask its stragglers at once. */
async function readGroup(state: CollectionState, read: GroupRead, endTurn?: () => void): Promise<boolean> {
  const { commandId, mode, seen, stillExecuting, allowRunning } = read;
  const { options } = state;
  const { earlyReads } = options;
  const tag = state.tagCommands.get(commandId);
  // SSM's count when the read starts: a straggler that ends while the pages are read shows as progress
  // at the next poll (taken after the read, it would be missed until the command ends).
  const countAtStart = tag?.lastCompleted ?? 0;
  const targetCount = tag?.targetCount;
  const lookUps: EarlyLookUps = {};
  const pages = await readInvocations(state, commandId, {
    mode,
    tagTargeted: tag !== undefined,
    keepRunning:
      tag && stillExecuting
        ? Math.max(allowRunning, stragglersKeptAtRead(tag.target.instanceIds.length))
        : undefined,
    beforePage:
      allowRunning > 0 && earlyReads
        ? () => earlyReads.pace(options.now().getTime(), options.sleep)
        : undefined,
    lastPages:
      tag && targetCount
        ? {
            targetCount,
            onRequest: (notYetListed, remaining) => lookUpEarly(state, lookUps, { notYetListed, remaining }),
          }
        : undefined,
  });
  const { done, stragglers } = pages;
  // The turn is for listing pages; classifying the nodes SSM did not target does not list.
  endTurn?.();
  // An early read was charged the nodes running at the last poll; fewer were running by the time their
  // pages were read: the rest goes back.
  if (allowRunning > 0)
    earlyReads?.refund(done ? Math.max(0, allowRunning - stragglers.length) : allowRunning);
  let askStragglers = false;
  if (done && tag && stragglers.length > 0) {
    tag.stragglers = [...stragglers];
    tag.completedAtRead = countAtStart;
    // A group read over several seconds may have ended meanwhile (the last poll, taken during the read,
    // no longer lists it): its stragglers are all done, so they are asked now rather than at the next
    // poll.
    askStragglers = !state.executing.has(commandId);
  }
  if (done && tag) await classifyUntargeted(state, pages.untargeted, lookUps);
  classifyUnlistedSoFar(state);
  // A command read but for its stragglers stays pending: they are fetched one by one later.
  if (done) {
    if (!tag?.stragglers) state.pending.delete(commandId);
  } else if (tag && stillExecuting) tag.stalledSinceMs = options.now().getTime();
  else state.unconfirmed.set(commandId, { polls: seen.polls + 1, sinceMs: seen.sinceMs });
  return askStragglers;
}
