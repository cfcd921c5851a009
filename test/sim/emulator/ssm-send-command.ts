/**
 * SSM SendCommand: the request limits and errors of the API model (SSM API reference, SendCommand), then
 * CommandStore.send.
 */
import type { SimNode } from '../fleet.ts';
import { AwsError } from './protocols.ts';
import type { ServiceResult } from './service.ts';
import { authoriseInstanceIds, mayReach } from './ssm-authorization.ts';
import type { SsmDeps } from './ssm-deps.ts';
import { resolveDocumentVersion } from './ssm-documents.ts';
import { commandJson } from './ssm-json.ts';
import { INSTANCE_ID, intInRange, validation } from './ssm-validation.ts';

const DOCUMENT_NAME = /^[a-zA-Z0-9_\-.:/]{3,128}$/;
const MAX_CONCURRENCY = /^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$/;
const MAX_ERRORS = /^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$/;

export function sendCommand(deps: SsmDeps, input: Record<string, unknown>): ServiceResult {
  const { store, documents } = deps;
  const documentName = input.DocumentName;
  if (typeof documentName !== 'string' || !DOCUMENT_NAME.test(documentName)) {
    throw validation(
      'documentName',
      documentName,
      'Member must satisfy regular expression pattern: ^[a-zA-Z0-9_\\-.:/]{3,128}$',
    );
  }
  const targets = input.Targets as { Key?: string; Values?: string[] }[] | undefined;
  const instanceIds = (input.InstanceIds as string[] | undefined) ?? [];
  if (targets !== undefined && instanceIds.length > 0)
    throw new AwsError('InvalidParameters', 'Specify either InstanceIds or Targets, not both');
  if (targets !== undefined) validateTargets(targets, deps.refuseTagKeyTargets);
  else if (instanceIds.length > 50)
    throw validation(
      'instanceIds',
      `[${instanceIds.length} ids]`,
      'Member must have length less than or equal to 50',
    );
  else if (instanceIds.length === 0)
    throw new AwsError('InvalidParameters', 'Either InstanceIds or Targets is required');
  const timeoutSeconds = intInRange(input, 'TimeoutSeconds', 'timeoutSeconds', 30, 2_592_000, 3600);
  const maxConcurrency = (input.MaxConcurrency as string | undefined) ?? '50';
  const maxErrors = (input.MaxErrors as string | undefined) ?? '0';
  if (!MAX_CONCURRENCY.test(maxConcurrency))
    throw validation(
      'maxConcurrency',
      maxConcurrency,
      'Member must satisfy regular expression pattern: ^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$',
    );
  if (!MAX_ERRORS.test(maxErrors))
    throw validation(
      'maxErrors',
      maxErrors,
      'Member must satisfy regular expression pattern: ^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$',
    );
  const comment = (input.Comment as string | undefined) ?? '';
  if (comment.length > 100)
    throw validation('comment', comment, 'Member must have length less than or equal to 100');
  const document = documents.get(documentName);
  if (!document) throw new AwsError('InvalidDocument', `Document with name ${documentName} does not exist.`);
  const documentVersion = (input.DocumentVersion as string | undefined) ?? '$DEFAULT';
  const resolvedVersion = resolveDocumentVersion(document, documentVersion);
  const parameters = (input.Parameters as Record<string, string[]> | undefined) ?? {};
  for (const key of Object.keys(parameters)) {
    if (!(document.parameters ?? []).includes(key))
      throw new AwsError(
        'InvalidParameters',
        `Parameter "${key}" is not defined in document ${documentName}.`,
      );
  }
  const nodes = targets !== undefined ? resolveTargets(deps, targets) : nodesByIds(deps, instanceIds);
  const policy = deps.sendCommandPolicy();
  const denied = new Set(nodes.filter((n) => !mayReach(policy, n)).map((n) => n.instanceId));
  const command = store.send({
    document,
    documentVersion,
    resolvedVersion,
    comment,
    parameters,
    nodes,
    denied,
    timeoutSeconds,
    maxConcurrency,
    maxErrors,
  });
  return { json: { Command: commandJson(deps, command) } };
}

const TARGET_KEY = /^(tag:.{1,128}|tag-key|InstanceIds)$/;

