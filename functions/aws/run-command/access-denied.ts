/**
 * SendCommand by instance id under the stack's tag-conditioned policy (functions/aws/send-command-policy.ts).
 *
 * IAM authorises a SendCommand once per instance it names, and one instance no statement allows denies
 * the whole call (AccessDeniedException; nothing is sent). Whether a statement allows a node depends
 * only on its cluster tags (the conditions are on `ssm:resourceTag/<key>` with the cluster as value or
 * any value), so nodes with the same set of cluster tags (the caller's `accessClass`) are allowed or
 * denied together. A denied chunk is therefore split by access class: a class alone in a denied call
 * is denied for every node of it, and later chunks leave its nodes out without asking again. Without
 * classes, a denied chunk is halved until the denied ids stand alone (≤ 2·log2(50) extra calls for one).
 */
import { awsErrorName } from '../errors.ts';
import { notAssessed } from './outcomes.ts';
import type { CollectionState } from './state.ts';

/** The code a tag-targeted invocation ending AccessDenied gets too (outcomes.ts: SSM_ + its StatusDetails). */
export const ACCESS_DENIED_CODE = 'SSM_ACCESSDENIED';

export function isAccessDenied(error: unknown): boolean {
  const name = awsErrorName(error);
  return name === 'AccessDeniedException' || name === 'AccessDenied';
}

function deniedReason(accessClass: string | undefined): string {
  const tags = accessClass ? ` (its cluster tags: ${accessClass})` : '';
  return (
    `the scanner's role may not send commands to this node${tags}: no ssm:SendCommand statement's ` +
    'ssm:resourceTag condition allows it. A node tagged only kubernetes.io/cluster/<name> (self-managed) ' +
    'is allowed only when its cluster is in the allow-list (KUBELET_AUDIT_CLUSTERS)'
  );
}

function classOf(state: CollectionState, id: string): string | undefined {
  return state.options.accessClass?.(id);
}

/** Answers the ids whose access class a call was already denied for; returns the others. */
export function withoutDenied(state: CollectionState, ids: readonly string[]): string[] {
  const out: string[] = [];
  for (const id of ids) {
    const c = classOf(state, id);
    if (c !== undefined && state.deniedClasses.has(c)) answerDenied(state, id, c);
    else out.push(id);
  }
  return out;
}

function answerDenied(state: CollectionState, id: string, accessClass: string | undefined): void {
  state.outcomes.set(
    id,
    notAssessed(id, ACCESS_DENIED_CODE, deniedReason(accessClass), undefined, {
      ssmError: 'AccessDeniedException',
    }),
  );
}

/**
 * The parts to send again after `ids` were denied together, answering the ids that are denied for
 * sure: a single id, or a chunk of one access class.
 */
export function splitDenied(state: CollectionState, ids: readonly string[]): string[][] {
  const byClass = new Map<string | undefined, string[]>();
  for (const id of ids) {
    const c = classOf(state, id);
    byClass.set(c, [...(byClass.get(c) ?? []), id]);
  }
  const known = [...byClass.keys()].filter((c): c is string => c !== undefined);
  if (ids.length === 1 || (byClass.size === 1 && known.length === 1)) {
    const c = classOf(state, ids[0]!);
    if (c !== undefined) state.deniedClasses.add(c);
    for (const id of ids) answerDenied(state, id, c);
    state.options.log?.('SendCommand denied by IAM; nodes answered NOT_AVAILABLE', {
      instances: ids.length,
      ...(c !== undefined ? { accessClass: c } : {}),
    });
    return [];
  }
  const parts = known.map((c) => byClass.get(c)!);
  const unclassed = byClass.get(undefined) ?? [];
  if (unclassed.length > 0) {
    const half = Math.ceil(unclassed.length / 2);
    parts.push(...[unclassed.slice(0, half), unclassed.slice(half)].filter((p) => p.length > 0));
  }
  return parts;
}
