import 'aws-sdk-client-mock-vitest/extend';
import {
  type CommandInvocation,
  DescribeInstanceInformationCommand,
  GetCommandInvocationCommand,
  ListCommandInvocationsCommand,
  ListCommandsCommand,
  SendCommandCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { UNMANAGED_REASON } from '../../../functions/aws/reachability.ts';
import { type RunCommandOptions, runCollector } from '../../../functions/aws/run-command/index.ts';

const ssm = mockClient(SSMClient);
const DOC = 'KubeletAudit-Collect';
const EVIDENCE = '{"format":"eks-kubelet-audit/evidence","version":1,"end":true}';

function id(n: number): string {
  return `i-${n.toString(16).padStart(17, '0')}`;
}

/** A fake clock: sleeping advances time; the budget runs out after `budgetMs`. */
function options(budgetMs = 60_000, extra: Partial<RunCommandOptions> = {}) {
  let t = 0;
  const sleeps: number[] = [];
  const opts: RunCommandOptions = {
    documentName: DOC,
    deliveryTimeoutSeconds: 60,
    pollInitialDelayMs: 1_000,
    pollIntervalMs: 5_000,
    remainingMs: () => budgetMs - t,
    now: () => new Date(Date.UTC(2026, 10, 28) + t),
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
    ...extra,
  };
  return { opts, sleeps };
}

/** A scripted SSM: SendCommand records targets; commands finish after `roundsToFinish` ListCommands rounds. */
function scriptSsm(
  invocationFor: (instanceId: string, commandId: string) => CommandInvocation,
  roundsToFinish = 1,
) {
  const commands = new Map<string, string[]>();
  let rounds = 0;
  ssm.on(SendCommandCommand).callsFake((input) => {
    const commandId = `cmd-${commands.size + 1}`;
    commands.set(commandId, input.InstanceIds);
    return { Command: { CommandId: commandId, Status: 'Pending' } };
  });
  ssm.on(ListCommandsCommand).callsFake(() => {
    rounds++;
    return {
      Commands: [
        { CommandId: 'someone-elses', Status: 'Success' },
        ...[...commands.keys()].map((CommandId) => ({
          CommandId,
          Status: rounds >= roundsToFinish ? 'Success' : 'InProgress',
        })),
      ],
    };
  });
  ssm.on(ListCommandInvocationsCommand).callsFake((input) => {
    const ids = commands.get(input.CommandId) ?? [];
    const start = input.NextToken ? Number(input.NextToken) : 0;
    const page = ids.slice(start, start + 50);
    return {
      CommandInvocations: page.map((i) => ({
        CommandId: input.CommandId,
        InstanceId: i,
        ...invocationFor(i, input.CommandId),
      })),
      ...(start + 50 < ids.length ? { NextToken: String(start + 50) } : {}),
    };
  });
  return commands;
}

const success = (output = EVIDENCE): CommandInvocation => ({
  Status: 'Success',
  StatusDetails: 'Success',
  CommandPlugins: [{ Name: 'collect', Status: 'Success', Output: output }],
});

beforeEach(() => ssm.reset());

describe('sending', () => {
  it('sends ≤ 50 ids per SendCommand with MaxErrors 100% and no CloudWatch output', async () => {
    scriptSsm(() => success());
    const ids = Array.from({ length: 120 }, (_, i) => id(i + 1));
    const { opts } = options();
    const result = await runCollector(new SSMClient({}), ids, opts);
    const sends = ssm.commandCalls(SendCommandCommand).map((c) => c.args[0].input);
    expect(sends.map((s) => s.InstanceIds?.length)).toEqual([50, 50, 20]);
    for (const s of sends) {
      expect(s).toMatchObject({
        DocumentName: DOC,
        MaxErrors: '100%',
        MaxConcurrency: '50',
        TimeoutSeconds: 60,
        CloudWatchOutputConfig: { CloudWatchOutputEnabled: false },
      });
    }
    expect(result.outcomes.size).toBe(120);
    expect([...result.outcomes.values()].every((o) => o.kind === 'output')).toBe(true);
  });

  it('polls with one ListCommands round for all commands, then pages invocations once per command', async () => {
    scriptSsm(() => success(), 3);
    const ids = Array.from({ length: 120 }, (_, i) => id(i + 1));
    const { opts, sleeps } = options();
    const result = await runCollector(new SSMClient({}), ids, opts);
    expect(result.pollRounds).toBe(3);
    expect(ssm).toHaveReceivedCommandTimes(ListCommandsCommand, 3);
    // Invocations fetched only once the command is terminal: 3 commands × 1 page (50 a page).
    expect(ssm).toHaveReceivedCommandTimes(ListCommandInvocationsCommand, 3);
    expect(ssm).toHaveReceivedCommandWith(ListCommandInvocationsCommand, { Details: true, MaxResults: 50 });
    expect(ssm).toHaveReceivedCommandWith(ListCommandsCommand, {
      Filters: expect.arrayContaining([{ key: 'DocumentName', value: DOC }]),
    });
    expect(sleeps).toEqual([1_000, 5_000, 5_000]);
    // Only running commands fill the pages: finished ones (ours and other scans') are left out.
    expect(ssm).toHaveReceivedCommandWith(ListCommandsCommand, {
      Filters: expect.arrayContaining([{ key: 'ExecutionStage', value: 'Executing' }]),
    });
  });

  it('calls afterSend once every command is sent, and polls only once it resolved', async () => {
    scriptSsm(() => success());
    const ids = Array.from({ length: 120 }, (_, i) => id(i + 1));
    const seen: number[] = [];
    let release: () => void = () => undefined;
    const { opts } = options(60_000, {
      afterSend: () => {
        seen.push(ssm.commandCalls(SendCommandCommand).length, ssm.commandCalls(ListCommandsCommand).length);
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      },
    });
    const running = runCollector(new SSMClient({}), ids, opts);
    await vi.waitFor(() => expect(seen).toEqual([3, 0]));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ssm.commandCalls(ListCommandsCommand)).toHaveLength(0);
    release();
    expect((await running).outcomes.size).toBe(120);
  });

  it('fails the collection when afterSend fails, reading nothing', async () => {
    scriptSsm(() => success());
    const { opts } = options(60_000, {
      afterSend: () => Promise.reject(new Error('state table unreadable')),
    });
    await expect(runCollector(new SSMClient({}), [id(1), id(2)], opts)).rejects.toThrow(
      'state table unreadable',
    );
    expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(1);
    expect(ssm.commandCalls(ListCommandsCommand)).toHaveLength(0);
    expect(ssm.commandCalls(ListCommandInvocationsCommand)).toHaveLength(0);
  });

  it('lengthens each wait by up to pollJitter at random, never shortens it', async () => {
    // Prepare: the commands end after 3 rounds; the drawn fractions are 1, 0.5 and 0.
    scriptSsm(() => success(), 3);
    const draws = [1, 0.5, 0];
    const { opts, sleeps } = options(60_000, { pollJitter: 0.5, random: () => draws.shift() ?? 0 });
    // Act
    await runCollector(new SSMClient({}), [id(1)], opts);
    // Assess
    expect(sleeps).toEqual([1_500, 6_250, 5_000]);
  });

  it('a command missing from the Executing list is done only when all its invocations are terminal', async () => {
    // Prepare: SSM lists no executing command from the first poll (e.g. not listed yet), but the
    // invocations are InProgress for two polls, then finished.
    const commands = scriptSsm(() => success());
    ssm.on(ListCommandsCommand).resolves({ Commands: [] });
    let reads = 0;
    ssm.on(ListCommandInvocationsCommand).callsFake((input) => {
      reads++;
      return {
        CommandInvocations: (commands.get(input.CommandId) ?? []).map((i) => ({
          CommandId: input.CommandId,
          InstanceId: i,
          ...(reads <= 2 ? { Status: 'InProgress', StatusDetails: 'InProgress' } : success()),
        })),
      };
    });
    const { opts } = options();
    // Act
    const result = await runCollector(new SSMClient({}), [id(1), id(2)], opts);
    // Assess
    expect(result.pollRounds).toBe(3);
    expect(ssm).toHaveReceivedCommandTimes(ListCommandInvocationsCommand, 3);
    expect([...result.outcomes.values()].every((o) => o.kind === 'output')).toBe(true);
  });

  it('gives up confirming after a few polls and answers the invocations as they stand', async () => {
    scriptSsm(() => success());
    ssm.on(ListCommandsCommand).resolves({ Commands: [] });
    ssm.on(ListCommandInvocationsCommand).resolves({
      CommandInvocations: [
        { CommandId: 'cmd-1', InstanceId: id(1), ...success() },
        { CommandId: 'cmd-1', InstanceId: id(2), Status: 'InProgress', StatusDetails: 'InProgress' },
      ],
    });
    const { opts } = options();
    const result = await runCollector(new SSMClient({}), [id(1), id(2), id(3)], opts);
    expect(result.pollRounds).toBe(3);
    expect(result.outcomes.get(id(1))?.kind).toBe('output');
    expect(result.outcomes.get(id(2))).toMatchObject({ code: 'SSM_PENDING' });
    expect(result.outcomes.get(id(3))).toMatchObject({ code: 'NO_INVOCATION' });
  });

  it('a chunk rejected for an unmanaged node: one DescribeInstanceInformation, the rest re-sent', async () => {
    // Prepare: id(2) is not managed by SSM (absent from DescribeInstanceInformation); SSM rejects any
    // SendCommand that names it, as AWS does (InvalidInstanceId fails the whole call).
    const commands = scriptSsm(() => success());
    ssm.on(SendCommandCommand).callsFake((input) => {
      if (input.InstanceIds.includes(id(2))) {
        throw Object.assign(new Error('Instances not in a valid state'), { name: 'InvalidInstanceId' });
      }
      const commandId = `cmd-${commands.size + 1}`;
      commands.set(commandId, input.InstanceIds);
      return { Command: { CommandId: commandId } };
    });
    ssm.on(DescribeInstanceInformationCommand).resolves({
      InstanceInformationList: [
        { InstanceId: id(1), PingStatus: 'Online' },
        { InstanceId: id(3), PingStatus: 'Online' },
      ],
    });
    const stillRunning = vi.fn(async (ids: readonly string[]) => new Set(ids));
    const { opts } = options(60_000, { stillRunning });
    // Act
    const result = await runCollector(new SSMClient({}), [id(1), id(2), id(3)], opts);
    // Assess
    const sends = ssm.commandCalls(SendCommandCommand).map((c) => c.args[0].input.InstanceIds);
    expect(sends).toEqual([
      [id(1), id(2), id(3)],
      [id(1), id(3)],
    ]);
    expect(ssm).toHaveReceivedCommandTimes(DescribeInstanceInformationCommand, 1);
    expect(ssm).toHaveReceivedCommandWith(DescribeInstanceInformationCommand, {
      Filters: [{ Key: 'InstanceIds', Values: [id(1), id(2), id(3)] }],
    });
    expect(result.outcomes.get(id(2))).toMatchObject({
      kind: 'not-assessed',
      code: 'SSM_UNMANAGED',
      reason: UNMANAGED_REASON,
    });
    expect(stillRunning).toHaveBeenCalledWith([id(2)]);
    expect(result.outcomes.get(id(1))?.kind).toBe('output');
    expect(result.outcomes.get(id(3))?.kind).toBe('output');
    expect(result).toMatchObject({ rejectedSends: 1, sentTo: 2 });
  });

  it('answers a node that went offline or vanished since discovery, and never sends to it', async () => {
    // Prepare: id(2) is ConnectionLost, id(3) is no longer listed and EC2 says it is not running.
    const commands = scriptSsm(() => success());
    ssm
      .on(SendCommandCommand)
      .rejectsOnce(Object.assign(new Error('Instances not in a valid state'), { name: 'InvalidInstanceId' }))
      .callsFake((input) => {
        commands.set('cmd-retry', input.InstanceIds);
        return { Command: { CommandId: 'cmd-retry' } };
      });
    ssm.on(DescribeInstanceInformationCommand).resolves({
      InstanceInformationList: [
        { InstanceId: id(1), PingStatus: 'Online' },
        {
          InstanceId: id(2),
          PingStatus: 'ConnectionLost',
          LastPingDateTime: new Date('2026-11-27T23:00:00Z'),
        },
      ],
    });
    const { opts } = options(60_000, { stillRunning: async () => new Set([id(1), id(2)]) });
    // Act
    const result = await runCollector(new SSMClient({}), [id(1), id(2), id(3)], opts);
    // Assess
    expect(ssm.commandCalls(SendCommandCommand)[1]?.args[0].input.InstanceIds).toEqual([id(1)]);
    expect(result.outcomes.get(id(2))).toMatchObject({
      code: 'SSM_OFFLINE',
      reason: 'SSM agent offline (ConnectionLost) since 2026-11-27T23:00:00.000Z',
    });
    expect(result.outcomes.get(id(3))).toMatchObject({
      code: 'SSM_VANISHED',
      reason: expect.stringMatching(/left during the scan/),
    });
    expect(result.outcomes.get(id(1))?.kind).toBe('output');
  });

  it('when most chunks are rejected, checks the remaining chunks before sending (bounded calls)', async () => {
    // Prepare: 500 nodes, none managed by SSM: every SendCommand is rejected.
    ssm
      .on(SendCommandCommand)
      .rejects(Object.assign(new Error('Instances not in a valid state'), { name: 'InvalidInstanceId' }));
    ssm.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [] });
    const ids = Array.from({ length: 500 }, (_, i) => id(i + 1));
    const { opts } = options();
    // Act
    const result = await runCollector(new SSMClient({}), ids, opts);
    // Assess: the first wave of concurrent sends (4, at most 1 more) is rejected; then only checks.
    const sends = ssm.commandCalls(SendCommandCommand).length;
    expect(sends).toBeLessThanOrEqual(5);
    expect(ssm).toHaveReceivedCommandTimes(DescribeInstanceInformationCommand, 10);
    expect(ssm).toHaveReceivedCommandTimes(ListCommandsCommand, 0);
    expect(result.rejectedSends).toBe(sends);
    expect(result.outcomes.size).toBe(500);
    expect(
      [...result.outcomes.values()].every((o) => o.kind === 'not-assessed' && o.code === 'SSM_UNMANAGED'),
    ).toBe(true);
  });

  it("sends without waiting for the last scan's unmanaged nodes, and uses them only to skip the EC2 look-up", async () => {
    // Prepare: 60 nodes; id(7) and id(9) are not managed by SSM; the last scan found only id(7)
    // unmanaged. That knowledge arrives late (the findings read), after the sends and the first poll.
    const commands = scriptSsm(() => success());
    ssm.on(SendCommandCommand).callsFake((input) => {
      if (input.InstanceIds.includes(id(7)) || input.InstanceIds.includes(id(9))) {
        throw Object.assign(new Error('Instances not in a valid state'), { name: 'InvalidInstanceId' });
      }
      const commandId = `cmd-${commands.size + 1}`;
      commands.set(commandId, input.InstanceIds);
      return { Command: { CommandId: commandId } };
    });
    ssm.on(DescribeInstanceInformationCommand).resolves({
      InstanceInformationList: Array.from({ length: 50 }, (_, i) => id(i + 1))
        .filter((i) => i !== id(7) && i !== id(9))
        .map((InstanceId) => ({ InstanceId, PingStatus: 'Online' })),
    });
    const events: string[] = [];
    const stillRunning = vi.fn(async (ids: readonly string[]) => new Set(ids));
    const knownUnmanaged = vi.fn(async () => {
      events.push(`known after ${ssm.commandCalls(SendCommandCommand).length} sends`);
      return new Set([id(7)]);
    });
    const ids = Array.from({ length: 60 }, (_, i) => id(i + 1));
    const { opts } = options(60_000, { knownUnmanaged, stillRunning });
    // Act
    const result = await runCollector(new SSMClient({}), ids, opts);
    // Assess: every send went out before the known-unmanaged set was asked for.
    expect(events).toEqual(['known after 3 sends']);
    const sent = [...commands.values()].flat();
    expect(sent).toHaveLength(58);
    expect(sent).not.toContain(id(7));
    expect(sent).not.toContain(id(9));
    expect(result.outcomes.get(id(7))).toMatchObject({ code: 'SSM_UNMANAGED' });
    // id(9) is a surprise: EC2 says it still runs, so it is unmanaged, not vanished.
    expect(stillRunning).toHaveBeenCalledTimes(1);
    expect(stillRunning).toHaveBeenCalledWith([id(9)]);
    expect(result.outcomes.get(id(9))).toMatchObject({ code: 'SSM_UNMANAGED' });
    expect(result.outcomes.get(id(55))?.kind).toBe('output');
    expect(result.rejectedSends).toBe(1);
  });

  it('answers every node of a chunk whose SendCommand fails for another reason', async () => {
    ssm.on(SendCommandCommand).rejects(Object.assign(new Error('doc missing'), { name: 'InvalidDocument' }));
    const { opts } = options();
    const result = await runCollector(new SSMClient({}), [id(1), id(2)], opts);
    expect([...result.outcomes.values()].map((o) => (o.kind === 'not-assessed' ? o.reason : ''))).toEqual([
      'SendCommand failed: InvalidDocument: doc missing',
      'SendCommand failed: InvalidDocument: doc missing',
    ]);
    expect(ssm).toHaveReceivedCommandTimes(ListCommandsCommand, 0);
  });
});

