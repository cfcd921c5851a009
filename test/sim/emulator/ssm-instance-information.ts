/** SSM DescribeInstanceInformation: SSM-managed, running nodes, filtered and paged (facts A8). */
import type { SimNode } from '../fleet.ts';
import { AwsError, decodeToken, encodeToken } from './protocols.ts';
import type { ServiceResult } from './service.ts';
import type { SsmDeps } from './ssm-deps.ts';
import { intInRange, seconds, validation } from './ssm-validation.ts';

const INFO_FILTER_KEYS = new Set(['InstanceIds', 'PingStatus', 'PlatformTypes', 'ResourceType']);

export function describeInstanceInformation(deps: SsmDeps, input: Record<string, unknown>): ServiceResult {
  const { fleet } = deps;
  const maxResults = intInRange(input, 'MaxResults', 'maxResults', 5, 50, 10);
  if (input.InstanceInformationFilterList !== undefined && input.Filters !== undefined) {
    throw new AwsError(
      'InvalidFilterKey',
      'InstanceInformationFilterList and Filters cannot be used together',
    );
  }
  const filters = new Map<string, Set<string>>();
  for (const raw of (input.Filters as { Key?: string; Values?: string[] }[] | undefined) ?? []) {
    if (!raw.Key || !INFO_FILTER_KEYS.has(raw.Key))
      throw new AwsError(
        'InvalidFilterKey',
        `The filter key ${raw.Key} is not valid (emulated keys: ${[...INFO_FILTER_KEYS].join(', ')})`,
      );
    const values = raw.Values ?? [];
    if (values.length < 1 || values.length > 100)
      throw validation(
        'filters.member.values',
        `[${values.length} values]`,
        'Member must have length between 1 and 100',
      );
    filters.set(raw.Key, new Set(values));
  }
  const matches = (node: SimNode) => {
    if (!fleet.isSsmManaged(node)) return false;
    const ping = node.ssm === 'online' ? 'Online' : 'ConnectionLost';
    const platform = node.os === 'windows' ? 'Windows' : 'Linux';
    return (
      (!filters.has('PingStatus') || filters.get('PingStatus')!.has(ping)) &&
      (!filters.has('PlatformTypes') || filters.get('PlatformTypes')!.has(platform)) &&
      (!filters.has('ResourceType') || filters.get('ResourceType')!.has('EC2Instance'))
    );
  };
  const scope = `ssm:dii:${JSON.stringify(input.Filters ?? null)}`;
  const start = decodeToken(input.NextToken, scope, 'InvalidNextToken');
  const ids = filters.get('InstanceIds');
  const source: SimNode[] = ids
    ? [...ids].map((id) => fleet.get(id)).filter((n): n is SimNode => n !== undefined)
    : fleet.order;
  // Walk from the token's position: O(page), not O(fleet), per call.
  const page: SimNode[] = [];
  let position = start;
  for (; position < source.length && page.length < maxResults; position++) {
    if (matches(source[position]!)) page.push(source[position]!);
  }
  let more = false;
  for (let p = position; p < source.length; p++)
    if (matches(source[p]!)) {
      more = true;
      break;
    }
  return {
    json: {
      InstanceInformationList: page.map((node) => instanceInformation(deps, node)),
      ...(more ? { NextToken: encodeToken(scope, position) } : {}),
    },
  };
}

function instanceInformation(deps: SsmDeps, node: SimNode) {
  const { store } = deps;
  const names: Record<SimNode['os'], [string, string]> = {
    al2: ['Amazon Linux', '2'],
    al2023: ['Amazon Linux', '2023'],
    bottlerocket: ['Bottlerocket', '1.26.1'],
    windows: ['Microsoft Windows Server 2022 Datacenter', '10.0.20348'],
  };
  const [platformName, platformVersion] = names[node.os];
  return {
    InstanceId: node.instanceId,
    PingStatus: node.ssm === 'online' ? 'Online' : 'ConnectionLost',
    LastPingDateTime: seconds(node.ssm === 'online' ? store.now() : node.launchTimeMs + 3_600_000),
    AgentVersion: '3.3.1611.0',
    IsLatestVersion: false,
    PlatformType: node.os === 'windows' ? 'Windows' : 'Linux',
    PlatformName: platformName,
    PlatformVersion: platformVersion,
    ResourceType: 'EC2Instance',
    IPAddress: node.privateIpAddress,
    ComputerName: node.privateDnsName,
    SourceId: node.instanceId,
    SourceType: 'AWS::EC2::Instance',
  };
}
