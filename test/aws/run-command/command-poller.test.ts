import 'aws-sdk-client-mock-vitest/extend';
import { ListCommandsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  CommandPoller,
  listExecutingCommands,
  pollIntervalForNodes,
} from '../../../functions/aws/run-command/command-poller.ts';

const ssm = mockClient(SSMClient);
beforeEach(() => ssm.reset());

describe('listExecutingCommands', () => {
  it('pages through the executing commands of the document and leaves out terminal ones', async () => {
    // Prepare: two pages; one command SSM still lists although it ended.
    ssm
      .on(ListCommandsCommand)
      .resolvesOnce({
        Commands: [{ CommandId: 'a', Status: 'InProgress', TargetCount: 300, CompletedCount: 120 }],
        NextToken: 't',
      })
      .resolvesOnce({
        Commands: [
          { CommandId: 'b', Status: 'Pending', TargetCount: 0, CompletedCount: 0 },
          { CommandId: 'c', Status: 'Success', TargetCount: 5, CompletedCount: 5 },
        ],
      });
    // Act
    const listed = await listExecutingCommands(
      new SSMClient({}),
      'Doc',
      new Date('2026-11-28T10:00:00.250Z'),
    );
    // Assess
    expect([...listed]).toEqual([
      ['a', { targets: 300, completed: 120 }],
      ['b', { targets: 0, completed: 0 }],
    ]);
    expect(ssm).toHaveReceivedNthCommandWith(ListCommandsCommand, 1, {
      Filters: [
        { key: 'DocumentName', value: 'Doc' },
        { key: 'InvokedAfter', value: '2026-11-28T10:00:00Z' },
        { key: 'ExecutionStage', value: 'Executing' },
      ],
    });
  });
});

describe('CommandPoller', () => {
  it('serves callers within a second of a listing from it, unless they sent a command after it began', async () => {
    // Prepare
    ssm.on(ListCommandsCommand).resolves({ Commands: [] });
    let now = 10_000;
    const poller = new CommandPoller(new SSMClient({}), 'Doc', new Date(0), () => now);
    // Act: three scans ask at 10.0 s, 10.5 s (sent at 9 s) and 10.6 s (sent at 10.2 s); then at 11.5 s
    // (the listing of 10.6 s is fresh enough) and 11.7 s (it is not).
    await poller.list(0);
    now = 10_500;
    await poller.list(9_000);
    now = 10_600;
    await poller.list(10_200);
    const afterSend = ssm.commandCalls(ListCommandsCommand).length;
    now = 11_500;
    await poller.list(0);
    const fresh = ssm.commandCalls(ListCommandsCommand).length;
    now = 11_700;
    await poller.list(0);
    // Assess: one listing for the first two, a new one for the scan that sent after it began, and
    // one more once that one is over a second old.
    expect(afterSend).toBe(2);
    expect(fresh).toBe(2);
    expect(ssm).toHaveReceivedCommandTimes(ListCommandsCommand, 3);
  });

  it('shares a listing still in flight, and does not hand out a failed one', async () => {
    // Prepare: the first listing fails.
    ssm.on(ListCommandsCommand).rejectsOnce(new Error('boom')).resolves({ Commands: [] });
    const poller = new CommandPoller(new SSMClient({}), 'Doc', new Date(0), () => 5_000);
    // Act
    const [a, b] = await Promise.allSettled([poller.list(0), poller.list(0)]);
    const c = await poller.list(0);
    // Assess: both callers of the failed listing see its error; the next caller gets a new listing.
    expect(a.status).toBe('rejected');
    expect(b.status).toBe('rejected');
    expect(c.size).toBe(0);
    expect(ssm).toHaveReceivedCommandTimes(ListCommandsCommand, 2);
  });
});

describe('pollIntervalForNodes', () => {
  it.each([
    [50, 5_000],
    [1_000, 5_000],
    [2_000, 2_500],
    [5_000, 1_000],
    [20_000, 1_000],
  ])('a scan of %i nodes alone polls every %i ms at the default 5 s', (nodes, expected) => {
    // Act + Assess: one listing per 1,000 nodes every 5 s, between 1 s and the configured pace.
    expect(pollIntervalForNodes(5_000, nodes)).toBe(expected);
  });

  it('never polls slower than configured, nor quicker than a configured pace under a second', () => {
    // Act + Assess
    expect(pollIntervalForNodes(500, 10)).toBe(500);
    expect(pollIntervalForNodes(500, 50_000)).toBe(500);
    expect(pollIntervalForNodes(10, 3)).toBe(10);
  });
});
