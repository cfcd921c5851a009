/**
 * Reading Run Command results: ListCommands, ListCommandInvocations (Details: Output cut at 2,500
 * bytes) and GetCommandInvocation (24,000 / 8,000), paged and filtered as the API model says
 * (SSM API reference, ListCommandInvocations and GetCommandInvocation).
 */
import { AwsError, decodeToken, encodeToken } from './protocols.ts';
import type { ServiceResult } from './service.ts';
import type { Command, InvocationView } from './ssm-commands.ts';
import type { SsmDeps } from './ssm-deps.ts';
import { commandJson, invocationJson } from './ssm-json.ts';
import { contentPrefix, STDERR_CONTENT_MAX, STDOUT_CONTENT_MAX } from './ssm-output.ts';
import { intInRange, iso, validation } from './ssm-validation.ts';

const STATUS_FILTER_VALUES = new Set([
  'Pending',
  'InProgress',
  'Delayed',
  'Success',
  'Cancelled',
  'Failed',
  'TimedOut',
  'Cancelling',
  'AccessDenied',
  'DeliveryTimedOut',
  'ExecutionTimedOut',
  'Undeliverable',
  'InvalidPlatform',
  'Terminated',
  'Incomplete',
  'NoInstancesInTag',
  'LimitExceeded',
]);

/** Command statuses that are still running, for the ExecutionStage filter (ListCommands only). */
const EXECUTING = new Set(['Pending', 'InProgress', 'Cancelling']);

function commandFilter(input: Record<string, unknown>, operation: 'ListCommands' | 'ListCommandInvocations') {
  const filters = (input.Filters as { key?: string; value?: string }[] | undefined) ?? [];
  if (filters.length > 5)
    throw validation(
      'filters',
      `[${filters.length} filters]`,
      'Member must have length less than or equal to 5',
    );
  for (const f of filters) {
    if (f.key === 'Status' && !STATUS_FILTER_VALUES.has(f.value ?? ''))
      throw new AwsError('InvalidFilterValue', `Invalid Status filter value ${f.value}`);
    if (!['InvokedAfter', 'InvokedBefore', 'Status', 'DocumentName', 'ExecutionStage'].includes(f.key ?? ''))
      throw new AwsError('InvalidFilterKey', `Invalid filter key ${f.key}`);
    // API model (CommandFilter.key): ExecutionStage is for ListCommands only; values Executing | Complete.
    if (f.key === 'ExecutionStage' && operation !== 'ListCommands')
      throw new AwsError('InvalidFilterKey', 'ExecutionStage can only be used with ListCommands');
    if (f.key === 'ExecutionStage' && f.value !== 'Executing' && f.value !== 'Complete')
      throw new AwsError('InvalidFilterValue', `Invalid ExecutionStage filter value ${f.value}`);
  }
  return (command: Command, status: string, details: string) =>
    filters.every((f) => {
      const value = f.value ?? '';
      switch (f.key) {
        case 'InvokedAfter':
          return command.requestedMs >= Date.parse(value);
        case 'InvokedBefore':
          return command.requestedMs <= Date.parse(value);
        case 'DocumentName':
          return command.document.name === value;
        case 'Status':
          return status === value || details === value;
        case 'ExecutionStage':
          return EXECUTING.has(status) === (value === 'Executing');
        default:
          return true;
      }
    });
}

function checkCommandId(id: unknown): void {
  if (id !== undefined && (typeof id !== 'string' || id.length !== 36))
    throw validation('commandId', id, 'Member must have length equal to 36');
}

export function listCommands(deps: SsmDeps, input: Record<string, unknown>): ServiceResult {
  const { store } = deps;
  const maxResults = intInRange(input, 'MaxResults', 'maxResults', 1, 50, 50);
  checkCommandId(input.CommandId);
  const keep = commandFilter(input, 'ListCommands');
  let source: Command[];
  if (input.CommandId !== undefined) {
    const command = store.byId.get(input.CommandId as string);
    if (!command) throw new AwsError('InvalidCommandId', 'The command ID is not valid');
    source = [command];
  } else if (typeof input.InstanceId === 'string')
    source = [...(store.byInstance.get(input.InstanceId) ?? [])].reverse();
  else source = [...store.commands].reverse();
  const matched = source.filter((c) => {
    const view = store.commandView(c);
    return keep(c, view.status, view.statusDetails);
  });
  const scope = `ssm:lc:${JSON.stringify([input.CommandId, input.InstanceId, input.Filters])}`;
  const offset = decodeToken(input.NextToken, scope, 'InvalidNextToken');
  const page = matched.slice(offset, offset + maxResults);
  return {
    json: {
      Commands: page.map((c) => commandJson(deps, c)),
      ...(offset + maxResults < matched.length ? { NextToken: encodeToken(scope, offset + maxResults) } : {}),
    },
  };
}

