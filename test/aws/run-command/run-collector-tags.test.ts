/**
 * Tag-targeted Run Command (run-collector.ts `tagTargets`): one SendCommand per large node group, the
 * nodes SSM did not resolve the tag to classified by one DescribeInstanceInformation, offline
 * targets not waited for, stragglers never cut short while the command still runs.
 */
import 'aws-sdk-client-mock-vitest/extend';
import {
  DescribeInstanceInformationCommand,
  GetCommandInvocationCommand,
  type InstanceInformation,
  ListCommandInvocationsCommand,
  ListCommandsCommand,
  SendCommandCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CommandPoller } from '../../../functions/aws/run-command/command-poller.ts';
import {
  EARLY_FREE_NODES,
  EARLY_PAGES_PER_SECOND,
  EARLY_STRAGGLER_SHARE,
  EarlyReads,
} from '../../../functions/aws/run-command/early-reads.ts';
import {
  type RunCommandOptions,
  runCollector,
  stragglerAllowance,
  type TagTarget,
} from '../../../functions/aws/run-command/index.ts';

const ssm = mockClient(SSMClient);
const DOC = 'KubeletAudit-Collect';
const EVIDENCE = '{"format":"eks-kubelet-audit/evidence","version":1,"end":true}';

const id = (n: number) => `i-${n.toString(16).padStart(17, '0')}`;
const ids = (from: number, count: number) => Array.from({ length: count }, (_, k) => id(from + k));

function options(extra: Partial<RunCommandOptions> = {}) {
  let t = 0;
  const opts: RunCommandOptions = {
    documentName: DOC,
    deliveryTimeoutSeconds: 60,
    pollInitialDelayMs: 1_000,
    pollIntervalMs: 5_000,
    remainingMs: () => 120_000 - t,
    now: () => new Date(Date.UTC(2026, 10, 28) + t),
    sleep: async (ms) => {
      t += ms;
    },
    ...extra,
  };
  return opts;
}

interface Scripted {
  /** Instances SSM resolves a tag to. */
  resolve: (key: string, value: string) => string[];
  /** Round (1-based ListCommands call) from which an instance's invocation is terminal; Infinity = never. */
  doneAt: (instanceId: string) => number;
  /** DescribeInstanceInformation answer for a looked-up id (undefined = SSM does not list it). */
  info?: (instanceId: string) => InstanceInformation | undefined;
  /** Real milliseconds a ListCommandInvocations page takes to arrive (its content is taken at the call). */
  pageDelayMs?: number;
  /** Called for each ListCommandInvocations page (e.g. to move a test clock). */
  onPage?: (input: { CommandId?: string; NextToken?: string }) => void;
  /** Called as each ListCommandInvocations page answers. */
  onPageEnd?: (input: { CommandId?: string; NextToken?: string }) => void;
  /** Called for each GetCommandInvocation. */
  onGci?: () => void;
  /** Called for each ListCommands (e.g. to move a test clock). */
  onList?: () => void;
  /** Real milliseconds a GetCommandInvocation takes to answer. */
  gciDelayMs?: number;
  /** Instances still running when ListCommands counts, but ended once their page is listed. */
  endedByListing?: ReadonlySet<string>;
  /** Real milliseconds a DescribeInstanceInformation takes to answer. */
  infoDelayMs?: number;
  /** Called as a DescribeInstanceInformation starts and as it answers. */
  onInfo?: (stage: 'start' | 'end') => void;
}

