/**
 * Sending the collector: one tag-targeted SendCommand per large node group, then the other nodes by id
 * in chunks of ≤ 50.
 *
 * Sending by id is by exception (see discovery.ts): each chunk goes straight to SendCommand. A chunk SSM
 * rejects with InvalidInstanceId sent nothing, so one DescribeInstanceInformation for that chunk
 * classifies its ids (absent → unmanaged or vanished, offline → offline) and the online ones are sent
 * once more. Nothing is ever sent to an unmanaged or offline node. When most chunks are rejected (a
 * cluster whose nodes SSM does not manage), checking first is cheaper (2 calls per chunk against
 * 1 + 2·p for a rejection rate p), so once at least 2 chunks were rejected and more were rejected than
 * accepted, the remaining chunks are checked before they are sent: the cost stays bounded at about one
 * call per 50 nodes.
 */
import { SendCommandCommand, type Target } from '@aws-sdk/client-ssm';
import type { Reachability } from '../../fleet.ts';
import { awsErrorName, errorMessage } from '../errors.ts';
import { checkReachability } from '../reachability.ts';
import { isAccessDenied, splitDenied, withoutDenied } from './access-denied.ts';
import { SEND_CHUNK } from './limits.ts';
import { mapLimit } from './map-limit.ts';
import { notAssessed } from './outcomes.ts';
import { collectorCommandInput } from './send-command-input.ts';
import type { CollectionState } from './state.ts';
import { TARGET_REFUSED, targetsToTry } from './tag-targets.ts';
import type { TagTarget } from './types.ts';
import { classifyUnlisted, type UnlistedCheck } from './unlisted.ts';

/**
 * SendCommand calls in flight. Two already ask for more than SSM's send rate, which every cluster scan
 * of the account shares: more in flight only adds throttled attempts (docs/performance.md).
 */
const SEND_CONCURRENCY = 2;

type Recipients = { InstanceIds: string[] } | { Targets: Target[] };

/** The one SendCommand call of the collection; returns the command's id. */
async function sendCommand(state: CollectionState, to: Recipients): Promise<string> {
  const { options } = state;
  const out = await state.ssm.send(new SendCommandCommand(collectorCommandInput(options, to)));
  const id = out.Command?.CommandId;
  if (!id) throw new Error('SendCommand returned no CommandId');
  state.lastSendMs = options.now().getTime();
  noteExpiry(state, id, out.Command?.ExpiresAfter);
  return id;
}

/**
 * Keeps the command's expiry and says when the scan's deadline comes first: a node whose agent went
 * offline after the offline listing keeps its invocation Pending until the command expires (delivery
 * timeout + execution timeout, not the delivery timeout alone), so it is then answered DEADLINE rather
 * than DeliveryTimedOut.
 */
function noteExpiry(state: CollectionState, commandId: string, expiresAfter: Date | undefined): void {
  if (!expiresAfter) return;
  const { options } = state;
  state.expiresAtMs.set(commandId, expiresAfter.getTime());
  const untilExpiry = expiresAfter.getTime() - options.now().getTime();
  if (untilExpiry > options.remainingMs() && state.expiresAtMs.size === 1) {
    options.log?.('The scan deadline comes before the command expires (delivery + execution timeout)', {
      commandId,
      expiresAfter: expiresAfter.toISOString(),
      remainingMs: options.remainingMs(),
    });
  }
}

function track(state: CollectionState, commandId: string, ids: readonly string[]): void {
  state.commandTargets.set(commandId, ids);
  state.pending.add(commandId);
}

function sendFailed(state: CollectionState, ids: readonly string[], error: unknown): void {
  for (const id of ids) {
    state.outcomes.set(
      id,
      notAssessed(id, 'SEND_FAILED', `SendCommand failed: ${awsErrorName(error)}: ${errorMessage(error)}`),
    );
  }
  state.options.log?.('SendCommand failed', { error: errorMessage(error), instances: ids.length });
}

export interface ClassifyAndSendOptions {
  /** EC2's word on these ids, asked beside SSM's (else the unmanaged ones wait in `state.unlisted`). */
  readonly check?: Promise<UnlistedCheck> | undefined;
  /** SSM's word on these ids, asked already (a failed early look-up is made again). */
  readonly asked?: Promise<Map<string, Reachability>> | undefined;
}

