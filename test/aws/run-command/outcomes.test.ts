/** Each SSM invocation status → the node's answer (outcomes.ts), without a collection around it. */
import { type CommandInvocation, SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { failedInvocationOutcome, successOutcome } from '../../../functions/aws/run-command/outcomes.ts';
import { createState } from '../../../functions/aws/run-command/state.ts';

const INSTANCE = 'i-00000000000000001';
const EVIDENCE = '{"format":"eks-kubelet-audit/evidence","version":1,"end":true}';

const success = (output = EVIDENCE): CommandInvocation => ({
  Status: 'Success',
  StatusDetails: 'Success',
  CommandPlugins: [{ Name: 'collect', Status: 'Success', Output: output }],
});

/** The answer for one listed invocation of command cmd-1, as a read records it. */
function outcomeOf(listed: CommandInvocation) {
  const invocation = { ...listed, CommandId: 'cmd-1', InstanceId: INSTANCE };
  if (invocation.Status !== 'Success') return failedInvocationOutcome(invocation);
  const state = createState(new SSMClient({}), [INSTANCE], {
    documentName: 'KubeletAudit-Collect',
    deliveryTimeoutSeconds: 60,
    pollInitialDelayMs: 1_000,
    pollIntervalMs: 5_000,
    remainingMs: () => 60_000,
    now: () => new Date(Date.UTC(2026, 10, 28)),
    sleep: async () => undefined,
  });
  return successOutcome(state, invocation, 'cmd-1');
}

describe('status mapping', () => {
  const table: [string, CommandInvocation, string, RegExp][] = [
    [
      'Failed',
      { Status: 'Failed', StatusDetails: 'Failed', CommandPlugins: [{ Output: 'bash: line 1: boom\x07' }] },
      'SSM_FAILED',
      /Failed: the collector exited.*Output: "bash: line 1: boom"/,
    ],
    [
      'Execution Timed Out',
      { Status: 'TimedOut', StatusDetails: 'Execution Timed Out' },
      'SSM_EXECUTIONTIMEDOUT',
      /TimedOut \(Execution Timed Out\)/,
    ],
    [
      'Delivery Timed Out',
      { Status: 'TimedOut', StatusDetails: 'Delivery Timed Out' },
      'SSM_DELIVERYTIMEDOUT',
      /could not deliver/,
    ],
    ['Cancelled', { Status: 'Cancelled', StatusDetails: 'Cancelled' }, 'SSM_CANCELLED', /cancelled/],
    [
      'Undeliverable',
      { Status: 'Failed', StatusDetails: 'Undeliverable' },
      'SSM_UNDELIVERABLE',
      /no longer exists/,
    ],
    ['Terminated', { Status: 'Failed', StatusDetails: 'Terminated' }, 'SSM_TERMINATED', /MaxErrors/],
    [
      'Access Denied',
      { Status: 'Failed', StatusDetails: 'Access Denied' },
      'SSM_ACCESSDENIED',
      /may not send commands/,
    ],
    [
      'Invalid Platform',
      { Status: 'Failed', StatusDetails: 'Invalid Platform' },
      'SSM_INVALIDPLATFORM',
      /platform/,
    ],
    [
      'Success without our document',
      success('Step execution skipped due to unsatisfied preconditions'),
      'NO_EVIDENCE',
      /printed no evidence document/,
    ],
  ];

  it.each(table)('%s → NOT_AVAILABLE with status and reason', async (_, invocation, code, reason) => {
    const outcome = await outcomeOf(invocation);
    expect(outcome.kind).toBe('not-assessed');
    if (outcome.kind !== 'not-assessed') return;
    expect(outcome.instanceId).toBe(INSTANCE);
    expect(outcome.code).toBe(code);
    expect(outcome.reason).toMatch(reason);
    expect([...outcome.reason].every((ch) => ch >= ' ')).toBe(true);
    expect(outcome.commandId).toBe('cmd-1');
  });
});
