/**
 * The end of a collection: at the deadline, whatever finished is taken and the rest answered as
 * "deadline reached"; then every node of the scan has an answer, and the counts are returned.
 */
import { notAssessed } from './outcomes.ts';
import { readInvocations } from './read-pages.ts';
import type { CollectionState } from './state.ts';
import type { RunCommandResult } from './types.ts';
import { classifyUnlistedSoFar } from './unlisted.ts';

/** Answers the commands still pending when polling stopped (only at the deadline are there any). */
export async function sweepAtDeadline(state: CollectionState): Promise<void> {
  for (const commandId of state.pending) {
    const stragglers = state.tagCommands.get(commandId)?.stragglers;
    if (!stragglers) {
      await readInvocations(state, commandId, { mode: 'deadline' });
      continue;
    }
    for (const id of stragglers) {
      state.outcomes.set(
        id,
        notAssessed(id, 'DEADLINE', 'scan deadline reached while the collector was still running', commandId),
      );
    }
  }
}

/** Waits for the classifications under way, answers any node still without one, and sums up. */
export async function finish(state: CollectionState): Promise<RunCommandResult> {
  classifyUnlistedSoFar(state);
  await Promise.all(state.classifications);
  const { outcomes, commandTargets } = state;
  for (const id of state.instanceIds) {
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
    pollRounds: state.pollRounds,
    deadlineReached: state.deadlineReached,
    rejectedSends: state.rejected,
    sentTo: [...commandTargets.values()].reduce((sum, ids) => sum + ids.length, 0) - state.notTargeted,
  };
}