/** A scripted SSM that resolves Targets, counts completions per ListCommands round, pages invocations. */
function scriptSsm(s: Scripted) {
  const commands = new Map<string, string[]>();
  let round = 0;
  ssm.on(SendCommandCommand).callsFake((input) => {
    const commandId = `cmd-${commands.size + 1}`;
    const targets = input.Targets
      ? s.resolve(String(input.Targets[0].Key).replace(/^tag:/, ''), input.Targets[0].Values[0])
      : input.InstanceIds;
    commands.set(commandId, targets);
    return { Command: { CommandId: commandId, Status: 'Pending' } };
  });
  const terminal = (instanceId: string) => round >= s.doneAt(instanceId);
  ssm.on(ListCommandsCommand).callsFake(() => {
    s.onList?.();
    round++;
    return {
      Commands: [...commands].map(([CommandId, targets]) => {
        const completed = targets.filter(terminal).length;
        return {
          CommandId,
          Status: completed === targets.length ? 'Success' : 'InProgress',
          TargetCount: targets.length,
          CompletedCount: completed,
        };
      }),
    };
  });
  ssm.on(ListCommandInvocationsCommand).callsFake(async (input) => {
    // The Status filter (the only one the scanner uses here) keeps the invocations still running.
    const status = input.Filters?.find((f: { key: string }) => f.key === 'Status')?.value;
    const all = commands.get(input.CommandId) ?? [];
    const listedTerminal = (i: string) => terminal(i) || (s.endedByListing?.has(i) ?? false);
    const targets = status === 'InProgress' ? all.filter((i) => !listedTerminal(i)) : all;
    const start = input.NextToken ? Number(input.NextToken) : 0;
    const page = {
      CommandInvocations: targets.slice(start, start + 50).map((InstanceId) => ({
        CommandId: input.CommandId,
        InstanceId,
        ...(listedTerminal(InstanceId)
          ? { Status: 'Success', StatusDetails: 'Success', CommandPlugins: [{ Output: EVIDENCE }] }
          : { Status: 'InProgress', StatusDetails: 'InProgress' }),
      })),
      ...(start + 50 < targets.length ? { NextToken: String(start + 50) } : {}),
    };
    s.onPage?.(input);
    if (s.pageDelayMs) await new Promise((resolve) => setTimeout(resolve, s.pageDelayMs));
    s.onPageEnd?.(input);
    return page;
  });
  let gciInFlight = 0;
  let gciMaxInFlight = 0;
  ssm.on(GetCommandInvocationCommand).callsFake(async (input) => {
    s.onGci?.();
    gciMaxInFlight = Math.max(gciMaxInFlight, ++gciInFlight);
    if (s.gciDelayMs) await new Promise((resolve) => setTimeout(resolve, s.gciDelayMs));
    gciInFlight--;
    return terminal(input.InstanceId)
      ? { Status: 'Success', StatusDetails: 'Success', StandardOutputContent: EVIDENCE }
      : { Status: 'InProgress', StatusDetails: 'InProgress' };
  });
  ssm.on(DescribeInstanceInformationCommand).callsFake(async (input) => {
    s.onInfo?.('start');
    const wanted = input.Filters?.find((f: { Key: string }) => f.Key === 'InstanceIds')?.Values ?? [];
    if (s.infoDelayMs) await new Promise((resolve) => setTimeout(resolve, s.infoDelayMs));
    s.onInfo?.('end');
    return { InstanceInformationList: wanted.map((i: string) => s.info?.(i)).filter(Boolean) };
  });
  return { commands, rounds: () => round, gciMaxInFlight: () => gciMaxInFlight };
}

const group = (instanceIds: string[], offline = 0): TagTarget => ({
  key: 'tag:eks:cluster-name',
  value: 'prod',
  instanceIds,
  offline,
});

beforeEach(() => ssm.reset());

/** Early reads of an invocation whose scans together give a budget of `stragglers`. */
function earlyReadsBudgeted(stragglers: number): EarlyReads {
  const earlyReads = new EarlyReads();
  earlyReads.addNodes(EARLY_FREE_NODES + stragglers / EARLY_STRAGGLER_SHARE);
  return earlyReads;
}

/** A group of 400 whose 16 slow nodes end in round 3, and early reads budgeted for `stragglers`. */
function groupWithSlowNodes(stragglers: number) {
  const nodes = ids(1, 400);
  const slow = new Set(nodes.slice(100, 116));
  scriptSsm({ resolve: () => nodes, doneAt: (i) => (slow.has(i) ? 3 : 1) });
  return { nodes, earlyReads: earlyReadsBudgeted(stragglers) };
}

describe('stragglerAllowance', () => {
  it.each([
    [60, 1],
    [500, 1],
    [700, 2],
    [1_100, 5],
    [3_500, 49],
  ])('a group of %i nodes may be read with %i still running', (size, allowed) => {
    // Act + Assess: size × its read time (a page per 50 at 10 a second) × 0.2 % a second, at least 1.
    expect(stragglerAllowance(size)).toBe(allowed);
  });
});

