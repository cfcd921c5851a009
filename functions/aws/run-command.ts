/**
 * Runs the collector on reachable nodes through SSM Run Command and brings back one answer per node:
 * the collector's output, or why there is none. API calls are per 50 nodes, never per node, except
 * GetCommandInvocation for the rare output cut at 2,500 characters.
 */
import {
  type CommandInvocation,
  GetCommandInvocationCommand,
  paginateListCommandInvocations,
  paginateListCommands,
  SendCommandCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { isOutputTruncated } from '../collector/evidence.ts';
import { awsErrorName, errorMessage } from '../scanner/errors.ts';
import { checkReachability } from './discovery.ts';

export type CollectionOutcome =
  | {
      readonly kind: 'output';
      readonly instanceId: string;
      readonly output: string;
      readonly commandId: string;
    }
  | {
      readonly kind: 'not-assessed';
      readonly instanceId: string;
      readonly code: string;
      readonly reason: string;
      readonly commandId?: string;
      readonly evidence: Readonly<Record<string, string>>;
    };

export interface RunCommandOptions {
  readonly documentName: string;
  /** SendCommand TimeoutSeconds (delivery); SSM then adds the document's own execution timeout. */
  readonly deliveryTimeoutSeconds: number;
  readonly pollInitialDelayMs: number;
  readonly pollIntervalMs: number;
  /** Milliseconds left before collection must stop (the Lambda deadline minus the reporting reserve). */
  readonly remainingMs: () => number;
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  readonly comment?: string;
  readonly log?: (message: string, attributes: Record<string, unknown>) => void;
}

/** SendCommand takes at most 50 InstanceIds (ssm InstanceIdList). */
export const SEND_CHUNK = 50;
/** ListCommands / ListCommandInvocations MaxResults is 1..50. */
const PAGE = 50;
/** Commands are matched with InvokedAfter against SSM's clock; allow for skew against ours. */
const CLOCK_SKEW_MS = 5 * 60_000;
const SEND_CONCURRENCY = 4;
const TERMINAL_COMMAND = new Set(['Success', 'Cancelled', 'Failed', 'TimedOut']);
const PENDING_INVOCATION = new Set(['Pending', 'InProgress', 'Delayed', 'Cancelling']);

/**
 * Why an invocation gave no evidence, by StatusDetails (the finer state; botocore
 * GetCommandInvocationResult.StatusDetails doc and ssm-ug monitor-commands).
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
    "the scanner's role may not send commands to this node (check the tag condition on ssm:SendCommand)",
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

function notAssessed(
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

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  });
  await Promise.all(workers);
  return results;
}

export interface RunCommandResult {
  readonly outcomes: Map<string, CollectionOutcome>;
  readonly commandIds: readonly string[];
  readonly pollRounds: number;
  readonly deadlineReached: boolean;
}

/**
 * Sends the collector to `instanceIds` (already known to be SSM-managed and online) and waits for the
 * answers. Every id gets an outcome.
 */
export async function runCollector(
  ssm: SSMClient,
  instanceIds: readonly string[],
  options: RunCommandOptions,
): Promise<RunCommandResult> {
  const outcomes = new Map<string, CollectionOutcome>();
  const commandTargets = new Map<string, readonly string[]>();
  if (instanceIds.length === 0) {
    return { outcomes, commandIds: [], pollRounds: 0, deadlineReached: false };
  }
  const invokedAfter = new Date(options.now().getTime() - CLOCK_SKEW_MS);

  const send = async (ids: readonly string[]): Promise<string> => {
    const out = await ssm.send(
      new SendCommandCommand({
        DocumentName: options.documentName,
        InstanceIds: [...ids],
        // The default MaxErrors 0 stops the rest after the first failing node (ssm-ug rate controls).
        MaxErrors: '100%',
        MaxConcurrency: '50',
        TimeoutSeconds: options.deliveryTimeoutSeconds,
        CloudWatchOutputConfig: { CloudWatchOutputEnabled: false },
        ...(options.comment ? { Comment: options.comment.slice(0, 100) } : {}),
      }),
    );
    const id = out.Command?.CommandId;
    if (!id) throw new Error('SendCommand returned no CommandId');
    return id;
  };

  const sendChunk = async (chunk: readonly string[]): Promise<void> => {
    try {
      commandTargets.set(await send(chunk), chunk);
      return;
    } catch (error) {
      if (awsErrorName(error) !== 'InvalidInstanceId') {
        for (const id of chunk) {
          outcomes.set(
            id,
            notAssessed(
              id,
              'SEND_FAILED',
              `SendCommand failed: ${awsErrorName(error)}: ${errorMessage(error)}`,
            ),
          );
        }
        options.log?.('SendCommand failed', { error: errorMessage(error), instances: chunk.length });
        return;
      }
    }
    // One id SSM no longer accepts fails the whole call (A1): a node vanished between discovery and
    // now. Re-check the chunk, answer for the vanished ones, and send to the rest once more.
    const reach = await checkReachability(ssm, chunk);
    const still = chunk.filter((id) => reach.get(id)?.reachable);
    for (const id of chunk) {
      const r = reach.get(id);
      if (r && !r.reachable) {
        outcomes.set(id, notAssessed(id, 'SSM_VANISHED', `node left SSM during the scan: ${r.reason}`));
      }
    }
    if (still.length === 0) return;
    try {
      commandTargets.set(await send(still), still);
    } catch (error) {
      for (const id of still) {
        outcomes.set(
          id,
          notAssessed(
            id,
            'SEND_FAILED',
            `SendCommand failed: ${awsErrorName(error)}: ${errorMessage(error)}`,
          ),
        );
      }
    }
  };

  const chunks: string[][] = [];
  for (let i = 0; i < instanceIds.length; i += SEND_CHUNK) chunks.push(instanceIds.slice(i, i + SEND_CHUNK));
  await mapLimit(chunks, SEND_CONCURRENCY, sendChunk);

  const pending = new Set(commandTargets.keys());
  let pollRounds = 0;
  let deadlineReached = false;
  if (pending.size > 0) {
    await options.sleep(Math.max(0, Math.min(options.pollInitialDelayMs, options.remainingMs())));
  }
  while (pending.size > 0) {
    if (options.remainingMs() <= 0) {
      deadlineReached = true;
      break;
    }
    pollRounds++;
    // One paged ListCommands per round covers every command of this scan (and of parallel scans,
    // which we skip), instead of one call per command.
    const terminal: string[] = [];
    const pages = paginateListCommands(
      { client: ssm, pageSize: PAGE },
      {
        Filters: [
          { key: 'DocumentName', value: options.documentName },
          // Second precision, as in the API reference examples (2024-07-07T00:00:00Z).
          { key: 'InvokedAfter', value: invokedAfter.toISOString().replace(/\.\d{3}Z$/, 'Z') },
        ],
      },
    );
    for await (const page of pages) {
      for (const command of page.Commands ?? []) {
        if (
          command.CommandId &&
          pending.has(command.CommandId) &&
          TERMINAL_COMMAND.has(command.Status ?? '')
        ) {
          terminal.push(command.CommandId);
        }
      }
    }
    for (const commandId of terminal) {
      await collectInvocations(ssm, commandId, commandTargets.get(commandId) ?? [], outcomes, options, false);
      pending.delete(commandId);
    }
    if (pending.size === 0) break;
    const wait = Math.min(options.pollIntervalMs, options.remainingMs());
    if (wait <= 0) {
      deadlineReached = true;
      break;
    }
    await options.sleep(wait);
  }
  // At the deadline, take whatever finished; the rest are answered as "deadline reached".
  for (const commandId of pending) {
    await collectInvocations(ssm, commandId, commandTargets.get(commandId) ?? [], outcomes, options, true);
  }
  for (const id of instanceIds) {
    if (!outcomes.has(id)) {
      const commandId = [...commandTargets].find(([, ids]) => ids.includes(id))?.[0];
      outcomes.set(
        id,
        notAssessed(
          id,
          'NO_INVOCATION',
          'SSM reported no invocation for this node before the scan ended',
          commandId,
        ),
      );
    }
  }
  return { outcomes, commandIds: [...commandTargets.keys()], pollRounds, deadlineReached };
}

async function collectInvocations(
  ssm: SSMClient,
  commandId: string,
  targets: readonly string[],
  outcomes: Map<string, CollectionOutcome>,
  options: RunCommandOptions,
  atDeadline: boolean,
): Promise<void> {
  const pages = paginateListCommandInvocations(
    { client: ssm, pageSize: PAGE },
    { CommandId: commandId, Details: true },
  );
  const wanted = new Set(targets);
  for await (const page of pages) {
    for (const invocation of page.CommandInvocations ?? []) {
      const id = invocation.InstanceId;
      if (!id || !wanted.has(id)) continue;
      const status = invocation.Status ?? '';
      if (PENDING_INVOCATION.has(status)) {
        outcomes.set(
          id,
          notAssessed(
            id,
            atDeadline ? 'DEADLINE' : 'SSM_PENDING',
            atDeadline
              ? `scan deadline reached while the SSM invocation was ${status}${invocation.StatusDetails && invocation.StatusDetails !== status ? ` (${invocation.StatusDetails})` : ''}`
              : `SSM invocation still ${status} after its command ended`,
            commandId,
            { ssmStatus: status },
          ),
        );
      } else if (status === 'Success') {
        outcomes.set(id, await successOutcome(ssm, invocation, commandId, options));
      } else {
        outcomes.set(id, failedInvocationOutcome(invocation));
      }
    }
  }
  if (atDeadline) {
    for (const id of targets) {
      if (!outcomes.has(id)) {
        outcomes.set(
          id,
          notAssessed(id, 'DEADLINE', 'scan deadline reached before SSM reported this node', commandId),
        );
      }
    }
  }
}

async function successOutcome(
  ssm: SSMClient,
  invocation: CommandInvocation,
  commandId: string,
  options: RunCommandOptions,
): Promise<CollectionOutcome> {
  const instanceId = invocation.InstanceId ?? '';
  const plugins = invocation.CommandPlugins ?? [];
  const plugin = plugins.find((p) => looksLikeJson(p.Output)) ?? plugins[0];
  let output = plugin?.Output ?? '';
  if (isOutputTruncated(output)) {
    // ListCommandInvocations cuts plugin output at 2,500 characters; GetCommandInvocation has 24,000.
    const full = await getFullOutput(ssm, commandId, instanceId, plugin?.Name, options);
    if (full !== undefined) output = full;
  }
  if (!looksLikeJson(output) && !isOutputTruncated(output)) {
    // Which JSON encoding the collector chose is the evidence parser's business: anything that
    // starts like JSON (or was cut) goes to it and, if malformed, becomes WARNING. A schema-2.2 document whose Linux precondition is unmet (Windows) ends Success with the step
    // skipped and none of our output (facts E4).
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

/** GetCommandInvocation attempts while SSM still says InvocationDoesNotExist. */
const GET_INVOCATION_ATTEMPTS = 4;

async function getFullOutput(
  ssm: SSMClient,
  commandId: string,
  instanceId: string,
  pluginName: string | undefined,
  options: RunCommandOptions,
): Promise<string | undefined> {
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