/** Sends to the online ids of `chunk` after one DescribeInstanceInformation; answers the others. */
export async function classifyAndSend(
  state: CollectionState,
  chunk: readonly string[],
  { check, asked }: ClassifyAndSendOptions = {},
): Promise<void> {
  const { ssm } = state;
  const reach = await (asked
    ? asked.catch(() => checkReachability(ssm, chunk))
    : checkReachability(ssm, chunk));
  const online: string[] = [];
  const unmanaged: string[] = [];
  for (const id of chunk) {
    const r = reach.get(id);
    if (r?.reachable) online.push(id);
    else if (r && r.code === 'SSM_UNMANAGED') unmanaged.push(id);
    else
      state.outcomes.set(id, notAssessed(id, r?.code ?? 'SSM_UNKNOWN', r?.reason ?? 'not reachable by SSM'));
  }
  if (check && unmanaged.length > 0) state.classifications.push(classifyUnlisted(state, unmanaged, check));
  else state.unlisted.push(...unmanaged);
  await sendOnline(state, online);
}

/** Sends to ids SSM just listed online; a denied call is split (access-denied.ts), nothing else retried. */
async function sendOnline(state: CollectionState, ids: readonly string[]): Promise<void> {
  const allowed = withoutDenied(state, ids);
  if (allowed.length === 0) return;
  try {
    track(state, await sendCommand(state, { InstanceIds: allowed }), allowed);
  } catch (error) {
    if (isAccessDenied(error)) {
      for (const part of splitDenied(state, allowed)) await sendOnline(state, part);
      return;
    }
    // A second rejection means a node changed state within seconds; answer rather than loop.
    sendFailed(state, allowed, error);
  }
}

// Decided on the answers already in (sends run SEND_CONCURRENCY at a time), so in a cluster SSM does
// not manage at all at most SEND_CONCURRENCY + 1 sends are wasted.
async function sendChunk(state: CollectionState, ids: readonly string[]): Promise<void> {
  // Nodes of an access class IAM denied already are answered, not sent to again.
  const chunk = withoutDenied(state, ids);
  if (chunk.length === 0) return;
  if (state.rejected >= 2 && state.rejected > state.accepted) {
    await classifyAndSend(state, chunk);
    return;
  }
  try {
    track(state, await sendCommand(state, { InstanceIds: [...chunk] }), chunk);
    state.accepted++;
    return;
  } catch (error) {
    if (isAccessDenied(error)) {
      // Denied as a whole by one node's tags: the parts that may be allowed are sent again.
      for (const part of splitDenied(state, chunk)) await sendChunk(state, part);
      return;
    }
    if (awsErrorName(error) !== 'InvalidInstanceId') {
      sendFailed(state, chunk, error);
      return;
    }
  }
  state.rejected++;
  await classifyAndSend(state, chunk);
}

/**
 * Whole node groups first, one tag-targeted command each (AWS recommends Targets over InstanceIds past
 * 50 nodes: one call instead of one per 50, and no SendCommand queue behind SSM's rate limit). Returns
 * the ids the tag commands cover; a group whose tag command fails goes by id like the rest.
 */
async function sendTagTargets(state: CollectionState): Promise<Set<string>> {
  const tagged = new Set<string>();
  for (const target of state.options.tagTargets ?? []) {
    if (target.instanceIds.length === 0) continue;
    const commandId = await sendToGroup(state, target);
    if (commandId === undefined) continue;
    track(state, commandId, target.instanceIds);
    state.tagCommands.set(commandId, { target });
    for (const id of target.instanceIds) tagged.add(id);
  }
  return tagged;
}

/** One tag-targeted command for the group, by its tag or (refused) by the tag's values; undefined = by id. */
async function sendToGroup(state: CollectionState, target: TagTarget): Promise<string | undefined> {
  const attempts = targetsToTry(target);
  for (const [index, targets] of attempts.entries()) {
    try {
      return await sendCommand(state, { Targets: targets });
    } catch (error) {
      const refused = TARGET_REFUSED.has(awsErrorName(error)) && index + 1 < attempts.length;
      state.options.log?.(
        refused
          ? 'Tag-targeted SendCommand refused; trying the tag values instead'
          : 'Tag-targeted SendCommand failed; sending to the group by instance id',
        { tag: `${targets[0]?.Key}=${targets[0]?.Values?.join('|')}`, error: errorMessage(error) },
      );
      if (!refused) return undefined;
    }
  }
  return undefined;
}

/** Sends the collector to every node of the scan: by tag where given, the rest by id. */
export async function sendAll(state: CollectionState): Promise<void> {
  const tagged = await sendTagTargets(state);
  const byId = state.instanceIds.filter((id) => !tagged.has(id));
  // Nodes are sent in the caller's order (sorted by instance role and node group, scan-cluster/triage.ts), so
  // a node group SSM does not manage fills its own chunks; the rejection rule above keeps the cost of
  // the chunks it still spoils bounded.
  const chunks: string[][] = [];
  for (let i = 0; i < byId.length; i += SEND_CHUNK) chunks.push(byId.slice(i, i + SEND_CHUNK));
  await mapLimit(chunks, SEND_CONCURRENCY, (chunk) => sendChunk(state, chunk));
}