describe('tag-targeted SendCommand', () => {
  it('reaches a node group with one call and sends only the rest by id', async () => {
    // Prepare: 120 nodes of a managed node group (by tag) and 30 self-managed ones (by id).
    const tagged = ids(1, 120);
    const loose = ids(500, 30);
    scriptSsm({ resolve: () => tagged, doneAt: () => 1 });
    // Act
    const result = await runCollector(new SSMClient({}), [...tagged, ...loose], {
      ...options(),
      tagTargets: [group(tagged)],
    });
    // Assess
    const sends = ssm.commandCalls(SendCommandCommand).map((c) => c.args[0].input);
    expect(sends).toHaveLength(2);
    expect(sends[0]).toMatchObject({
      Targets: [{ Key: 'tag:eks:cluster-name', Values: ['prod'] }],
      MaxConcurrency: '100%',
      MaxErrors: '100%',
    });
    expect(sends[0]?.InstanceIds).toBeUndefined();
    expect(sends[1]?.InstanceIds).toEqual(loose);
    expect(result.sentTo).toBe(150);
    expect([...result.outcomes.values()].every((o) => o.kind === 'output')).toBe(true);
    // 120 invocations are 3 pages, the 30 by id 1 page.
    expect(ssm).toHaveReceivedCommandTimes(ListCommandInvocationsCommand, 4);
  });

  it('classifies nodes SSM did not resolve the tag to with one look-up: online ones are sent by id', async () => {
    // Prepare: 60 nodes; the tag does not resolve to #1 (not managed) nor #2 (tag not seen yet, online).
    const nodes = ids(1, 60);
    const [unmanaged, lateTag] = [nodes[0]!, nodes[1]!];
    scriptSsm({
      resolve: () => nodes.slice(2),
      doneAt: () => 1,
      info: (i) => (i === lateTag ? { InstanceId: i, PingStatus: 'Online' } : undefined),
    });
    // Act
    const result = await runCollector(new SSMClient({}), nodes, {
      ...options(),
      tagTargets: [group(nodes)],
    });
    // Assess
    expect(ssm).toHaveReceivedCommandTimes(DescribeInstanceInformationCommand, 1);
    const sends = ssm.commandCalls(SendCommandCommand).map((c) => c.args[0].input);
    expect(sends[1]?.InstanceIds).toEqual([lateTag]);
    expect(result.outcomes.get(lateTag)?.kind).toBe('output');
    expect(result.outcomes.get(unmanaged)).toMatchObject({ kind: 'not-assessed', code: 'SSM_UNMANAGED' });
    expect(result.sentTo).toBe(59);
  });

  it("looks up the nodes a group's tag did not reach beside its last pages, not after them", async () => {
    // Prepare: 110 nodes; the tag does not reach #1 (unmanaged, running), #2 (unmanaged, terminated
    // since discovery) nor #3 (online, tag not seen yet): 107 invocations, pages of 50, 50 and 7.
    // Before the first page, 110 nodes are not listed and the pages hold 107: 3 are untargeted; after
    // the second page, 10 are not listed and the last page holds 7.
    const nodes = ids(1, 110);
    const [unmanaged, gone, lateTag] = [nodes[0]!, nodes[1]!, nodes[2]!];
    const events: string[] = [];
    scriptSsm({
      resolve: () => nodes.slice(3),
      // The first poll counts 107 targets, the second finds the command ended.
      doneAt: () => 2,
      info: (i) => (i === lateTag ? { InstanceId: i, PingStatus: 'Online' } : undefined),
      pageDelayMs: 20,
      onPage: (input) => events.push(`page ${input.NextToken ?? 0}`),
      onPageEnd: (input) => events.push(`page ${input.NextToken ?? 0} answered`),
      onInfo: (stage) => events.push(`ssm ${stage}`),
    });
    const stillRunning = async (asked: readonly string[]) => {
      events.push(`ec2 ${asked.length}`);
      return new Set(asked.filter((i) => i !== gone));
    };
    // Act
    const result = await runCollector(new SSMClient({}), nodes, {
      ...options({ stillRunning }),
      tagTargets: [group(nodes)],
    });
    // Assess: one look-up each, made before the pages answered: EC2 (200 ids a call) for the 110 not
    // listed yet before the first page answered, SSM (50 a call) for the 10 as the last page was asked.
    expect(ssm).toHaveReceivedCommandTimes(DescribeInstanceInformationCommand, 1);
    const tagPages = ssm
      .commandCalls(ListCommandInvocationsCommand)
      .filter((c) => c.args[0].input.CommandId === 'cmd-1');
    expect(tagPages).toHaveLength(3);
    const lastAnswered = events.indexOf('page 100 answered');
    expect(events.indexOf('ssm start')).toBeGreaterThan(events.indexOf('page 100'));
    expect(events.indexOf('ssm start')).toBeLessThan(lastAnswered);
    expect(events.filter((e) => e.startsWith('ec2'))).toEqual(['ec2 110']);
    expect(events.indexOf('ec2 110')).toBeLessThan(events.indexOf('page 0 answered'));
    expect(result.outcomes.get(unmanaged)).toMatchObject({ kind: 'not-assessed', code: 'SSM_UNMANAGED' });
    expect(result.outcomes.get(gone)).toMatchObject({ kind: 'not-assessed', code: 'SSM_VANISHED' });
    expect(result.outcomes.get(lateTag)?.kind).toBe('output');
    expect(result.sentTo).toBe(108);
  });

  it('without untargeted nodes, looks nothing up', async () => {
    // Prepare: the tag reaches all 110 nodes.
    const nodes = ids(1, 110);
    scriptSsm({ resolve: () => nodes, doneAt: () => 1 });
    const stillRunning = vi.fn(async (asked: readonly string[]) => new Set(asked));
    // Act
    const result = await runCollector(new SSMClient({}), nodes, {
      ...options({ stillRunning }),
      tagTargets: [group(nodes)],
    });
    // Assess
    expect(ssm).toHaveReceivedCommandTimes(DescribeInstanceInformationCommand, 0);
    expect(stillRunning).not.toHaveBeenCalled();
    expect(result.sentTo).toBe(110);
  });

  it('does not wait for the known offline nodes the tag also reaches', async () => {
    // Prepare: SSM resolves the tag to 100 online nodes and 2 offline ones that never answer.
    const online = ids(1, 100);
    const offline = ids(900, 2);
    const ssmScript = scriptSsm({
      resolve: () => [...online, ...offline],
      doneAt: (i) => (offline.includes(i) ? Number.POSITIVE_INFINITY : 2),
    });
    // Act
    const result = await runCollector(new SSMClient({}), online, {
      ...options(),
      tagTargets: [group(online, offline.length)],
    });
    // Assess: read in round 2 (98% done, the rest offline), not after the delivery timeout.
    expect(ssmScript.rounds()).toBe(2);
    expect(result.outcomes.size).toBe(100);
    expect([...result.outcomes.values()].every((o) => o.kind === 'output')).toBe(true);
    expect(result.outcomes.has(offline[0]!)).toBe(false);
  });

  it('reads a group while two nodes still run, and fetches each of those alone once the count moves', async () => {
    // Prepare: two stragglers of 700 (a group that may be read with 2 still running) end in rounds 4
    // and 6; everything else in round 1.
    const nodes = ids(1, 700);
    const [slow, slower] = [nodes[7]!, nodes[599]!];
    const ssmScript = scriptSsm({
      resolve: () => nodes,
      doneAt: (i) => (i === slow ? 4 : i === slower ? 6 : 1),
    });
    // Act
    const result = await runCollector(new SSMClient({}), nodes, {
      ...options(),
      tagTargets: [group(nodes)],
    });
    // Assess: the pages are read once (14 pages, in round 1); a straggler is asked for only in a round
    // where SSM's count moved, and only until as many as it moved by are found done (4: the first,
    // done, so not the second; 6: the second).
    expect(ssm).toHaveReceivedCommandTimes(ListCommandInvocationsCommand, 14);
    expect(ssm.commandCalls(GetCommandInvocationCommand).map((c) => c.args[0].input.InstanceId)).toEqual([
      slow,
      slower,
    ]);
    expect(ssmScript.rounds()).toBe(6);
    expect(result.outcomes.get(slower)?.kind).toBe('output');
    expect([...result.outcomes.values()].every((o) => o.kind === 'output')).toBe(true);
  });

  it('reads a large group while more of its nodes still run, and asks only for those a listing shows ended', async () => {
    // Prepare: a group of 1,100 (22 pages, so it may leave 5 running); 5 slow nodes end one by one in
    // rounds 3 to 7, the last of the group first; everything else in round 1.
    const nodes = ids(1, 1_100);
    const slow = [nodes[1_099]!, nodes[900]!, nodes[600]!, nodes[300]!, nodes[5]!];
    scriptSsm({ resolve: () => nodes, doneAt: (i) => (slow.includes(i) ? 3 + slow.indexOf(i) : 1) });
    // Act
    const result = await runCollector(new SSMClient({}), nodes, {
      ...options(),
      tagTargets: [group(nodes)],
    });
    // Assess: the 22 pages are read once, in round 1; each later round that moved lists those still
    // InProgress (one page) while three or more are left and asks for the one that ended: 6 calls for
    // the 5 (the last two are asked blindly), where asking each in turn until one has ended takes 15.
    const lci = ssm.commandCalls(ListCommandInvocationsCommand).map((c) => c.args[0].input);
    expect(lci.filter((i) => !i.Filters)).toHaveLength(22);
    expect(lci.filter((i) => i.Filters?.[0]?.value === 'InProgress')).toHaveLength(3);
    const asked = ssm.commandCalls(GetCommandInvocationCommand).map((c) => c.args[0].input.InstanceId);
    expect(asked.slice(0, 3)).toEqual(slow.slice(0, 3));
    expect(asked).toHaveLength(6);
    expect(result.outcomes.size).toBe(1_100);
    expect([...result.outcomes.values()].every((o) => o.kind === 'output')).toBe(true);
  });

  it("hands each page's outputs over as the page arrives, not once the whole group is read", async () => {
    // Prepare: a group of 200 (4 pages), all done in round 1.
    const nodes = ids(1, 200);
    scriptSsm({ resolve: () => nodes, doneAt: () => 1 });
    const pagesReadAtOutput: number[] = [];
    // Act
    await runCollector(new SSMClient({}), nodes, {
      ...options(),
      tagTargets: [group(nodes)],
      onOutput: () => pagesReadAtOutput.push(ssm.commandCalls(ListCommandInvocationsCommand).length),
    });
    // Assess: the first 50 outputs were evaluated once the second page was asked for (it is fetched
    // while they are evaluated), before the third.
    expect(pagesReadAtOutput).toHaveLength(200);
    expect(pagesReadAtOutput.slice(0, 50).every((n) => n === 2)).toBe(true);
    expect(pagesReadAtOutput.at(-1)).toBe(4);
  });

  it('reads a group early, leaving more running, while the read quota is idle and the budget allows', async () => {
    // Prepare: a group of 400; 16 nodes (4 %) end in round 3, the rest in round 1. A budget of 50
    // stragglers, of which one read may take 65 % (32.5).
    const { nodes, earlyReads } = groupWithSlowNodes(50);
    // Act
    const result = await runCollector(new SSMClient({}), nodes, {
      ...options(),
      tagTargets: [group(nodes)],
      earlyReads,
    });
    // Assess: the 8 pages are read once, in round 1, with the 16 left as stragglers (its usual 2 would
    // have waited for round 3); the budget paid for them.
    const lci = ssm.commandCalls(ListCommandInvocationsCommand).map((c) => c.args[0].input);
    expect(lci.filter((i) => !i.Filters)).toHaveLength(8);
    expect(ssm.commandCalls(GetCommandInvocationCommand).length).toBeGreaterThanOrEqual(16);
    expect(earlyReads.remaining).toBe(34);
    expect([...result.outcomes.values()].every((o) => o.kind === 'output')).toBe(true);
  });

  it("lists an early read's pages at the read quota's refill rate, keeping its burst for the end", async () => {
    // Prepare: as above (a group of 400 read early with 16 still running); each page's time is noted.
    const nodes = ids(1, 400);
    const slow = new Set(nodes.slice(100, 116));
    const opts = options();
    const pageTimes: number[] = [];
    scriptSsm({
      resolve: () => nodes,
      doneAt: (i) => (slow.has(i) ? 3 : 1),
      onPage: (input) => {
        if (!(input as { Filters?: unknown }).Filters) pageTimes.push(opts.now().getTime());
      },
    });
    const earlyReads = earlyReadsBudgeted(50);
    // Act
    await runCollector(new SSMClient({}), nodes, { ...opts, tagTargets: [group(nodes)], earlyReads });
    // Assess: 8 pages; the first four at once (the pace's 300 ms of catch-up: 3 pages of the quota's
    // burst of 20), then 100 ms apart at least (10 a second), not all back to back.
    expect(pageTimes).toHaveLength(8);
    const step = 1_000 / EARLY_PAGES_PER_SECOND;
    const gaps = pageTimes.slice(1).map((t, i) => t - pageTimes[i]!);
    expect(Math.min(...gaps.slice(3))).toBeGreaterThanOrEqual(step);
    expect(pageTimes.at(-1)! - pageTimes[0]!).toBeGreaterThanOrEqual(4 * step);
  });

  it('gives back to the budget the nodes that ended between the poll and their page', async () => {
    // Prepare: as above, but 6 of the 16 slow nodes have ended by the time their page is listed.
    const nodes = ids(1, 400);
    const slow = nodes.slice(100, 116);
    scriptSsm({
      resolve: () => nodes,
      doneAt: (i) => (slow.includes(i) ? 3 : 1),
      endedByListing: new Set(slow.slice(0, 6)),
    });
    const earlyReads = earlyReadsBudgeted(50);
    // Act
    await runCollector(new SSMClient({}), nodes, { ...options(), tagTargets: [group(nodes)], earlyReads });
    // Assess: charged the 10 left running (50 - 16 + 6), not the 16 the poll counted.
    expect(earlyReads.remaining).toBe(40);
  });

  it('does not read a group early when its stragglers would take more than 65 % of the budget left', async () => {
    // Prepare: as above with a budget of 20 (one read may take 13).
    const { nodes, earlyReads } = groupWithSlowNodes(20);
    // Act
    await runCollector(new SSMClient({}), nodes, { ...options(), tagTargets: [group(nodes)], earlyReads });
    // Assess: read once when done, no straggler fetched.
    expect(
      ssm.commandCalls(ListCommandInvocationsCommand).filter((c) => !c.args[0].input.Filters),
    ).toHaveLength(8);
    expect(ssm).toHaveReceivedCommandTimes(GetCommandInvocationCommand, 0);
    expect(earlyReads.remaining).toBe(20);
  });

  it('of two groups that could be read early, takes the one nearer its end first', async () => {
    // Prepare: groups a and b of 400; 16 of a and 8 of b end in round 3, the rest in round 1. Budget
    // 30: b's 8 leave 22, of which a read may take 14.3 (65 %), less than a's 16.
    const a = ids(1, 400);
    const b = ids(1_001, 400);
    const slow = new Set([...a.slice(0, 16), ...b.slice(0, 8)]);
    scriptSsm({ resolve: (_key, value) => (value === 'a' ? a : b), doneAt: (i) => (slow.has(i) ? 3 : 1) });
    const earlyReads = earlyReadsBudgeted(30);
    // Act
    const result = await runCollector(new SSMClient({}), [...a, ...b], {
      ...options(),
      tagTargets: [
        { ...group(a), value: 'a' },
        { ...group(b), value: 'b' },
      ],
      earlyReads,
    });
    // Assess: b was read early and its 8 fetched one by one; a (listed first) waited until it was done.
    const asked = ssm.commandCalls(GetCommandInvocationCommand).map((c) => c.args[0].input.InstanceId);
    expect(new Set(asked)).toEqual(new Set(b.slice(0, 8)));
    expect(earlyReads.remaining).toBeCloseTo(22);
    expect([...result.outcomes.values()].every((o) => o.kind === 'output')).toBe(true);
  });

  it('does not read a group early while its findings could not be imported anyway (readEarly)', async () => {
    // Prepare: the first early-read case, but the caller says an early read would gain nothing.
    const { nodes, earlyReads } = groupWithSlowNodes(50);
    // Act
    await runCollector(new SSMClient({}), nodes, {
      ...options(),
      tagTargets: [group(nodes)],
      earlyReads,
      readEarly: () => false,
    });
    // Assess: read once when done; nothing taken from the budget.
    expect(ssm).toHaveReceivedCommandTimes(GetCommandInvocationCommand, 0);
    expect(earlyReads.remaining).toBe(50);
  });

  it("asks for an ended command's stragglers side by side", async () => {
    // Prepare: a group of 700 (it may be read with 2 still running); 2 slow nodes end in round 3, the
    // rest in round 1; each GetCommandInvocation takes 20 ms.
    const nodes = ids(1, 700);
    const slow = new Set(nodes.slice(0, 2));
    const script = scriptSsm({
      resolve: () => nodes,
      doneAt: (i) => (slow.has(i) ? 3 : 1),
      gciDelayMs: 20,
    });
    // Act
    const result = await runCollector(new SSMClient({}), nodes, { ...options(), tagTargets: [group(nodes)] });
    // Assess: read in round 1; once the command ended, its 2 stragglers were asked at once.
    expect(ssm).toHaveReceivedCommandTimes(GetCommandInvocationCommand, 2);
    expect(script.gciMaxInFlight()).toBe(2);
    expect([...result.outcomes.values()].every((o) => o.kind === 'output')).toBe(true);
  });

  it('asks the stragglers of a group whose command ended during its read as the read ends, not a poll later', async () => {
    // Prepare: group a of 400 is read early in round 1, its 16 slow nodes (first page) left running; they
    // end in round 2, which polls taken while a's other pages arrive (20 ms each) see. Group b (ends in
    // round 60) keeps the scan polling. From a's last page on, the scan's sleeps hang until a straggler
    // is asked (or 500 ms pass): only the read's own end can ask for them meanwhile.
    const a = ids(1, 400);
    const b = ids(1_001, 400);
    const slow = new Set(a.slice(0, 16));
    let hang = false;
    let askedWhileHanging = false;
    let wake: (() => void) | undefined;
    scriptSsm({
      resolve: (_key, value) => (value === 'a' ? a : b),
      doneAt: (i) => (slow.has(i) ? 2 : b.includes(i) ? 60 : 1),
      pageDelayMs: 20,
      onPage: (input) => {
        if (input.CommandId === 'cmd-1' && input.NextToken === '350') hang = true;
      },
      onGci: () => {
        if (!hang) return;
        askedWhileHanging = true;
        hang = false;
        wake?.();
      },
    });
    const earlyReads = earlyReadsBudgeted(50);
    let t = 0;
    // Act
    const result = await runCollector(new SSMClient({}), [...a, ...b], {
      ...options(),
      now: () => new Date(Date.UTC(2026, 10, 28) + t),
      remainingMs: () => 600_000 - t,
      sleep: async (ms) => {
        t += ms;
        if (!hang) return new Promise((resolve) => setTimeout(resolve, 2));
        return new Promise((resolve) => {
          wake = () => resolve();
          setTimeout(() => {
            hang = false;
            resolve();
          }, 500);
        });
      },
      tagTargets: [
        { ...group(a), value: 'a' },
        { ...group(b), value: 'b' },
      ],
      earlyReads,
    });
    // Assess
    expect(askedWhileHanging).toBe(true);
    expect([...result.outcomes.values()].every((o) => o.kind === 'output')).toBe(true);
  });

  it('polling alone, paces the next poll from the last one, so a long read is not followed by a full wait', async () => {
    // Prepare: a group of 400 (8 pages, each taking 2 s of the scan's clock); a slow node ends in
    // round 2, the rest in round 1. Polls every 5 s.
    const nodes = ids(1, 400);
    const slow = new Set(nodes.slice(0, 1));
    let t = 0;
    const sleeps: number[] = [];
    scriptSsm({
      resolve: () => nodes,
      doneAt: (i) => (slow.has(i) ? 2 : 1),
      onPage: () => {
        t += 2_000;
      },
    });
    // Act
    await runCollector(new SSMClient({}), nodes, {
      ...options(),
      now: () => new Date(Date.UTC(2026, 10, 28) + t),
      remainingMs: () => 120_000 - t,
      sleep: async (ms) => {
        sleeps.push(ms);
        t += ms;
      },
      tagTargets: [group(nodes)],
    });
    // Assess: the first wait only; the 16 s read outlasted the 5 s pace, so round 2 came right after it.
    expect(sleeps).toEqual([1_000]);
  });

  it('side by side, once only stragglers are left, does not wait a full interval after their asks', async () => {
    // Prepare: a group of 700 (read with 2 still running) polled through a shared poller every second;
    // its slow nodes end in rounds 3 and 5. A listing takes 100 ms of the scan's clock and each
    // GetCommandInvocation 1.5 s (asks queued behind other clusters' on the invocation's 10 a second).
    const nodes = ids(1, 700);
    const [first, second] = [nodes[0]!, nodes[1]!];
    let t = 0;
    const sleeps: number[] = [];
    scriptSsm({
      resolve: () => nodes,
      doneAt: (i) => (i === first ? 3 : i === second ? 5 : 1),
      onList: () => {
        t += 100;
      },
      // The mocked call answers at once: its 1.5 s pass once the caller is waiting for it.
      onGci: () =>
        queueMicrotask(() => {
          t += 1_500;
        }),
    });
    const now = () => new Date(Date.UTC(2026, 10, 28) + t);
    // Act
    const result = await runCollector(new SSMClient({}), nodes, {
      ...options({ pollIntervalMs: 1_000 }),
      now,
      remainingMs: () => 120_000 - t,
      sleep: async (ms) => {
        sleeps.push(ms);
        t += ms;
      },
      poller: new CommandPoller(new SSMClient({}), DOC, new Date(0), () => now().getTime()),
      pollJitter: 0,
      tagTargets: [group(nodes)],
    });
    // Assess: after round 3's ask (1.5 s, longer than the pace) round 4 comes at once; a full second
    // after each other round, so each poll lists afresh (a poll a second after the previous listing
    // started would be handed that listing again): 5 listings, one a round.
    expect(sleeps).toEqual([1_000, 1_000, 1_000, 1_000]);
    expect(ssm.commandCalls(ListCommandsCommand)).toHaveLength(5);
    expect([...result.outcomes.values()].every((o) => o.kind === 'output')).toBe(true);
  });

  it('at a 1 s poll pace, a count that stands still is read after 10 s, not every other poll', async () => {
    // Prepare: 4 slow nodes of 120 (more than a read of its 3 pages may keep) end in round 14;
    // everything else in round 1. Polls every second.
    const nodes = ids(1, 120);
    const slow = new Set([nodes[3], nodes[60], nodes[90], nodes[110]]);
    scriptSsm({ resolve: () => nodes, doneAt: (i) => (slow.has(i) ? 14 : 1) });
    // Act
    const result = await runCollector(new SSMClient({}), nodes, {
      ...options({ pollIntervalMs: 1_000 }),
      tagTargets: [group(nodes)],
    });
    // Assess: the group's 3 pages are read once when the count has stood still for 10 s (a wasted
    // read, 4 running) and once more when it is done; two polls a read would have read it 6 times.
    expect(ssm.commandCalls(ListCommandInvocationsCommand).length).toBeLessThanOrEqual(6);
    expect([...result.outcomes.values()].every((o) => o.kind === 'output')).toBe(true);
  });

  it('keeps a read that finds more running than expected, up to the pages a second read would cost', async () => {
    // Prepare: 3 slow nodes of 120 (one more than its allowance of 2, as many as its 3 pages) end in
    // round 14; everything else in round 1. Polls every second, so the count stands still for 10 s.
    const nodes = ids(1, 120);
    const slow = [nodes[3]!, nodes[60]!, nodes[110]!];
    scriptSsm({ resolve: () => nodes, doneAt: (i) => (slow.includes(i) ? 14 : 1) });
    // Act
    const result = await runCollector(new SSMClient({}), nodes, {
      ...options({ pollIntervalMs: 1_000 }),
      tagTargets: [group(nodes)],
    });
    // Assess: the 3 pages are read once; the 3 slow nodes are fetched alone when they end (3 calls,
    // where reading the group again would have cost its 3 pages and one more wait).
    expect(ssm.commandCalls(ListCommandInvocationsCommand)).toHaveLength(3);
    expect(ssm.commandCalls(GetCommandInvocationCommand).map((c) => c.args[0].input.InstanceId)).toEqual(
      slow,
    );
    expect([...result.outcomes.values()].every((o) => o.kind === 'output')).toBe(true);
  });

  it('polls at 2 s instead of 5 s once only stragglers are left', async () => {
    // Prepare: one straggler of 120 ends in round 3; everything else in round 1.
    const nodes = ids(1, 120);
    const slow = nodes[42]!;
    scriptSsm({ resolve: () => nodes, doneAt: (i) => (i === slow ? 3 : 1) });
    const slept: number[] = [];
    const base = options();
    // Act
    const result = await runCollector(new SSMClient({}), nodes, {
      ...base,
      sleep: async (ms) => {
        slept.push(ms);
        await base.sleep(ms);
      },
      tagTargets: [group(nodes)],
    });
    // Assess: the first poll after 1 s reads the group and leaves the straggler; then 2 s, not 5 s,
    // until its count moves.
    expect(slept).toEqual([1_000, 2_000, 2_000]);
    expect(result.outcomes.get(slow)?.kind).toBe('output');
  });

  it('fetches a straggler that ends while its group is being read (the count moved during the read)', async () => {
    // Prepare: group A (60 nodes and an offline one that never answers) is read at round 1, while its
    // straggler is still running; its pages arrive slowly, so the scan polls on (group B runs until
    // round 4) and sees the straggler end in round 2 before the read is over.
    const groupA = ids(1, 60);
    const groupB = ids(500, 60);
    const offline = id(999);
    const straggler = groupA[0]!;
    scriptSsm({
      resolve: (key) => (key === 'eks:cluster-name' ? [...groupA, offline] : groupB),
      doneAt: (i) =>
        i === offline ? Number.POSITIVE_INFINITY : i === straggler ? 2 : groupB.includes(i) ? 4 : 1,
      pageDelayMs: 30,
    });
    // Act
    const result = await runCollector(new SSMClient({}), [...groupA, ...groupB], {
      ...options(),
      tagTargets: [group(groupA, 1), { ...group(groupB), key: 'tag:eks:eks-cluster-name' }],
    });
    // Assess: the straggler's own answer, not "scan deadline reached".
    expect(result.deadlineReached).toBe(false);
    expect(result.outcomes.get(straggler)?.kind).toBe('output');
    expect(ssm).toHaveReceivedCommandWith(GetCommandInvocationCommand, { InstanceId: straggler });
  });

  it('with more than two nodes still running, waits and reads the group again rather than fetching each', async () => {
    // Prepare: three stragglers end in round 3; the tag also reaches a stopped instance that never
    // answers (not known offline), so only the stalled count tells the scan to look.
    const nodes = ids(1, 60);
    const slow = new Set(nodes.slice(0, 3));
    const stopped = id(999);
    const ssmScript = scriptSsm({
      resolve: () => [...nodes, stopped],
      doneAt: (i) => (i === stopped ? Number.POSITIVE_INFINITY : slow.has(i) ? 3 : 1),
    });
    // Act
    const result = await runCollector(new SSMClient({}), nodes, {
      ...options(),
      tagTargets: [group(nodes)],
    });
    // Assess: no GetCommandInvocation; the group's pages were read when the count stalled after round 3.
    expect(ssm).toHaveReceivedCommandTimes(GetCommandInvocationCommand, 0);
    expect(ssmScript.rounds()).toBeGreaterThanOrEqual(3);
    expect(result.outcomes.size).toBe(60);
    expect([...result.outcomes.values()].every((o) => o.kind === 'output')).toBe(true);
  });

  it('sends the group by id when the tag-targeted SendCommand fails', async () => {
    // Prepare
    const nodes = ids(1, 70);
    let first = true;
    const commands = new Map<string, string[]>();
    ssm.on(SendCommandCommand).callsFake((input) => {
      if (first && input.Targets) {
        first = false;
        throw Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
      }
      const commandId = `cmd-${commands.size + 1}`;
      commands.set(commandId, input.InstanceIds);
      return { Command: { CommandId: commandId } };
    });
    ssm.on(ListCommandsCommand).resolves({ Commands: [] });
    ssm.on(ListCommandInvocationsCommand).callsFake((input) => ({
      CommandInvocations: (commands.get(input.CommandId) ?? []).map((InstanceId) => ({
        InstanceId,
        Status: 'Success',
        CommandPlugins: [{ Output: EVIDENCE }],
      })),
    }));
    // Act
    const result = await runCollector(new SSMClient({}), nodes, {
      ...options(),
      tagTargets: [group(nodes)],
    });
    // Assess
    const byId = ssm.commandCalls(SendCommandCommand).slice(1);
    expect(byId.map((c) => c.args[0].input.InstanceIds?.length)).toEqual([50, 20]);
    expect(result.sentTo).toBe(70);
    expect([...result.outcomes.values()].every((o) => o.kind === 'output')).toBe(true);
  });
});
