/**
 * AWS Systems Manager (awsJson1_1): the Run Command operations the scanner uses. Each operation is
 * in its own file; command state lives in ssm-commands.ts.
 */
import type { Service, ServiceRequest, ServiceResult } from './service.ts';
import type { SsmDeps } from './ssm-deps.ts';
import { updateDocument, updateDocumentDefaultVersion } from './ssm-documents.ts';
import { describeInstanceInformation } from './ssm-instance-information.ts';
import { getCommandInvocation, listCommandInvocations, listCommands } from './ssm-results.ts';
import { sendCommand } from './ssm-send-command.ts';

export function createSsm(deps: SsmDeps): Service {
  const handlers: Record<string, (deps: SsmDeps, input: Record<string, unknown>) => ServiceResult> = {
    DescribeInstanceInformation: describeInstanceInformation,
    SendCommand: sendCommand,
    ListCommands: listCommands,
    ListCommandInvocations: listCommandInvocations,
    GetCommandInvocation: getCommandInvocation,
    UpdateDocument: updateDocument,
    UpdateDocumentDefaultVersion: updateDocumentDefaultVersion,
  };
  return {
    name: 'ssm',
    protocol: 'awsJson1_1',
    operations: new Set(Object.keys(handlers)),
    handle: (request: ServiceRequest) => handlers[request.operation]!(deps, request.json),
  };
}
