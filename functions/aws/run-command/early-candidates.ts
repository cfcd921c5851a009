/**
 * This scan's groups that may be read early (early-reads.ts chooses among those of every scan of the
 * invocation), judged on the last poll's counts: a group's running nodes only go down, so an older
 * count errs on the side of fewer early reads.
 */
import type { CommandCounts } from './command-poller.ts';
import type { EarlyCandidate } from './early-reads.ts';
import { startRead } from './read-group.ts';
import type { CollectionState, TagCommand } from './state.ts';

/** Offers the scan's groups to the shared early reads; returns the function that withdraws them. */
export function registerEarlyCandidates(state: CollectionState): (() => void) | undefined {
  return state.options.earlyReads?.register({ candidates: () => earlyCandidates(state) });
}

function earlyCandidates(state: CollectionState): EarlyCandidate[] {
  if (state.readError !== undefined || state.deadlineReached) return [];
  const out: EarlyCandidate[] = [];
  for (const commandId of state.pending) {
    if (state.reading.has(commandId) || state.readSincePoll.has(commandId) || !state.executing.has(commandId))
      continue;
    const tag = state.tagCommands.get(commandId);
    if (tag?.stragglers) continue;
    const running = earlyRunning(state, tag, state.counts.get(commandId));
    if (running !== undefined) {
      out.push({
        running,
        start: () => startRead(state, commandId, { stillExecuting: true, allowRunning: running }),
      });
    }
  }
  return out;
}

/** Stragglers an early read of this group would leave, if it may be read early now. */
function earlyRunning(
  state: CollectionState,
  tag: TagCommand | undefined,
  count: CommandCounts | undefined,
): number | undefined {
  const { earlyReads, readEarly } = state.options;
  if (!earlyReads || !tag || !count || count.targets === 0) return undefined;
  if (readEarly && !readEarly()) return undefined;
  const running = count.targets - count.completed - tag.target.offline;
  return running > 0 ? running : undefined;
}
