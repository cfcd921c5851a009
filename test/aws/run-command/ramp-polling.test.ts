/**
 * Polling while SSM's rate control ramps a command up (poll.ts RAMP_POLL_FACTOR): SSM sends to one node,
 * then 2, 4 … (SSM User Guide, "Using rate controls"), so while fewer than half of a command's
 * invocations are done no poll can end it; the scan polls at half its pace until then.
 */
import 'aws-sdk-client-mock-vitest/extend';
import {
  ListCommandInvocationsCommand,
  ListCommandsCommand,
  SendCommandCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCollector } from '../../../functions/aws/run-command/index.ts';

const ssm = mockClient(SSMClient);
const EVIDENCE = '{"format":"eks-kubelet-audit/evidence","version":1,"end":true}';
const nodes = Array.from({ length: 200 }, (_, k) => `i-${(k + 1).toString(16).padStart(17, '0')}`);
/** CompletedCount at each ListCommands round: the waves of 1, 2, 4 … end one per round. */
const COMPLETED = [0, 1, 3, 7, 15, 31, 63, 127, 200];

beforeEach(() => ssm.reset());

describe('polling during the rate-control ramp', () => {
  it('polls at half pace while fewer than half of the invocations are done, then at the normal pace', async () => {
    let round = 0;
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-1', Status: 'Pending' } });
    ssm.on(ListCommandsCommand).callsFake(() => {
      round++;
      const completed = COMPLETED[Math.min(round, COMPLETED.length - 1)]!;
      return {
        Commands: [
          {
            CommandId: 'cmd-1',
            Status: completed === nodes.length ? 'Success' : 'InProgress',
            TargetCount: nodes.length,
            CompletedCount: completed,
          },
        ],
      };
    });
    ssm.on(ListCommandInvocationsCommand).callsFake((input) => {
      const start = input.NextToken ? Number(input.NextToken) : 0;
      return {
        CommandInvocations: nodes.slice(start, start + 50).map((InstanceId) => ({
          CommandId: 'cmd-1',
          InstanceId,
          Status: 'Success',
          StatusDetails: 'Success',
          CommandPlugins: [{ Output: EVIDENCE }],
        })),
        ...(start + 50 < nodes.length ? { NextToken: String(start + 50) } : {}),
      };
    });
    let t = 0;
    const waits: number[] = [];

    await runCollector(new SSMClient({}), nodes, {
      documentName: 'KubeletAudit-Collect',
      deliveryTimeoutSeconds: 60,
      pollInitialDelayMs: 1_000,
      pollIntervalMs: 1_000,
      remainingMs: () => 600_000 - t,
      now: () => new Date(Date.UTC(2026, 10, 28) + t),
      sleep: async (ms) => {
        waits.push(ms);
        t += ms;
      },
      tagTargets: [{ key: 'tag:eks:cluster-name', value: 'prod', instanceIds: nodes, offline: 0 }],
    });

    // The first poll after 1 s; then 2 s while 1, 3 … 63 of 200 are done; 1 s from 127 on.
    expect(waits.slice(0, 7)).toEqual([1_000, 2_000, 2_000, 2_000, 2_000, 2_000, 2_000]);
    expect(waits[7]).toBe(1_000);
  });
});
