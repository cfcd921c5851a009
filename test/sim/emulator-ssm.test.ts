import {
  DescribeInstanceInformationCommand,
  GetCommandInvocationCommand,
  InvalidDocument,
  InvalidInstanceId,
  InvocationDoesNotExist,
  ListCommandInvocationsCommand,
  type ListCommandInvocationsCommandOutput,
  ListCommandsCommand,
  paginateDescribeInstanceInformation,
  paginateListCommandInvocations,
  SendCommandCommand,
  type SSMClient,
  UpdateDocumentCommand,
  UpdateDocumentDefaultVersionCommand,
} from '@aws-sdk/client-ssm';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createCollectorRunner,
  DEFAULT_DOCUMENT,
  type Emulator,
  fixed,
  startEmulator,
} from './emulator/index.ts';
import { fakeCollectorScript, sdkClients, waitFor } from './emulator/test-support.ts';
import { SAMPLE_IDS, sampleFleet } from './fleet.ts';

const DOC = DEFAULT_DOCUMENT.name;
const collector = createCollectorRunner({ scriptPath: fakeCollectorScript() });
let emulator: Emulator;
let ssm: SSMClient;

beforeEach(async () => {
  // A 10 s (simulated) pickup delay keeps "just sent" deterministic; tests jump the clock instead of waiting.
  emulator = await startEmulator({
    fleet: sampleFleet(),
    rateLimits: false,
    collector,
    pickupDelay: fixed(10_000),
  });
  ({ ssm } = sdkClients(emulator.endpoint));
  return () => emulator.stop();
});
afterAll(() => collector.close());

/** Linux nodes of the sample fleet that SSM manages and that are online. */
function onlineLinux(): string[] {
  return [...emulator.fleet.nodes.values()]
    .filter((n) => n.ssm === 'online' && n.os !== 'windows' && n.state === 'running')
    .map((n) => n.instanceId);
}

async function send(ids: string[], extra: Partial<ConstructorParameters<typeof SendCommandCommand>[0]> = {}) {
  const out = await ssm.send(
    new SendCommandCommand({
      DocumentName: DOC,
      InstanceIds: ids,
      MaxErrors: '100%',
      TimeoutSeconds: 60,
      ...extra,
    }),
  );
  return out.Command!.CommandId!;
}

/** Jump past every node's execution and wait until all invocations are terminal. */
async function settle(commandId: string): Promise<ListCommandInvocationsCommandOutput> {
  emulator.clock.advance(15_000);
  return waitFor(async () => {
    const out = await ssm.send(new ListCommandInvocationsCommand({ CommandId: commandId, Details: true }));
    const done = (out.CommandInvocations ?? []).every(
      (i) => !['Pending', 'InProgress'].includes(i.Status ?? ''),
    );
    return done ? out : undefined;
  });
}

