/**
 * Nodes of a tag-targeted group that SSM did not target: not managed, not tagged yet, or gone. They
 * are classified (and the online ones sent to by id) before the command leaves `pending`, so polling
 * goes on for what that sends.
 */
import type { Reachability } from '../../fleet.ts';
import { EC2_ID_CHUNK } from '../discovery.ts';
import { checkReachability, SSM_INFO_CHUNK } from '../reachability.ts';
import { SEND_CHUNK } from './limits.ts';
import { classifyAndSend } from './send.ts';
import type { CollectionState } from './state.ts';
import { checkUnlisted, type UnlistedCheck } from './unlisted.ts';

/**
 * The look-ups of a group's untargeted nodes, asked while its last pages are (read-pages.ts
 * `lastPages`): the nodes not listed yet are those pages' and the untargeted ones, so when they are
 * more than the pages hold, some are untargeted for sure. EC2 (one call for ≤ 200 ids, only when some
 * are not known unmanaged) is asked as soon as ≤ 200 are not listed, and SSM (one call for ≤ 50) as
 * the last page is: EC2 is slower than a page, and the last group of a first scan would otherwise end
 * on it. Same calls as after the pages; wasted only when the read is thrown away (too many still
 * running).
 */
export interface EarlyLookUps {
  check?: { readonly ids: ReadonlySet<string>; readonly result: Promise<UnlistedCheck | undefined> };
  asked?: { readonly ids: ReadonlySet<string>; readonly result: Promise<Map<string, Reachability>> };
}

export interface LastPagesSeen {
  /** Targets of the group the pages have not listed yet. */
  readonly notYetListed: readonly string[];
  /** Invocations the pages still to come hold. */
  readonly remaining: number;
}

/** Starts the look-ups `lookUps` has not started yet, once the last pages make them worthwhile. */
export function lookUpEarly(state: CollectionState, lookUps: EarlyLookUps, seen: LastPagesSeen): void {
  const { notYetListed, remaining } = seen;
  const untargeted = notYetListed.length - remaining;
  if (untargeted <= 0) return;
  if (!lookUps.check && notYetListed.length <= EC2_ID_CHUNK) {
    const result = (async () => {
      const known = (await state.options.knownUnmanaged?.().catch(() => undefined)) ?? new Set<string>();
      const knownHere = notYetListed.filter((id) => known.has(id)).length;
      return untargeted > knownHere ? checkUnlisted(state, notYetListed) : undefined;
    })();
    lookUps.check = { ids: new Set(notYetListed), result };
  }
  if (!lookUps.asked && notYetListed.length <= SSM_INFO_CHUNK) {
    const result = checkReachability(state.ssm, notYetListed);
    result.catch(() => undefined);
    lookUps.asked = { ids: new Set(notYetListed), result };
  }
}

/**
 * Classifies the group's untargeted nodes, using the early look-ups where they covered them all. EC2
 * is asked which of them still run beside SSM's look-up, not after it: a node SSM does not target is
 * nearly always one it does not manage, and the cluster read last would otherwise end on both calls
 * one after the other. The EC2 call is wasted only when every such node turns out managed (and is
 * then sent to by id); with known unmanaged ones there is none.
 */
export async function classifyUntargeted(
  state: CollectionState,
  missing: readonly string[],
  lookUps: EarlyLookUps,
): Promise<void> {
  state.notTargeted += missing.length;
  const covers = (ids: ReadonlySet<string> | undefined) => missing.every((id) => ids?.has(id));
  const early = lookUps.check;
  const check =
    early && covers(early.ids)
      ? early.result.then((c) => c ?? checkUnlisted(state, missing))
      : checkUnlisted(state, missing);
  const asked = covers(lookUps.asked?.ids) ? lookUps.asked?.result : undefined;
  for (let i = 0; i < missing.length; i += SEND_CHUNK) {
    await classifyAndSend(state, missing.slice(i, i + SEND_CHUNK), { check, asked });
  }
}
