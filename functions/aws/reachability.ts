/**
 * Which nodes SSM can reach, checked by exception rather than node by node:
 * - DescribeInstanceInformation pages hold at most 50 instances (MaxResults 5..50 in the SSM API
 *   model), so a per-id pre-check costs 20 calls per 1,000 nodes even when every node is healthy.
 * - Instead, two paged listings side by side (normally one page each) name the account's managed
 *   EC2 instances that are NOT online: one for PingStatus ConnectionLost, one for Inactive. One
 *   listing with both values would do, but SSM refuses a second ResourceType value
 *   (InvalidInstanceInformationFilterValue, boto/boto3#3027) and documents nothing for PingStatus, so
 *   each filter carries one value. The listing is account-wide, so a fan-out lists it once and
 *   passes it in every cluster's event; a scan started without it lists it itself. Candidates in
 *   that set are answered NOT_AVAILABLE and never sent to.
 * - Everything else is sent to directly (run-command/send.ts). SendCommand fails the whole call with
 *   InvalidInstanceId when one id is unmanaged or gone (SSM API reference, SendCommand), and a
 *   rejected call sends nothing; only then does DescribeInstanceInformation for that chunk (≤ 50 ids =
 *   one page) classify each id, and the online ones are sent again. A node whose agent went offline
 *   after the listing is accepted: its invocation ends DeliveryTimedOut or Undeliverable
 *   (run-command/outcomes.ts). Healthy fleet: 2 listings; a chunk that holds an unmanaged node: +1
 *   SendCommand and the look-ups below.
 * - DescribeInstanceInformation itself rejects an id list that names an instance SSM does not manage
 *   (InvalidInstanceId: "If you specify a node ID that isn't valid or a node that you don't own, you
 *   receive an error", botocore ssm service-2.json, DescribeInstanceInformation). A rejected look-up
 *   is asked again without the ids the rejection names, or else split in halves down to single ids
 *   (describeChunk): an id rejected alone is one SSM does not manage. Should SSM merely omit such ids,
 *   the first call answers and none of this runs.
 */
