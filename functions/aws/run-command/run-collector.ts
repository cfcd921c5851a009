/**
 * Runs the collector on reachable nodes through SSM Run Command and brings back one answer per node:
 * the collector's output, or why there is none. API calls are per node group or per 50 nodes, never
 * per node, except GetCommandInvocation for the rare output cut at 2,500 characters and for the last
 * few nodes of a group still running when the group is read (stragglers.ts).
 *
 * The collection runs in phases over one CollectionState (state.ts):
 * 1. send.ts: one tag-targeted SendCommand per large node group, the other nodes by id in chunks of 50
 *    (a rejected chunk is classified with DescribeInstanceInformation and its online nodes sent again);
 * 2. poll.ts: a ListCommands poll a round, which starts a background read (read-group.ts,
 *    read-pages.ts) of each command that ended or is nearly done, and straggler checks (stragglers.ts);
 *    early-candidates.ts offers groups to be read before their usual time while the read quota idles;
 *    nodes SSM did not target or list are classified as the reads find them (untargeted.ts, unlisted.ts);
 * 3. finish.ts: at the deadline, what finished is taken; every node gets an answer.
 */
import type { SSMClient } from '@aws-sdk/client-ssm';
import { finish, sweepAtDeadline } from './finish.ts';
import { pollUntilDone } from './poll.ts';
import { sendAll } from './send.ts';
import { createState } from './state.ts';
import type { RunCommandOptions, RunCommandResult } from './types.ts';

/**
 * Sends the collector to `instanceIds` (candidates not known to be offline) and waits for the answers.
 * Every id gets an outcome. Nodes of `options.tagTargets` that SSM does not target are classified once
 * their command is read (and an online one sent by id); nothing is ever sent to an unmanaged or
 * offline node.
 */
export async function runCollector(
  ssm: SSMClient,
  instanceIds: readonly string[],
  options: RunCommandOptions,
): Promise<RunCommandResult> {
  if (instanceIds.length === 0) {
    return {
      outcomes: new Map(),
      commandIds: [],
      pollRounds: 0,
      deadlineReached: false,
      rejectedSends: 0,
      sentTo: 0,
    };
  }
  const state = createState(ssm, instanceIds, options);
  await sendAll(state);
  await options.afterSend?.();
  await pollUntilDone(state);
  await sweepAtDeadline(state);
  return finish(state);
}