describe('status mapping', () => {
  // The mapping of each status is outcomes.test.ts's; this is its way through a collection.
  it('a failed invocation → not assessed, with its status, reason and command', async () => {
    scriptSsm(() => ({ Status: 'TimedOut', StatusDetails: 'Delivery Timed Out' }));
    const { opts } = options();
    const result = await runCollector(new SSMClient({}), [id(1)], opts);
    expect(result.outcomes.get(id(1))).toMatchObject({
      kind: 'not-assessed',
      code: 'SSM_DELIVERYTIMEDOUT',
      reason: expect.stringMatching(/could not deliver/),
      commandId: 'cmd-1',
    });
  });

  it('Success without our document → not assessed (the collector step was skipped)', async () => {
    scriptSsm(() => success('Step execution skipped due to unsatisfied preconditions'));
    const { opts } = options();
    const result = await runCollector(new SSMClient({}), [id(1)], opts);
    expect(result.outcomes.get(id(1))).toMatchObject({
      kind: 'not-assessed',
      code: 'NO_EVIDENCE',
      reason: expect.stringMatching(/printed no evidence document/),
      commandId: 'cmd-1',
    });
  });

  it("Success with the compact envelope → the output to evaluate (its encoding is the parser's business)", async () => {
    const envelope = '{"eka":1,"gz85":"WhrR0&YcUnXlI9Mu","pad":2}';
    scriptSsm(() => success(envelope));
    const { opts } = options();
    const result = await runCollector(new SSMClient({}), [id(1)], opts);
    expect(result.outcomes.get(id(1))).toMatchObject({ kind: 'output', output: envelope });
  });

  it('Success with our document → the output to evaluate', async () => {
    scriptSsm(() => success());
    const { opts } = options();
    const result = await runCollector(new SSMClient({}), [id(1)], opts);
    expect(result.outcomes.get(id(1))).toEqual({
      kind: 'output',
      instanceId: id(1),
      output: EVIDENCE,
      commandId: 'cmd-1',
    });
  });
});