describe('DescribeInstanceInformation', () => {
  it('lists SSM-managed running nodes only, paged by MaxResults', async () => {
    const seen: string[] = [];
    for await (const page of paginateDescribeInstanceInformation({ client: ssm, pageSize: 5 }, {})) {
      for (const i of page.InstanceInformationList ?? []) seen.push(i.InstanceId!);
    }

    // 30 nodes − 3 Auto Mode − 1 without SSM = 26.
    expect(seen).toHaveLength(26);
    expect(new Set(seen).size).toBe(26);
    expect(seen).not.toContain(SAMPLE_IDS.unmanaged);
    expect(emulator.calls['ssm:DescribeInstanceInformation']).toBe(6);
  });

  it('filters by InstanceIds and PingStatus and reports ConnectionLost and platform', async () => {
    // Managed ids only: an id SSM does not manage fails the call (fidelity-ssm-instance-information).
    const ids = [SAMPLE_IDS.offline, SAMPLE_IDS.windows];

    const all = await ssm.send(
      new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: ids }] }),
    );
    const online = await ssm.send(
      new DescribeInstanceInformationCommand({
        Filters: [
          { Key: 'InstanceIds', Values: ids },
          { Key: 'PingStatus', Values: ['Online'] },
        ],
      }),
    );

    expect(all.InstanceInformationList?.map((i) => [i.InstanceId, i.PingStatus, i.PlatformType])).toEqual([
      [SAMPLE_IDS.offline, 'ConnectionLost', 'Linux'],
      [SAMPLE_IDS.windows, 'Online', 'Windows'],
    ]);
    expect(online.InstanceInformationList?.map((i) => i.InstanceId)).toEqual([SAMPLE_IDS.windows]);
  });

  it('lists the offline EC2 instances with PingStatus and ResourceType filters combined', async () => {
    const ec2Offline = await ssm.send(
      new DescribeInstanceInformationCommand({
        Filters: [
          { Key: 'PingStatus', Values: ['ConnectionLost'] },
          { Key: 'ResourceType', Values: ['EC2Instance'] },
        ],
      }),
    );
    const hybrid = await ssm.send(
      new DescribeInstanceInformationCommand({
        Filters: [
          { Key: 'PingStatus', Values: ['ConnectionLost'] },
          { Key: 'ResourceType', Values: ['ManagedInstance'] },
        ],
      }),
    );

    expect(ec2Offline.InstanceInformationList?.map((i) => [i.InstanceId, i.PingStatus])).toEqual([
      [SAMPLE_IDS.offline, 'ConnectionLost'],
    ]);
    expect(ec2Offline.InstanceInformationList?.[0]?.LastPingDateTime).toBeInstanceOf(Date);
    expect(hybrid.InstanceInformationList).toEqual([]);
  });

  it('enforces MaxResults 5..50 with ValidationException', async () => {
    await expect(ssm.send(new DescribeInstanceInformationCommand({ MaxResults: 51 }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await expect(ssm.send(new DescribeInstanceInformationCommand({ MaxResults: 4 }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });
});

describe('SendCommand validation', () => {
  it('refuses more than 50 instance ids', async () => {
    const ids = Array.from({ length: 51 }, (_, i) => `i-${String(i).padStart(17, '0')}`);
    await expect(send(ids)).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('fails the whole call with InvalidInstanceId when one id is not a managed instance', async () => {
    const good = onlineLinux().slice(0, 3);

    await expect(send([...good, SAMPLE_IDS.unmanaged])).rejects.toBeInstanceOf(InvalidInstanceId);
    expect(emulator.ssm.commands.commands).toHaveLength(0);
  });

  it('accepts a registered node whose agent is offline: its invocation waits for delivery', async () => {
    const good = onlineLinux().slice(0, 3);

    const commandId = await send([...good, SAMPLE_IDS.offline]);
    const command = emulator.ssm.commands.byId.get(commandId)!;
    expect(command.byInstance.get(SAMPLE_IDS.offline)?.kind).toBe('never');
  });

  it('rejects an unknown document, bad MaxErrors/MaxConcurrency and TimeoutSeconds below 30', async () => {
    const ids = onlineLinux().slice(0, 1);
    await expect(send(ids, { DocumentName: 'no-such-doc' })).rejects.toBeInstanceOf(InvalidDocument);
    await expect(send(ids, { MaxErrors: '101%' })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(send(ids, { MaxConcurrency: '0' })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(send(ids, { TimeoutSeconds: 29 })).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('fails InvalidInstanceId for a node terminated between discovery and SendCommand', async () => {
    const ids = onlineLinux().slice(0, 2);
    emulator.faults.vanishOnSend(ids[1]!);

    await expect(send(ids)).rejects.toBeInstanceOf(InvalidInstanceId);
    expect(emulator.fleet.get(ids[1]!)?.state).toBe('terminated');
  });
});

describe('invocation lifecycle', () => {
  it('goes Pending → Success, runs the collector on the node tree, and counts on the command', async () => {
    const ids = onlineLinux().slice(0, 3);
    const commandId = await send(ids);

    const early = await ssm.send(new ListCommandInvocationsCommand({ CommandId: commandId }));
    const done = await settle(commandId);
    const commands = await ssm.send(new ListCommandsCommand({ CommandId: commandId }));

    expect(early.CommandInvocations?.map((i) => i.Status)).toEqual(['Pending', 'Pending', 'Pending']);
    expect(done.CommandInvocations?.map((i) => [i.InstanceId, i.Status, i.StatusDetails])).toEqual(
      ids.map((id) => [id, 'Success', 'Success']),
    );
    const plugin = done.CommandInvocations?.[0]?.CommandPlugins?.[0];
    expect(plugin).toMatchObject({ Name: 'collect', Status: 'Success', ResponseCode: 0 });
    expect(plugin?.Output).toBe(
      '{"os":"Amazon Linux","kubelet":10}\n----------ERROR-------\ncollector ran\n',
    );
    expect(commands.Commands?.[0]).toMatchObject({
      Status: 'Success',
      TargetCount: 3,
      CompletedCount: 3,
      ErrorCount: 0,
      DeliveryTimedOutCount: 0,
    });
  });

  it('reports Success with the precondition-skip message, not our output, for Windows', async () => {
    const commandId = await send([SAMPLE_IDS.windows]);
    const done = await settle(commandId);

    const windows = done.CommandInvocations?.[0];
    expect(windows?.Status).toBe('Success');
    expect(windows?.CommandPlugins?.[0]?.Output).toBe(
      `Step execution skipped due to unsatisfied preconditions: '"StringEquals": [platformType, Linux]'. Step name: collect`,
    );
  });

  it('cuts Details output at 2,500 bytes and StandardOutputContent at 24,000, with the agent markers', async () => {
    const [id] = onlineLinux();
    emulator.faults.nodeOutput(id!, { stdout: 'x'.repeat(30_000), stderr: 'boom' });
    const commandId = await send([id!]);

    const listed = await settle(commandId);
    const got = await ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: id }));

    const output = listed.CommandInvocations?.[0]?.CommandPlugins?.[0]?.Output ?? '';
    expect(output).toHaveLength(2500);
    expect(output.endsWith('\n---Output truncated---\n----------ERROR-------\nboom')).toBe(true);
    expect(got.StandardOutputContent).toHaveLength(24_000);
    expect(got.StandardOutputContent?.endsWith('--output truncated--')).toBe(true);
    expect(got.StandardErrorContent).toBe('boom');
  });

  it('raises InvocationDoesNotExist for the first N GetCommandInvocation calls when injected', async () => {
    const [id] = onlineLinux();
    const commandId = await send([id!]);
    emulator.faults.invocationDoesNotExist(2);
    const get = () => ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: id }));

    await expect(get()).rejects.toBeInstanceOf(InvocationDoesNotExist);
    await expect(get()).rejects.toBeInstanceOf(InvocationDoesNotExist);
    await expect(get()).resolves.toMatchObject({ Status: 'Pending', ResponseCode: -1 });
    await expect(
      ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: SAMPLE_IDS.windows })),
    ).rejects.toBeInstanceOf(InvocationDoesNotExist);
  });

  it('times a node that never picks the command up out as DeliveryTimedOut after TimeoutSeconds + the execution timeout', async () => {
    const [id, other] = onlineLinux();
    emulator.faults.deliveryTimeout(id!).deliveryTimeout(other!);
    const commandId = await send([id!, other!], { TimeoutSeconds: 30 });
    const status = async () =>
      (await ssm.send(new ListCommandInvocationsCommand({ CommandId: commandId }))).CommandInvocations?.map(
        (i) => [i.Status, i.StatusDetails],
      );

    emulator.clock.advance(31_000);
    const before = await status();
    // DEFAULT_DOCUMENT's execution timeout is 60 s: the command expires 30 + 60 s after it was sent.
    emulator.clock.advance(60_000);
    const after = await status();
    const command = await ssm.send(new ListCommandsCommand({ CommandId: commandId }));

    expect(before).toEqual([
      ['Pending', 'Pending'],
      ['Pending', 'Pending'],
    ]);
    expect(after).toEqual([
      ['TimedOut', 'DeliveryTimedOut'],
      ['TimedOut', 'DeliveryTimedOut'],
    ]);
    expect(command.Commands?.[0]).toMatchObject({
      DeliveryTimedOutCount: 2,
      ErrorCount: 0,
      CompletedCount: 2,
    });
  });

  it('makes the invocation of a node terminated after SendCommand Undeliverable', async () => {
    const [gone, ok] = onlineLinux();
    emulator.faults.vanishAfterSend(gone!);
    const commandId = await send([gone!, ok!]);

    const done = await settle(commandId);

    expect(done.CommandInvocations?.map((i) => [i.InstanceId, i.Status, i.StatusDetails])).toEqual([
      [gone, 'Failed', 'Undeliverable'],
      [ok, 'Success', 'Success'],
    ]);
    expect(emulator.faults.fired.vanishAfterSend).toBe(1);
  });

  it('reports ExecutionTimedOut for a run longer than the document timeout', async () => {
    const [id] = onlineLinux();
    emulator.faults.executionTimeout(id!);
    const commandId = await send([id!]);
    emulator.clock.advance(DEFAULT_DOCUMENT.executionTimeoutSeconds * 1000);

    const done = await settle(commandId);

    expect(done.CommandInvocations?.[0]).toMatchObject({
      Status: 'TimedOut',
      StatusDetails: 'ExecutionTimedOut',
    });
  });

  it('stops sending after MaxErrors failures: later invocations end Terminated (the default MaxErrors 0)', async () => {
    const ids = onlineLinux().slice(0, 4);
    emulator.faults.nodeOutput(ids[0]!, { exitCode: 2, stderr: 'broken' });
    const commandId = await send(ids, { MaxErrors: undefined, MaxConcurrency: '1' });

    const done = await settle(commandId);
    const command = await ssm.send(new ListCommandsCommand({ CommandId: commandId }));

    expect(done.CommandInvocations?.map((i) => [i.Status, i.StatusDetails])).toEqual([
      ['Failed', 'Failed'],
      ['Cancelled', 'Terminated'],
      ['Cancelled', 'Terminated'],
      ['Cancelled', 'Terminated'],
    ]);
    expect(done.CommandInvocations?.[0]?.CommandPlugins?.[0]?.ResponseCode).toBe(2);
    expect(command.Commands?.[0]).toMatchObject({ Status: 'Failed', ErrorCount: 1, MaxErrors: '0' });
  });
});

describe('ListCommandInvocations paging and limits', () => {
  it('pages invocations of one command by MaxResults 1..50', async () => {
    const ids = onlineLinux().slice(0, 12);
    const commandId = await send(ids);
    const seen: string[] = [];
    for await (const page of paginateListCommandInvocations(
      { client: ssm, pageSize: 5 },
      { CommandId: commandId },
    )) {
      for (const i of page.CommandInvocations ?? []) seen.push(i.InstanceId!);
    }

    expect(seen).toEqual(ids);
    expect(emulator.calls['ssm:ListCommandInvocations']).toBe(3);
    await expect(
      ssm.send(new ListCommandInvocationsCommand({ CommandId: commandId, MaxResults: 51 })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('filters ListCommands by DocumentName and Status', async () => {
    const commandId = await send(onlineLinux().slice(0, 1));
    await settle(commandId);

    const byDoc = await ssm.send(new ListCommandsCommand({ Filters: [{ key: 'DocumentName', value: DOC }] }));
    const failed = await ssm.send(new ListCommandsCommand({ Filters: [{ key: 'Status', value: 'Failed' }] }));

    expect(byDoc.Commands?.map((c) => c.CommandId)).toEqual([commandId]);
    expect(failed.Commands).toEqual([]);
  });

  it('filters ListCommands by ExecutionStage (Executing | Complete), and not ListCommandInvocations', async () => {
    const [a, b] = onlineLinux();
    const done = await send([a!]);
    await settle(done);
    const running = await send([b!]);
    const stage = async (value: string) =>
      (
        await ssm.send(new ListCommandsCommand({ Filters: [{ key: 'ExecutionStage', value }] }))
      ).Commands?.map((c) => c.CommandId);

    expect(await stage('Executing')).toEqual([running]);
    expect(await stage('Complete')).toEqual([done]);
    await expect(stage('Running')).rejects.toMatchObject({ name: 'InvalidFilterValue' });
    await expect(
      ssm.send(
        new ListCommandInvocationsCommand({
          CommandId: running,
          Filters: [{ key: 'ExecutionStage', value: 'Executing' }],
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidFilterKey' });
  });
});

describe('throttling', () => {
  it('answers ThrottlingException, which the SDK retries', async () => {
    emulator.faults.throttle('ssm:DescribeInstanceInformation', 2);

    const out = await ssm.send(new DescribeInstanceInformationCommand({}));

    expect(out.$metadata.attempts).toBe(3);
    expect(emulator.calls['ssm:DescribeInstanceInformation']).toBe(3);
  });

  it('throttles by token bucket once the burst is spent, and the error surfaces after the retries', async () => {
    emulator.rateLimiter.set('ssm:ListCommands', { ratePerSecond: 0.001, burst: 2 });

    await ssm.send(new ListCommandsCommand({}));
    await ssm.send(new ListCommandsCommand({}));
    const third = ssm.send(new ListCommandsCommand({}));

    await expect(third).rejects.toMatchObject({ name: 'ThrottlingException', $metadata: { attempts: 3 } });
    expect(emulator.rateLimiter.throttled['ssm:ListCommands']).toBe(3);
  });

  it('answers an injected 5xx, which the SDK retries', async () => {
    emulator.faults.serverError('ssm:ListCommands', 1);

    const out = await ssm.send(new ListCommandsCommand({}));

    expect(out.$metadata.attempts).toBe(2);
    expect(emulator.faults.fired['serverError:ssm:ListCommands']).toBe(1);
  });
});

describe('document versions', () => {
  it('SendCommand names a version that exists; $DEFAULT follows UpdateDocumentDefaultVersion', async () => {
    await expect(
      ssm.send(
        new SendCommandCommand({
          DocumentName: DOC,
          DocumentVersion: '2',
          InstanceIds: [SAMPLE_IDS.failingByFlag],
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidDocumentVersion' });
    await ssm.send(
      new UpdateDocumentCommand({
        Name: DOC,
        Content: '{"schemaVersion":"2.2"}',
        DocumentVersion: '$LATEST',
      }),
    );
    // Only the latest version can be updated.
    await expect(
      ssm.send(new UpdateDocumentCommand({ Name: DOC, Content: '{}', DocumentVersion: '1' })),
    ).rejects.toMatchObject({ name: 'InvalidDocumentVersion' });
    const pinned = await ssm.send(
      new SendCommandCommand({
        DocumentName: DOC,
        DocumentVersion: '1',
        InstanceIds: [SAMPLE_IDS.failingByFlag],
      }),
    );
    expect(pinned.Command?.DocumentVersion).toBe('1');
    expect(emulator.ssm.commands.byId.get(pinned.Command!.CommandId!)?.resolvedVersion).toBe(1);
    const unpinned = await ssm.send(
      new SendCommandCommand({ DocumentName: DOC, InstanceIds: [SAMPLE_IDS.failingByFlag] }),
    );
    expect(emulator.ssm.commands.byId.get(unpinned.Command!.CommandId!)?.resolvedVersion).toBe(1);
    await ssm.send(new UpdateDocumentDefaultVersionCommand({ Name: DOC, DocumentVersion: '2' }));
    const afterDefault = await ssm.send(
      new SendCommandCommand({ DocumentName: DOC, InstanceIds: [SAMPLE_IDS.failingByFlag] }),
    );
    expect(emulator.ssm.commands.byId.get(afterDefault.Command!.CommandId!)?.resolvedVersion).toBe(2);
  });
});
