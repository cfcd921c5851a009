/**
 * Amazon EC2 DescribeInstances (query protocol in, XML out) over the fleet, with the filters the
 * scanner uses answered from the fleet's tag index, paging by instances (MaxResults 5..1000), and
 * EKS Auto Mode instances hidden unless IncludeManagedResources=true (EC2 API reference, DescribeInstances).
 *
 * Refused as EC2 refuses it: more than 200 filter values in one call (FilterLimitExceeded, counted
 * over all the call's filters; see EC2_FILTER_VALUE_LIMIT). EC2 may answer a page with fewer
 * instances than MaxResults and a NextToken while more remain (it filters after paging): the
 * `shortPages` fault makes that happen on demand.
 */
import type { Fleet, SimNode } from '../fleet.ts';
import type { Faults } from './faults.ts';
import {
  AwsError,
  decodeToken,
  encodeToken,
  type QueryFilter,
  queryFilters,
  queryList,
  xmlLeaf,
} from './protocols.ts';
import type { Service, ServiceRequest, ServiceResult } from './service.ts';

const STATE_CODES = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
} as const;
const INSTANCE_ID = /^i-([0-9a-f]{8}|[0-9a-f]{17})$/;
/**
 * Filter values one DescribeInstances call may carry. The wording of the error ("The maximum number
 * of filter values specified on a single call is 200", gjbae1212/gossm#31 and #47, convox/rack#2205:
 * both hit it with one long instance-id list) speaks of the call, not of one filter, so the emulator
 * counts the values of every filter together: the stricter reading, as AWS documents neither.
 */
export const EC2_FILTER_VALUE_LIMIT = 200;
const SUPPORTED_FILTERS = new Set([
  'instance-state-name',
  'tag-key',
  'instance-id',
  'vpc-id',
  'private-dns-name',
]);

export function createEc2(fleet: Fleet, faults?: Faults): Service {
  return {
    name: 'ec2',
    protocol: 'ec2Query',
    operations: new Set(['DescribeInstances']),
    handle: (request) => describeInstances(fleet, request, faults),
  };
}

function describeInstances(fleet: Fleet, { query }: ServiceRequest, faults?: Faults): ServiceResult {
  const instanceIds = queryList(query, 'InstanceId');
  const filters = queryFilters(query);
  const maxResults = query.has('MaxResults') ? Number(query.get('MaxResults')) : undefined;
  const includeManaged = query.get('IncludeManagedResources') === 'true';
  if (maxResults !== undefined && instanceIds.length > 0) {
    throw new AwsError(
      'InvalidParameterCombination',
      'The parameter instancesSet cannot be used with the parameter maxResults',
    );
  }
  if (maxResults !== undefined && (!Number.isInteger(maxResults) || maxResults < 5 || maxResults > 1000)) {
    throw new AwsError(
      'InvalidParameterValue',
      `Value ( ${query.get('MaxResults')} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.`,
    );
  }
  const values = filters.reduce((sum, f) => sum + f.values.length, 0);
  if (values > EC2_FILTER_VALUE_LIMIT) {
    throw new AwsError(
      'FilterLimitExceeded',
      `The maximum number of filter values specified on a single call is ${EC2_FILTER_VALUE_LIMIT}`,
    );
  }
  for (const filter of filters) {
    if (!SUPPORTED_FILTERS.has(filter.name) && !filter.name.startsWith('tag:')) {
      throw new AwsError('InvalidParameterValue', `The filter '${filter.name}' is invalid`);
    }
  }
  for (const id of instanceIds) {
    if (!INSTANCE_ID.test(id)) throw new AwsError('InvalidInstanceID.Malformed', `Invalid id: "${id}"`);
  }
  const missing = instanceIds.filter((id) => !fleet.get(id));
  if (missing.length > 0) {
    throw new AwsError(
      'InvalidInstanceID.NotFound',
      `The instance ID${missing.length > 1 ? 's' : ''} '${missing.join(', ')}' ${missing.length > 1 ? 'do' : 'does'} not exist`,
    );
  }

  const matched = candidates(fleet, instanceIds, filters)
    .filter((node) => (includeManaged || !node.managedBy) && filters.every((f) => matches(node, f)))
    .sort((a, b) => (a.reservationId < b.reservationId ? -1 : 1));
  const scope = `ec2:${query.toString().replace(/&?(NextToken|MaxResults)=[^&]*/g, '')}`;
  const offset = decodeToken(query.get('NextToken') ?? undefined, scope, 'InvalidParameterValue');
  let size = maxResults ?? matched.length;
  // A short page: at most half of what was asked for, and a token, while more remain.
  const remaining = matched.length - offset;
  if (remaining > 1 && faults?.takeShortPage('ec2:DescribeInstances'))
    size = Math.max(1, Math.min(Math.ceil(size / 2), remaining - 1));
  const page = matched.slice(offset, offset + size);
  const next = offset + size < matched.length ? encodeToken(scope, offset + size) : undefined;
  const reservations = page.map((node) => reservationXml(fleet, node)).join('');
  return {
    xml: `<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>${crypto.randomUUID()}</requestId><reservationSet>${reservations}</reservationSet>${xmlLeaf('nextToken', next)}</DescribeInstancesResponse>`,
  };
}