describe('reading ended commands', () => {
  it('hands each output to onOutput as soon as it is read and keeps no copy', async () => {
    // Prepare
    scriptSsm((i) => success(i === id(2) ? '{"other":1}' : EVIDENCE));
    const handed: [string, string][] = [];
    const { opts } = options(60_000, { onOutput: (instanceId, output) => handed.push([instanceId, output]) });
    // Act
    const result = await runCollector(new SSMClient({}), [id(1), id(2)], opts);
    // Assess
    expect(handed).toEqual([
      [id(1), EVIDENCE],
      [id(2), '{"other":1}'],
    ]);
    expect(result.outcomes.get(id(1))).toEqual({
      kind: 'handed-over',
      instanceId: id(1),
      commandId: 'cmd-1',
    });
    expect(JSON.stringify([...result.outcomes.values()])).not.toContain(EVIDENCE);
  });

  it('reads ended commands a few at a time, not one after another', async () => {
    // Prepare: 6 commands end together; each ListCommandInvocations page takes a while to answer.
    const commands = scriptSsm(() => success());
    let inFlight = 0;
    let most = 0;
    ssm.on(ListCommandInvocationsCommand).callsFake(async (input) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 20));
      inFlight--;
      return {
        CommandInvocations: (commands.get(input.CommandId) ?? []).map((i) => ({
          CommandId: input.CommandId,
          InstanceId: i,
          ...success(),
        })),
      };
    });
    const ids = Array.from({ length: 300 }, (_, i) => id(i + 1));
    const { opts } = options(60_000, { readConcurrency: 4 });
    // Act
    const result = await runCollector(new SSMClient({}), ids, opts);
    // Assess
    expect(most).toBe(4);
    expect(ssm).toHaveReceivedCommandTimes(ListCommandInvocationsCommand, 6);
    expect([...result.outcomes.values()].every((o) => o.kind === 'output')).toBe(true);
    expect(result.pollRounds).toBe(1);
  });
});