import {
  type InstanceInformation,
  type PingStatus,
  paginateDescribeInstanceInformation,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import type { Reachability } from '../fleet.ts';

export const UNMANAGED_REASON =
  'not managed by SSM (node role lacks AmazonSSMManagedInstanceCore and no Default Host Management Configuration)';

export function reachabilityOf(info: InstanceInformation | undefined): Reachability {
  if (!info) return { reachable: false, code: 'SSM_UNMANAGED', reason: UNMANAGED_REASON };
  if (info.PingStatus === 'Online') {
    return { reachable: true, ...(info.PlatformType ? { platformType: info.PlatformType } : {}) };
  }
  const since = info.LastPingDateTime ? new Date(info.LastPingDateTime).toISOString() : 'an unknown time';
  if (info.PingStatus === 'ConnectionLost') {
    return {
      reachable: false,
      code: 'SSM_OFFLINE',
      reason: `SSM agent offline (ConnectionLost) since ${since}`,
    };
  }
  return {
    reachable: false,
    code: 'SSM_INACTIVE',
    reason: `SSM agent ${info.PingStatus ?? 'status unknown'} (last ping ${since})`,
  };
}

/** SSM DescribeInstanceInformation caps MaxResults at 50, so 50 ids per call is one page. */
export const SSM_INFO_CHUNK = 50;

/** A managed EC2 instance whose SSM agent is not online, as DescribeInstanceInformation lists it. */
export interface OfflineInstance {
  readonly instanceId: string;
  readonly pingStatus?: PingStatus;
  readonly lastPingAt?: Date;
}

/** The PingStatus values of an agent that is not online, one listing each (see above). */
export const OFFLINE_PING_STATUSES = ['ConnectionLost', 'Inactive'] as const satisfies readonly PingStatus[];

async function describeByPingStatus(ssm: SSMClient, status: PingStatus): Promise<OfflineInstance[]> {
  const out: OfflineInstance[] = [];
  const pages = paginateDescribeInstanceInformation(
    { client: ssm, pageSize: SSM_INFO_CHUNK },
    {
      Filters: [
        { Key: 'PingStatus', Values: [status] },
        { Key: 'ResourceType', Values: ['EC2Instance'] },
      ],
    },
  );
  for await (const page of pages) {
    for (const info of page.InstanceInformationList ?? []) {
      // The filter is the server's; the classification stays ours, so an Online row (should SSM ever
      // return one) is not mistaken for an offline node.
      if (!info.InstanceId || reachabilityOf(info).reachable) continue;
      out.push({
        instanceId: info.InstanceId,
        ...(info.PingStatus ? { pingStatus: info.PingStatus } : {}),
        ...(info.LastPingDateTime ? { lastPingAt: new Date(info.LastPingDateTime) } : {}),
      });
    }
  }
  return out;
}

/**
 * The account's managed EC2 instances whose agent is not online: one listing per PingStatus value,
 * side by side (normally one page each). The listing is account-wide, so a fan-out lists it once and
 * hands it to every cluster scan (fan-out.ts).
 */
export async function describeOfflineInstances(ssm: SSMClient): Promise<OfflineInstance[]> {
  const lists = await Promise.all(OFFLINE_PING_STATUSES.map((status) => describeByPingStatus(ssm, status)));
  return lists.flat();
}

/** Offline instances by id, with the reason a node among them is not assessed. */
export function offlineReachability(instances: readonly OfflineInstance[]): Map<string, Reachability> {
  const out = new Map<string, Reachability>();
  for (const i of instances) {
    // Through reachabilityOf, so a listing passed along in an event gives the very same code and reason.
    const reach = reachabilityOf({
      InstanceId: i.instanceId,
      ...(i.pingStatus ? { PingStatus: i.pingStatus } : {}),
      ...(i.lastPingAt ? { LastPingDateTime: i.lastPingAt } : {}),
    });
    if (!reach.reachable) out.set(i.instanceId, reach);
  }
  return out;
}

/** The account's managed EC2 instances whose agent is not online, by id (normally one page). */
export async function listOfflineInstances(ssm: SSMClient): Promise<Map<string, Reachability>> {
  return offlineReachability(await describeOfflineInstances(ssm));
}

/** Instance ids an InvalidInstanceId message names (SendCommand's reads "Instances [[i-…]] not in a valid state"). */
const NAMED_ID = /\b(?:i-[0-9a-f]{8}(?:[0-9a-f]{9})?|mi-[0-9a-f]{17})\b/g;

/** The ids of `chunk` the rejection names, when it names only ids of the chunk; else none. */
function rejectedIds(error: unknown, chunk: readonly string[]): Set<string> {
  const named = new Set(String((error as { message?: string }).message ?? '').match(NAMED_ID) ?? []);
  const inChunk = new Set(chunk);
  return named.size > 0 && [...named].every((id) => inChunk.has(id)) ? named : new Set();
}

/**
 * What SSM knows of the ids of one chunk; ids it does not manage are absent from the answer. SSM
 * rejects the whole call over one such id (InvalidInstanceId, see above). When the rejection names
 * the ids, as SendCommand's does, they are left out and the rest asked again (one more call);
 * otherwise the chunk is split in halves asked side by side: one unmanaged id among 50 then costs
 * 2·log2(50) ≈ 12 more calls, and the managed nodes are still answered.
 */
async function describeChunk(ssm: SSMClient, chunk: readonly string[]): Promise<InstanceInformation[]> {
  try {
    const infos: InstanceInformation[] = [];
    const pages = paginateDescribeInstanceInformation(
      { client: ssm, pageSize: SSM_INFO_CHUNK },
      { Filters: [{ Key: 'InstanceIds', Values: [...chunk] }] },
    );
    for await (const page of pages) infos.push(...(page.InstanceInformationList ?? []));
    return infos;
  } catch (error) {
    if ((error as { name?: string }).name !== 'InvalidInstanceId') throw error;
    if (chunk.length === 1) return [];
    const named = rejectedIds(error, chunk);
    if (named.size > 0) {
      const rest = chunk.filter((id) => !named.has(id));
      return rest.length > 0 ? describeChunk(ssm, rest) : [];
    }
    const half = Math.ceil(chunk.length / 2);
    const halves = await Promise.all([
      describeChunk(ssm, chunk.slice(0, half)),
      describeChunk(ssm, chunk.slice(half)),
    ]);
    return halves.flat();
  }
}

/** Classifies each id (online, offline, unmanaged): one call per 50 ids. */
export async function checkReachability(
  ssm: SSMClient,
  instanceIds: readonly string[],
): Promise<Map<string, Reachability>> {
  const infos = new Map<string, InstanceInformation>();
  for (let i = 0; i < instanceIds.length; i += SSM_INFO_CHUNK) {
    for (const info of await describeChunk(ssm, instanceIds.slice(i, i + SSM_INFO_CHUNK))) {
      if (info.InstanceId) infos.set(info.InstanceId, info);
    }
  }
  return new Map(instanceIds.map((id) => [id, reachabilityOf(infos.get(id))]));
}
