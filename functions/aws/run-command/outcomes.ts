/** One node's answer, built from what SSM reports about its invocation. */
import { type CommandInvocation, GetCommandInvocationCommand } from '@aws-sdk/client-ssm';
import { isOutputTruncated } from '../../collector/evidence.ts';
import { awsErrorName } from '../errors.ts';
import type { CollectionState } from './state.ts';
import type { CollectionOutcome } from './types.ts';

/**
 * Why an invocation gave no evidence, by StatusDetails (the finer state; botocore
 * GetCommandInvocationResult.StatusDetails doc and the SSM User Guide, "Understanding command statuses").
 */
export const STATUS_DETAIL_HINTS: Readonly<Record<string, string>> = {
  DeliveryTimedOut:
    'SSM could not deliver the command before its delivery timeout (agent not polling or node unreachable)',
  ExecutionTimedOut: "the collector started but did not finish within the document's execution timeout",
  Failed: 'the collector exited with a non-zero status',
  Cancelled: 'the command was cancelled before it finished',
  Canceled: 'the command was cancelled before it finished',
  Undeliverable: 'the command could not be delivered: the node no longer exists or is not reachable by SSM',
  Terminated: 'the command was stopped on this node because the MaxErrors threshold was reached',
  InvalidPlatform: "the node's platform does not match the document",
  AccessDenied:
    "the scanner's role may not send commands to this node: no ssm:SendCommand statement's ssm:resourceTag condition allows it (a node tagged only kubernetes.io/cluster/<name> is allowed only when its cluster is in the allow-list, KUBELET_AUDIT_CLUSTERS)",
  TimedOut: 'the command timed out',
};

function compact(value: string | undefined): string {
  return (value ?? '').replace(/\s+/g, '');
}

function printable(text: string, max: number): string {
  // Node output is untrusted: keep it short and printable before it reaches a finding.
  const clean = text.replace(/[^\x20-\x7e]+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** The answer for one terminal, non-successful invocation. */
export function failedInvocationOutcome(invocation: CommandInvocation): CollectionOutcome {
  const status = invocation.Status ?? 'Unknown';
  const details = invocation.StatusDetails ?? '';
  const key = compact(details) || status;
  const hint = STATUS_DETAIL_HINTS[key] ?? STATUS_DETAIL_HINTS[status] ?? 'the command did not succeed';
  const output = invocation.CommandPlugins?.find((p) => p.Output)?.Output;
  const tail = key === 'Failed' && output ? ` Output: "${printable(output, 200)}"` : '';
  return {
    kind: 'not-assessed',
    instanceId: invocation.InstanceId ?? '',
    code: `SSM_${key.toUpperCase()}`,
    reason: `SSM Run Command ${status}${details && details !== status ? ` (${details})` : ''}: ${hint}.${tail}`,
    ...(invocation.CommandId ? { commandId: invocation.CommandId } : {}),
    evidence: {
      ssmStatus: status,
      ...(details ? { ssmStatusDetails: details } : {}),
      ...(invocation.CommandId ? { commandId: invocation.CommandId } : {}),
    },
  };
}

export function notAssessed(
  instanceId: string,
  code: string,
  reason: string,
  commandId?: string,
  extra: Record<string, string> = {},
): CollectionOutcome {
  return {
    kind: 'not-assessed',
    instanceId,
    code,
    reason,
    ...(commandId ? { commandId } : {}),
    evidence: { ...(commandId ? { commandId } : {}), ...extra },
  };
}

/** Records a node's outcome; an output goes to `onOutput` at once and is not kept. */
export function record(state: CollectionState, outcome: CollectionOutcome, commandId: string): void {
  const id = outcome.instanceId;
  const onOutput = state.options.onOutput;
  if (outcome.kind === 'output' && onOutput) {
    onOutput(id, outcome.output);
    state.outcomes.set(id, { kind: 'handed-over', instanceId: id, commandId });
  } else {
    state.outcomes.set(id, outcome);
  }
}

/** The answer for a Success invocation: its evidence document, fetched whole when the listing cut it. */
export async function successOutcome(
  state: CollectionState,
  invocation: CommandInvocation,
  commandId: string,
): Promise<CollectionOutcome> {
  const instanceId = invocation.InstanceId ?? '';
  const plugins = invocation.CommandPlugins ?? [];
  const plugin = plugins.find((p) => looksLikeJson(p.Output)) ?? plugins[0];
  let output = plugin?.Output ?? '';
  if (isOutputTruncated(output)) {
    // ListCommandInvocations cuts plugin output at 2,500 characters; GetCommandInvocation has 24,000.
    const full = await getFullOutput(state, { commandId, instanceId, pluginName: plugin?.Name });
    if (full !== undefined) output = full;
  }
  if (!looksLikeJson(output) && !isOutputTruncated(output)) {
    // Which JSON encoding the collector chose is the evidence parser's business: anything that
    // starts like JSON (or was cut) goes to it and, if malformed, becomes WARNING. A schema-2.2
    // document whose Linux precondition is unmet (Windows) ends Success with the step skipped and
    // none of our output.
    return notAssessed(
      instanceId,
      'NO_EVIDENCE',
      `the command succeeded but printed no evidence document${output.trim() ? ` ("${printable(output, 160)}")` : ''}; the collector step was probably skipped (not a Linux node)`,
      commandId,
      { ssmStatus: 'Success' },
    );
  }
  return { kind: 'output', instanceId, output, commandId };
}

/** The collector always prints one JSON object; other stdout is not an evidence document. */
function looksLikeJson(output: string | undefined): boolean {
  return output?.trimStart().startsWith('{') ?? false;
}

/**
 * GetCommandInvocation attempts while SSM still says InvocationDoesNotExist: enough to ride out the
 * short eventual consistency after an invocation appears, few enough that a missing one costs little.
 */
const GET_INVOCATION_ATTEMPTS = 4;

interface InvocationRef {
  readonly commandId: string;
  readonly instanceId: string;
  readonly pluginName: string | undefined;
}

async function getFullOutput(state: CollectionState, ref: InvocationRef): Promise<string | undefined> {
  const { ssm, options } = state;
  const { commandId, instanceId, pluginName } = ref;
  for (let attempt = 1; ; attempt++) {
    try {
      const out = await ssm.send(
        new GetCommandInvocationCommand({
          CommandId: commandId,
          InstanceId: instanceId,
          ...(pluginName ? { PluginName: pluginName } : {}),
        }),
      );
      return out.StandardOutputContent ?? '';
    } catch (error) {
      // InvocationDoesNotExist right after an invocation appears is eventual consistency, not a fault;
      // the SDK's retry strategy does not treat it as retryable, so a short bounded loop does.
      if (awsErrorName(error) !== 'InvocationDoesNotExist' || attempt >= GET_INVOCATION_ATTEMPTS) {
        options.log?.('GetCommandInvocation failed; evaluating the cut output', {
          instanceId,
          commandId,
          error: awsErrorName(error),
        });
        return undefined;
      }
      await options.sleep(Math.min(200 * 2 ** (attempt - 1), Math.max(0, options.remainingMs())));
    }
  }
}