describe('cut output', () => {
  const cut = `${EVIDENCE.slice(0, 30)}\n---Output truncated---`;

  it('fetches the full output with GetCommandInvocation only for cut invocations', async () => {
    scriptSsm((i) => success(i === id(2) ? cut : EVIDENCE));
    ssm.on(GetCommandInvocationCommand).resolves({ StandardOutputContent: `${EVIDENCE} ` });
    const { opts } = options();
    const result = await runCollector(new SSMClient({}), [id(1), id(2), id(3)], opts);
    expect(ssm).toHaveReceivedCommandTimes(GetCommandInvocationCommand, 1);
    expect(ssm).toHaveReceivedCommandWith(GetCommandInvocationCommand, {
      CommandId: 'cmd-1',
      InstanceId: id(2),
      PluginName: 'collect',
    });
    expect(result.outcomes.get(id(2))).toMatchObject({ kind: 'output', output: `${EVIDENCE} ` });
  });

  it('retries InvocationDoesNotExist a bounded number of times', async () => {
    scriptSsm(() => success(cut));
    ssm
      .on(GetCommandInvocationCommand)
      .rejectsOnce(Object.assign(new Error('no'), { name: 'InvocationDoesNotExist' }))
      .rejectsOnce(Object.assign(new Error('no'), { name: 'InvocationDoesNotExist' }))
      .resolves({ StandardOutputContent: EVIDENCE });
    const { opts } = options();
    const result = await runCollector(new SSMClient({}), [id(1)], opts);
    expect(ssm).toHaveReceivedCommandTimes(GetCommandInvocationCommand, 3);
    expect(result.outcomes.get(id(1))).toMatchObject({ kind: 'output', output: EVIDENCE });
  });

  it('keeps the cut output (evaluated as truncated) when GetCommandInvocation keeps failing', async () => {
    scriptSsm(() => success(cut));
    ssm
      .on(GetCommandInvocationCommand)
      .rejects(Object.assign(new Error('no'), { name: 'InvocationDoesNotExist' }));
    const { opts } = options();
    const result = await runCollector(new SSMClient({}), [id(1)], opts);
    expect(ssm).toHaveReceivedCommandTimes(GetCommandInvocationCommand, 4);
    expect(result.outcomes.get(id(1))).toMatchObject({ kind: 'output', output: cut });
  });
});