export function listCommandInvocations(deps: SsmDeps, input: Record<string, unknown>): ServiceResult {
  const { store, faults } = deps;
  const maxResults = intInRange(input, 'MaxResults', 'maxResults', 1, 50, 50);
  checkCommandId(input.CommandId);
  const keep = commandFilter(input, 'ListCommandInvocations');
  const details = input.Details === true;
  if (input.CommandId !== undefined && faults.takeInvocationsNotYetListed())
    return { json: { CommandInvocations: [] } };
  const commands =
    input.CommandId !== undefined
      ? [store.byId.get(input.CommandId as string)].filter((c): c is Command => c !== undefined)
      : typeof input.InstanceId === 'string'
        ? [...(store.byInstance.get(input.InstanceId) ?? [])].reverse()
        : [...store.commands].reverse();
  const rows: { command: Command; view: InvocationView }[] = [];
  for (const command of commands) {
    const views = store.views(command);
    for (const invocation of command.invocations) {
      if (typeof input.InstanceId === 'string' && invocation.instanceId !== input.InstanceId) continue;
      const view = views.get(invocation.instanceId)!;
      if (keep(command, view.status, view.statusDetails)) rows.push({ command, view });
    }
  }
  const scope = `ssm:lci:${JSON.stringify([input.CommandId, input.InstanceId, input.Filters])}`;
  const offset = decodeToken(input.NextToken, scope, 'InvalidNextToken');
  const page = rows.slice(offset, offset + maxResults);
  return {
    json: {
      CommandInvocations: page.map((r) => invocationJson(deps, r.command, r.view, details)),
      ...(offset + maxResults < rows.length ? { NextToken: encodeToken(scope, offset + maxResults) } : {}),
    },
  };
}

export function getCommandInvocation(deps: SsmDeps, input: Record<string, unknown>): ServiceResult {
  const { store, faults } = deps;
  if (typeof input.CommandId !== 'string')
    throw validation('commandId', input.CommandId, 'Member must not be null');
  checkCommandId(input.CommandId);
  if (typeof input.InstanceId !== 'string')
    throw validation('instanceId', input.InstanceId, 'Member must not be null');
  if (faults.takeInvocationDoesNotExist()) throw new AwsError('InvocationDoesNotExist', '');
  const command = store.byId.get(input.CommandId);
  const invocation = command?.byInstance.get(input.InstanceId);
  if (!command || !invocation) throw new AwsError('InvocationDoesNotExist', '');
  if (input.PluginName !== undefined && input.PluginName !== command.document.stepName) {
    throw new AwsError('InvalidPluginName', `Plugin ${String(input.PluginName)} is not in the document`);
  }
  const view = store.views(command).get(input.InstanceId)!;
  const elapsed = view.started
    ? Math.max(0, (view.finished ? invocation.endMs : store.now()) - invocation.startMs)
    : 0;
  return {
    json: {
      CommandId: command.commandId,
      InstanceId: invocation.instanceId,
      Comment: command.comment,
      DocumentName: command.document.name,
      DocumentVersion: command.documentVersion,
      PluginName: command.document.stepName,
      ResponseCode: view.responseCode,
      ExecutionStartDateTime: view.started ? iso(invocation.startMs) : '',
      ExecutionElapsedTime: view.started ? `PT${(elapsed / 1000).toFixed(3)}S` : '',
      ExecutionEndDateTime: view.finished && view.started ? iso(invocation.endMs) : '',
      Status: view.status,
      StatusDetails: view.statusDetails,
      StandardOutputContent: view.finished ? contentPrefix(view.stdout, STDOUT_CONTENT_MAX) : '',
      StandardOutputUrl: '',
      StandardErrorContent: view.finished ? contentPrefix(view.stderr, STDERR_CONTENT_MAX) : '',
      StandardErrorUrl: '',
      CloudWatchOutputConfig: { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false },
    },
  };
}
