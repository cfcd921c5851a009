/**
 * What the emulator enforces of SSM Run Command, each limit and error stated once through the real SDK
 * v3 client, with its source (FIDELITY.md lists them with what remains unverified).
 */
import {
  type CommandInvocation,
  GetCommandInvocationCommand,
  ListCommandInvocationsCommand,
  SendCommandCommand,
  type SendCommandCommandInput,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { sendCommandTagConditions } from '../../../functions/aws/send-command-policy.ts';
import { SAMPLE_IDS, sampleFleet } from '../fleet.ts';
import {
  createCollectorRunner,
  DEFAULT_DOCUMENT,
  type Emulator,
  type EmulatorOptions,
  fixed,
  startEmulator,
} from './index.ts';
import { gatedWaves, rampSchedule } from './rate-control.ts';
import { fakeCollectorScript, sdkClients } from './test-support.ts';

const collector = createCollectorRunner({ scriptPath: fakeCollectorScript() });
let emulator: Emulator | undefined;
let ssm: SSMClient;

async function start(options: EmulatorOptions = {}): Promise<Emulator> {
  emulator = await startEmulator({
    fleet: sampleFleet(),
    rateLimits: false,
    collector,
    pickupDelay: fixed(100),
    executionTime: fixed(200),
    ...options,
  });
  ({ ssm } = sdkClients(emulator.endpoint));
  return emulator;
}
afterEach(async () => {
  await emulator?.stop();
  emulator = undefined;
});
afterAll(() => collector.close());

const send = (input: Partial<SendCommandCommandInput>) =>
  ssm.send(
    new SendCommandCommand({
      DocumentName: DEFAULT_DOCUMENT.name,
      MaxErrors: '100%',
      TimeoutSeconds: 30,
      ...input,
    }),
  );

function nodesOf(e: Emulator, cluster: string, group: string): string[] {
  return [...e.fleet.nodes.values()]
    .filter((n) => n.cluster === cluster && n.group === group && n.ssm === 'online')
    .map((n) => n.instanceId);
}

async function invocations(commandId: string): Promise<CommandInvocation[]> {
  const out = await ssm.send(new ListCommandInvocationsCommand({ CommandId: commandId, Details: true }));
  return out.CommandInvocations ?? [];
}

describe('SendCommand request limits (SSM API reference, SendCommand)', () => {
  it('InstanceIds ≤ 50, Targets ≤ 5 keys of ≤ 50 values, TimeoutSeconds 30..2592000, rate-control patterns', async () => {
    await start();
    const ids = Array.from({ length: 51 }, (_, i) => `i-${String(i).padStart(17, '0')}`);
    await expect(send({ InstanceIds: ids })).rejects.toMatchObject({ name: 'ValidationException' });
    const six = Array.from({ length: 6 }, (_, i) => ({ Key: `tag:k${i}`, Values: ['v'] }));
    await expect(send({ Targets: six })).rejects.toMatchObject({ name: 'ValidationException' });
    const values = Array.from({ length: 51 }, (_, i) => `v${i}`);
    await expect(send({ Targets: [{ Key: 'tag:k', Values: values }] })).rejects.toMatchObject({
      name: 'ValidationException',
    });
    const one = [SAMPLE_IDS.failingByFlag];
    await expect(send({ InstanceIds: one, TimeoutSeconds: 29 })).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await expect(send({ InstanceIds: one, MaxConcurrency: '0' })).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await expect(send({ InstanceIds: one, MaxErrors: '101%' })).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('InvalidInstanceId (not managed) and DuplicateInstanceId fail the whole call; nothing is sent', async () => {
    const e = await start();
    await expect(
      send({ InstanceIds: [SAMPLE_IDS.failingByFlag, SAMPLE_IDS.unmanaged] }),
    ).rejects.toMatchObject({
      name: 'InvalidInstanceId',
    });
    await expect(
      send({ InstanceIds: [SAMPLE_IDS.failingByFlag, SAMPLE_IDS.failingByFlag] }),
    ).rejects.toMatchObject({ name: 'DuplicateInstanceId' });
    expect(e.ssm.commands.commands).toHaveLength(0);
  });
});

describe('IAM: ssm:SendCommand with ssm:resourceTag conditions (Service Authorization Reference)', () => {
  const noAllowList = { runCommand: { sendCommandPolicy: sendCommandTagConditions() } };

  it('by InstanceIds: one instance no statement allows denies the whole call (AccessDeniedException)', async () => {
    const e = await start(noAllowList);
    const managed = nodesOf(e, 'legacy-al2', 'ng-al2').slice(0, 2);
    // Self-managed: only kubernetes.io/cluster/legacy-al2, which the stack names only with an allow-list.
    const selfManaged = nodesOf(e, 'legacy-al2', 'legacy-asg').at(-1)!;

    const denied = send({ InstanceIds: [...managed, selfManaged] });

    await expect(denied).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(denied).rejects.toThrow(`instance/${selfManaged}`);
    expect(e.ssm.commands.commands).toHaveLength(0);
    await expect(send({ InstanceIds: managed })).resolves.toMatchObject({ Command: { TargetCount: 2 } });
  });

  it('with an allow-list (the emulator default: every cluster of the fleet) the self-managed node is allowed', async () => {
    const e = await start();
    const selfManaged = nodesOf(e, 'legacy-al2', 'legacy-asg').at(-1)!;
    await expect(send({ InstanceIds: [selfManaged] })).resolves.toBeDefined();
  });

  it('by Targets: the call is accepted and each instance no statement allows ends Failed / AccessDenied', async () => {
    const e = await start(noAllowList);
    const out = await send({ Targets: [{ Key: 'tag-key', Values: ['kubernetes.io/cluster/legacy-al2'] }] });
    e.clock.advance(60_000);
    await new Promise((r) => setTimeout(r, 300));
    const byNode = new Map((await invocations(out.Command!.CommandId!)).map((i) => [i.InstanceId, i]));
    const selfManaged = nodesOf(e, 'legacy-al2', 'legacy-asg').at(-1)!;
    const managed = nodesOf(e, 'legacy-al2', 'ng-al2')[1]!;
    expect(byNode.get(selfManaged)).toMatchObject({ Status: 'Failed', StatusDetails: 'AccessDenied' });
    expect(byNode.get(managed)?.StatusDetails).not.toBe('AccessDenied');
  });
});

describe('a node whose agent went offline after it was listed (SSM API, GetCommandInvocation)', () => {
  it('is accepted; Pending until delivery + execution timeout, then TimedOut / DeliveryTimedOut', async () => {
    const e = await start();
    const [online, goesOffline] = nodesOf(e, 'legacy-al2', 'ng-al2');
    e.fleet.get(goesOffline!)!.ssm = 'connection-lost';

    const out = await send({ InstanceIds: [online!, goesOffline!], TimeoutSeconds: 30 });
    const sentAt = out.Command!.RequestedDateTime!.getTime();

    // Total timeout = TimeoutSeconds (delivery) + the document's execution timeout (SSM User Guide,
    // "Understanding command timeout values"): 30 + 60 s.
    expect(out.Command!.ExpiresAfter!.getTime() - sentAt).toBe(90_000);
    e.clock.advance(89_000);
    const get = () =>
      ssm.send(
        new GetCommandInvocationCommand({ CommandId: out.Command!.CommandId!, InstanceId: goesOffline! }),
      );
    expect(await get()).toMatchObject({ Status: 'Pending', StatusDetails: 'Pending' });
    e.clock.advance(1_000);
    expect(await get()).toMatchObject({ Status: 'TimedOut', StatusDetails: 'DeliveryTimedOut' });
  });

  it('or, with the emulator option offlineDelivery "undeliverable", ends Failed / Undeliverable', async () => {
    const e = await start({ runCommand: { offlineDelivery: 'undeliverable' } });
    const [goesOffline] = nodesOf(e, 'legacy-al2', 'ng-al2');
    e.fleet.get(goesOffline!)!.ssm = 'connection-lost';
    const out = await send({ InstanceIds: [goesOffline!] });
    e.clock.advance(1_000);
    const got = await ssm.send(
      new GetCommandInvocationCommand({ CommandId: out.Command!.CommandId!, InstanceId: goesOffline! }),
    );
    expect(got).toMatchObject({ Status: 'Failed', StatusDetails: 'Undeliverable' });
  });
});

describe('rate control (SSM User Guide, send-commands-multiple "Using rate controls")', () => {
  it('sends to one node, then two, then four … up to MaxConcurrency: invocations start in waves', async () => {
    const e = await start({ pickupDelay: fixed(1_000), executionTime: fixed(500) });
    // prod-eu's managed node groups: 9 online Linux nodes, one command by tag.
    const out = await send({
      Targets: [{ Key: 'tag:eks:cluster-name', Values: ['prod-eu'] }],
      MaxConcurrency: '100%',
    });
    const command = e.ssm.commands.byId.get(out.Command!.CommandId!)!;
    const linux = command.invocations.filter((i) => i.kind === 'run');
    const sentAt = command.requestedMs;
    const starts = linux.map((i) => i.startMs - sentAt).sort((a, b) => a - b);
    // Wave 0 (1 node) is picked up after 1 s; wave 1 (2) is sent then, and picked up a second later …
    expect(new Set(starts)).toEqual(new Set([1_000, 2_000, 3_000, 4_000]));
    expect(starts.filter((s) => s === 1_000)).toHaveLength(1);
    expect(starts.filter((s) => s === 2_000)).toHaveLength(2);
    // The wire shows the same: nothing has started half a second in, one node 1.5 s in.
    e.clock.advance(1_500 - (e.clock.now() - sentAt));
    const started = (await invocations(out.Command!.CommandId!)).filter((i) => i.Status !== 'Pending');
    expect(started.length).toBeGreaterThanOrEqual(1);
    expect(started.length).toBeLessThanOrEqual(3);
  });

  it('MaxConcurrency caps the invocations in flight once the ramp reaches it', () => {
    const targets = Array.from({ length: 6 }, () => ({ delivered: true, pickupMs: 100, runMs: 1_000 }));
    const schedule = rampSchedule(targets, { requestedMs: 0, maxConcurrency: 2 });
    // Waves 1 then 2 (the ramp ends at 2 in flight); each later node waits for a slot.
    expect(gatedWaves(2)).toBe(2);
    expect(schedule.map((s) => s.startMs)).toEqual([100, 200, 1_200, 1_300, 2_300, 2_400]);
  });

  it('a node that is never delivered does not hold the next wave back', () => {
    const schedule = rampSchedule(
      [
        { delivered: false, pickupMs: 100, runMs: 100 },
        { delivered: true, pickupMs: 100, runMs: 100 },
        { delivered: true, pickupMs: 100, runMs: 100 },
      ],
      { requestedMs: 0, maxConcurrency: 3 },
    );
    expect(schedule.map((s) => s.startMs)).toEqual([Number.POSITIVE_INFINITY, 100, 100]);
  });
});

describe('Target keys (SSM API reference, Target: tag:<key>, tag-key, InstanceIds)', () => {
  it('a Region that refuses tag-key (emulator option) answers with the configured error; tag:<key> still works', async () => {
    await start({ runCommand: { refuseTagKeyTargets: 'ValidationException' } });
    await expect(
      send({ Targets: [{ Key: 'tag-key', Values: ['kubernetes.io/cluster/legacy-al2'] }] }),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(
      send({ Targets: [{ Key: 'tag:kubernetes.io/cluster/legacy-al2', Values: ['owned', 'shared'] }] }),
    ).resolves.toMatchObject({ Command: { TargetCount: expect.any(Number) } });
  });
});