describe('deadline', () => {
  it('stops polling at the deadline; finished nodes keep their answer, pending ones get "scan deadline reached"', async () => {
    // Prepare: the command never finishes; one invocation is done, one still InProgress, one never listed.
    scriptSsm(() => success(), Number.POSITIVE_INFINITY);
    ssm.on(ListCommandInvocationsCommand).resolves({
      CommandInvocations: [
        { CommandId: 'cmd-1', InstanceId: id(1), ...success() },
        { CommandId: 'cmd-1', InstanceId: id(2), Status: 'InProgress', StatusDetails: 'InProgress' },
      ],
    });
    const { opts } = options(12_000);
    // Act
    const result = await runCollector(new SSMClient({}), [id(1), id(2), id(3)], opts);
    // Assess
    expect(result.deadlineReached).toBe(true);
    expect(result.pollRounds).toBe(3);
    expect(result.outcomes.get(id(1))?.kind).toBe('output');
    expect(result.outcomes.get(id(2))).toMatchObject({
      code: 'DEADLINE',
      reason: expect.stringMatching(/^scan deadline reached/),
    });
    expect(result.outcomes.get(id(3))).toMatchObject({
      code: 'DEADLINE',
      reason: expect.stringMatching(/^scan deadline reached/),
    });
  });

  it('does nothing for an empty list', async () => {
    const { opts } = options();
    const result = await runCollector(new SSMClient({}), [], opts);
    expect(result.outcomes.size).toBe(0);
    expect(ssm.calls()).toHaveLength(0);
  });
});
