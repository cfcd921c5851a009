/**
 * Ids SSM does not list at all (a rejected send's DescribeInstanceInformation, or a tag command that
 * did not target them): unmanaged, unless EC2 says the instance is no longer running.
 *
 * Only a surprise needs EC2's word: a node SSM did not list although the previous scan did not find it
 * unmanaged may have stopped or been terminated since discovery (one call per 200 ids). It is decided
 * in the background as each read finds such ids, together with those the sending found, so it is not
 * the last thing a cluster waits for: it waits for the previous scan's findings, and EC2 answers after
 * the last straggler otherwise.
 */
import { errorMessage } from '../errors.ts';
import { UNMANAGED_REASON } from '../reachability.ts';
import { notAssessed } from './outcomes.ts';
import type { CollectionState } from './state.ts';

const VANISHED_REASON =
  'node left during the scan: it is no longer a running instance, so SSM no longer lists it';

/** Nodes known unmanaged from the previous scan's findings, and EC2's word on the others. */
export interface UnlistedCheck {
  readonly known: ReadonlySet<string>;
  readonly running?: Set<string>;
}

/** Asks which of `ids` were unmanaged before, and EC2 which of the others still run. */
export async function checkUnlisted(state: CollectionState, ids: readonly string[]): Promise<UnlistedCheck> {
  const { options } = state;
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
}

/** Answers `ids` as unmanaged or vanished once `check` (asked now unless given) tells which. */
export async function classifyUnlisted(
  state: CollectionState,
  ids: readonly string[],
  check: Promise<UnlistedCheck> = checkUnlisted(state, ids),
): Promise<void> {
  const { known, running } = await check;
  for (const id of ids) {
    state.outcomes.set(
      id,
      running && !known.has(id) && !running.has(id)
        ? notAssessed(id, 'SSM_VANISHED', VANISHED_REASON)
        : notAssessed(id, 'SSM_UNMANAGED', UNMANAGED_REASON),
    );
  }
}

/** Starts classifying the unlisted ids gathered so far, in the background. */
export function classifyUnlistedSoFar(state: CollectionState): void {
  if (state.unlisted.length > 0)
    state.classifications.push(classifyUnlisted(state, state.unlisted.splice(0)));
}
