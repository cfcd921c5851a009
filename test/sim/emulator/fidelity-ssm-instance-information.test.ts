/**
 * What SSM refuses in DescribeInstanceInformation, the emulator refuses: each modelled rule stated
 * once through the real SDK client, with its source, and the scanner's look-ups shown to cope.
 */
import {
  DescribeInstanceInformationCommand,
  type DescribeInstanceInformationCommandInput,
  InvalidInstanceId,
  InvalidInstanceInformationFilterValue,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  checkReachability,
  describeOfflineInstances,
  OFFLINE_PING_STATUSES,
} from '../../../functions/aws/reachability.ts';
import { SAMPLE_IDS, sampleFleet } from '../fleet.ts';
import { type Emulator, startEmulator } from './index.ts';
import { fakeCollectorScript, sdkClients } from './test-support.ts';

let emulator: Emulator;
let ssm: SSMClient;

beforeAll(async () => {
  emulator = await startEmulator({
    fleet: sampleFleet(),
    rateLimits: false,
    collector: { scriptPath: fakeCollectorScript() },
  });
  ({ ssm } = sdkClients(emulator.endpoint));
});
afterAll(() => emulator.stop());
beforeEach(() => {
  emulator.faults.clear();
  emulator.resetCalls();
});

const describeWith = (input: DescribeInstanceInformationCommandInput) =>
  ssm.send(new DescribeInstanceInformationCommand(input));
const managedOnline = () =>
  emulator.fleet.order
    .filter((n) => emulator.fleet.isSsmManaged(n) && n.ssm === 'online')
    .map((n) => n.instanceId);

describe('one value for ResourceType and for PingStatus', () => {
  it('refuses a second ResourceType value: "ResourceType filter may contain only one value." (boto/boto3#3027)', async () => {
    await expect(
      describeWith({ Filters: [{ Key: 'ResourceType', Values: ['EC2Instance', 'ManagedInstance'] }] }),
    ).rejects.toMatchObject({
      name: 'InvalidInstanceInformationFilterValue',
      message: 'ResourceType filter may contain only one value.',
    });
  });

  it('refuses a second PingStatus value too: undocumented, the stricter reading of boto3#3027', async () => {
    await expect(
      describeWith({ Filters: [{ Key: 'PingStatus', Values: ['ConnectionLost', 'Inactive'] }] }),
    ).rejects.toBeInstanceOf(InvalidInstanceInformationFilterValue);
    // The scanner's offline listing asks one PingStatus a listing, side by side, and finds the offline node.
    emulator.resetCalls();
    const offline = await describeOfflineInstances(ssm);
    expect(offline.map((o) => o.instanceId)).toContain(SAMPLE_IDS.offline);
    expect(emulator.calls['ssm:DescribeInstanceInformation']).toBe(OFFLINE_PING_STATUSES.length);
  });
});

describe('an id list naming an instance SSM does not manage: InvalidInstanceId', () => {
  // Source: the DescribeInstanceInformation doc in the SSM API model (botocore ssm service-2.json):
  // "If you specify a node ID that isn't valid or a node that you don't own, you receive an error";
  // the InvalidInstanceId shape lists "SSM Agent isn't registered with the SSM endpoint" among its
  // causes. Whether the Filters form rejects rather than omits is not documented: it rejects here.
  it('rejects in the Filters form and in the legacy InstanceInformationFilterList form', async () => {
    const ids = [SAMPLE_IDS.windows, SAMPLE_IDS.unmanaged];
    await expect(describeWith({ Filters: [{ Key: 'InstanceIds', Values: ids }] })).rejects.toBeInstanceOf(
      InvalidInstanceId,
    );
    await expect(
      describeWith({ InstanceInformationFilterList: [{ key: 'InstanceIds', valueSet: ids }] }),
    ).rejects.toBeInstanceOf(InvalidInstanceId);
  });

  it('lists managed ids, offline ones included (ConnectionLost is a listed state, not an invalid one)', async () => {
    const out = await describeWith({
      Filters: [{ Key: 'InstanceIds', Values: [SAMPLE_IDS.windows, SAMPLE_IDS.offline] }],
    });
    expect(out.InstanceInformationList?.map((i) => i.PingStatus).sort()).toEqual([
      'ConnectionLost',
      'Online',
    ]);
  });

  it('rejects a terminated instance: not a valid state (InvalidInstanceId doc: Shutting-down, Terminated)', async () => {
    const gone = managedOnline().at(-1)!;
    emulator.fleet.terminate(gone);
    await expect(describeWith({ Filters: [{ Key: 'InstanceIds', Values: [gone] }] })).rejects.toBeInstanceOf(
      InvalidInstanceId,
    );
  });
});

describe("the scanner's reachability look-up copes", () => {
  const ids = () => [...managedOnline().slice(0, 10), SAMPLE_IDS.unmanaged, SAMPLE_IDS.offline];

  it('asks again without the ids the rejection names: 2 calls, every id classified', async () => {
    const reach = await checkReachability(ssm, ids());
    expect(emulator.calls['ssm:DescribeInstanceInformation']).toBe(2);
    expect(reach.get(SAMPLE_IDS.unmanaged)).toMatchObject({ reachable: false, code: 'SSM_UNMANAGED' });
    expect(reach.get(SAMPLE_IDS.offline)).toMatchObject({ reachable: false, code: 'SSM_OFFLINE' });
    for (const id of managedOnline().slice(0, 10)) expect(reach.get(id)?.reachable).toBe(true);
  });

  it('bisects when the rejection names no ids (unverified wording): same answers, more calls', async () => {
    emulator.faults.invalidInstanceIdsUnnamed = true;
    const reach = await checkReachability(ssm, ids());
    expect(reach.get(SAMPLE_IDS.unmanaged)).toMatchObject({ reachable: false, code: 'SSM_UNMANAGED' });
    expect(reach.get(SAMPLE_IDS.offline)).toMatchObject({ reachable: false, code: 'SSM_OFFLINE' });
    for (const id of managedOnline().slice(0, 10)) expect(reach.get(id)?.reachable).toBe(true);
    // 12 ids, one unmanaged: halves down to it, 2·⌈log2 12⌉ + 1 calls at most.
    const calls = emulator.calls['ssm:DescribeInstanceInformation'] ?? 0;
    expect(calls).toBeGreaterThan(2);
    expect(calls).toBeLessThanOrEqual(9);
  });
});