/** Narrow with an index before filtering: ids, then a tag filter, else the whole fleet. */
function candidates(fleet: Fleet, instanceIds: string[], filters: QueryFilter[]): SimNode[] {
  const byId = instanceIds.length > 0 ? instanceIds : filters.find((f) => f.name === 'instance-id')?.values;
  if (byId) return [...new Set(byId)].map((id) => fleet.get(id)).filter((n): n is SimNode => n !== undefined);
  const tagFilter = filters.find((f) => f.name.startsWith('tag:') && !f.values.some(hasWildcard));
  if (tagFilter) {
    const key = tagFilter.name.slice(4);
    const ids = new Set<string>();
    for (const value of tagFilter.values) for (const id of fleet.idsWithTag(key, value)) ids.add(id);
    return [...ids].map((id) => fleet.get(id)!);
  }
  const tagKey = filters.find((f) => f.name === 'tag-key' && !f.values.some(hasWildcard));
  if (tagKey) {
    const ids = new Set<string>();
    for (const key of tagKey.values) for (const id of fleet.idsWithTag(key)) ids.add(id);
    return [...ids].map((id) => fleet.get(id)!);
  }
  return [...fleet.nodes.values()];
}

function hasWildcard(value: string): boolean {
  return value.includes('*') || value.includes('?');
}

/** EC2 filter values allow `*` and `?` wildcards; values of one filter are ORed. */
function valueMatches(pattern: string, value: string | undefined): boolean {
  if (value === undefined) return false;
  if (!hasWildcard(pattern)) return pattern === value;
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    's',
  );
  return re.test(value);
}

function matches(node: SimNode, filter: QueryFilter): boolean {
  const any = (value: string | undefined) => filter.values.some((p) => valueMatches(p, value));
  switch (filter.name) {
    case 'instance-state-name':
      return any(node.state);
    case 'instance-id':
      return any(node.instanceId);
    case 'vpc-id':
      return any(node.vpcId);
    case 'private-dns-name':
      return any(node.privateDnsName);
    case 'tag-key':
      return Object.keys(node.tags).some((key) => any(key));
    default:
      return any(node.tags[filter.name.slice(4)]);
  }
}

function reservationXml(fleet: Fleet, node: SimNode): string {
  const running = node.state !== 'terminated';
  const tags = Object.entries(node.tags)
    .map(([key, value]) => `<item>${xmlLeaf('key', key)}${xmlLeaf('value', value)}</item>`)
    .join('');
  const instance = [
    xmlLeaf('instanceId', node.instanceId),
    xmlLeaf('imageId', node.imageId),
    `<instanceState>${xmlLeaf('code', STATE_CODES[node.state])}${xmlLeaf('name', node.state)}</instanceState>`,
    xmlLeaf('privateDnsName', running ? node.privateDnsName : ''),
    xmlLeaf('dnsName', ''),
    xmlLeaf('instanceType', node.instanceType),
    xmlLeaf('launchTime', new Date(node.launchTimeMs).toISOString()),
    `<placement>${xmlLeaf('availabilityZone', `${fleet.region}a`)}${xmlLeaf('tenancy', 'default')}</placement>`,
    node.os === 'windows' ? xmlLeaf('platform', 'windows') : '',
    `<monitoring>${xmlLeaf('state', 'disabled')}</monitoring>`,
    running ? xmlLeaf('subnetId', node.subnetId) : '',
    running ? xmlLeaf('vpcId', node.vpcId) : '',
    running ? xmlLeaf('privateIpAddress', node.privateIpAddress) : '',
    xmlLeaf('architecture', node.architecture),
    xmlLeaf('rootDeviceType', 'ebs'),
    `<iamInstanceProfile>${xmlLeaf('arn', node.iamInstanceProfileArn)}${xmlLeaf('id', 'AIPAEXAMPLE0000000001')}</iamInstanceProfile>`,
    `<tagSet>${tags}</tagSet>`,
    xmlLeaf('platformDetails', node.os === 'windows' ? 'Windows' : 'Linux/UNIX'),
    node.managedBy
      ? `<operator>${xmlLeaf('managed', true)}${xmlLeaf('principal', node.managedBy)}</operator>`
      : `<operator>${xmlLeaf('managed', false)}</operator>`,
  ].join('');
  return `<item>${xmlLeaf('reservationId', node.reservationId)}${xmlLeaf('ownerId', node.ownerId)}<groupSet/><instancesSet><item>${instance}</item></instancesSet></item>`;
}