/** Targets (SSM API reference, Target): ≤ 5 keys, ≤ 50 values each; resource-group keys are not emulated. */
function validateTargets(targets: { Key?: string; Values?: string[] }[], refuseTagKey?: string): void {
  if (!Array.isArray(targets) || targets.length === 0 || targets.length > 5)
    throw validation(
      'targets',
      `[${targets?.length ?? 0} targets]`,
      'Member must have length between 1 and 5',
    );
  for (const t of targets) {
    if (typeof t.Key !== 'string' || !TARGET_KEY.test(t.Key))
      throw new AwsError(
        'InvalidParameters',
        `The emulator does not support the target key ${String(t.Key)}`,
      );
    // The SendCommand Target doc lists tag-key for every Systems Manager tool; a Region that still
    // refused it would answer like this (emulator option, to test the fallback).
    if (t.Key === 'tag-key' && refuseTagKey)
      throw new AwsError(refuseTagKey, 'Target key tag-key is not supported for Run Command in this Region');
    if (!Array.isArray(t.Values) || t.Values.length === 0 || t.Values.length > 50)
      throw validation(
        'targets.values',
        `[${t.Values?.length ?? 0} values]`,
        'Member must have length between 1 and 50',
      );
  }
}

/**
 * The managed instances the targets select: keys are ANDed, the values of one key ORed. Only
 * instances SSM lists (registered, running) are targets, ConnectionLost ones included: their
 * invocations wait for delivery until the command expires (delivery + execution timeout), like on AWS.
 */
function resolveTargets(deps: SsmDeps, targets: { Key?: string; Values?: string[] }[]): SimNode[] {
  const { fleet } = deps;
  let selected: Set<string> | undefined;
  for (const t of targets) {
    const key = t.Key as string;
    const values = t.Values as string[];
    const ids = new Set<string>();
    if (key === 'InstanceIds') for (const v of values) ids.add(v);
    else if (key === 'tag-key') for (const v of values) for (const id of fleet.idsWithTag(v)) ids.add(id);
    else for (const v of values) for (const id of fleet.idsWithTag(key.slice('tag:'.length), v)) ids.add(id);
    selected = selected ? new Set([...selected].filter((id) => ids.has(id))) : ids;
  }
  const nodes: SimNode[] = [];
  for (const id of [...(selected ?? [])].sort()) {
    const node = fleet.get(id);
    if (node && fleet.isSsmManaged(node)) nodes.push(node);
  }
  return nodes;
}

function nodesByIds(deps: SsmDeps, instanceIds: string[]): SimNode[] {
  const { fleet, faults } = deps;
  // IAM comes first: a denied request is never validated by SSM.
  authoriseInstanceIds(fleet, deps.sendCommandPolicy(), instanceIds);
  if (new Set(instanceIds).size !== instanceIds.length)
    throw new AwsError('DuplicateInstanceId', 'Instance Id list contains duplicates');
  for (const id of instanceIds) if (faults.takeVanishOnSend(id) && fleet.get(id)) fleet.terminate(id);
  const nodes: SimNode[] = [];
  const invalid: string[] = [];
  for (const id of instanceIds) {
    const node = INSTANCE_ID.test(id) ? fleet.get(id) : undefined;
    // InvalidInstanceId causes (SSM API reference, SendCommand errors): not registered with SSM, or the
    // instance not running. A registered node whose agent went ConnectionLost since the caller listed it is
    // accepted: its invocation waits for delivery until the command expires (DeliveryTimedOut) or ends
    // Undeliverable (CommandStore offlineDelivery), like a tag-targeted offline node. The model also names
    // "agent not running" as a cause, but SSM only learns that from missed pings, i.e. ConnectionLost later
    // on.
    if (node && fleet.isSsmManaged(node)) nodes.push(node);
    else invalid.push(id);
  }
  // One such id fails the whole call, and nothing is sent (SSM API reference, SendCommand).
  if (invalid.length > 0) {
    throw new AwsError(
      'InvalidInstanceId',
      `Instances [[${invalid.join(', ')}]] not in a valid state for account ${fleet.accountId}`,
    );
  }
  return nodes;
}
