/** The wire shapes of SSM Command and CommandInvocation (awsJson: timestamps in epoch seconds). */
import { type Command, expiresAtMs, type InvocationView } from './ssm-commands.ts';
import type { SsmDeps } from './ssm-deps.ts';
import { truncatePluginOutput } from './ssm-output.ts';
import { seconds } from './ssm-validation.ts';

export function commandJson(deps: SsmDeps, command: Command) {
  const { fleet, store } = deps;
  const view = store.commandView(command);
  return {
    CommandId: command.commandId,
    DocumentName: command.document.name,
    DocumentVersion: command.documentVersion,
    Comment: command.comment,
    ExpiresAfter: seconds(expiresAtMs(command)),
    Parameters: command.parameters,
    InstanceIds: command.instanceIds,
    Targets: [],
    RequestedDateTime: seconds(command.requestedMs),
    Status: view.status,
    StatusDetails: view.statusDetails,
    OutputS3Region: fleet.region,
    OutputS3BucketName: '',
    OutputS3KeyPrefix: '',
    MaxConcurrency: command.maxConcurrency,
    MaxErrors: command.maxErrors,
    TargetCount: view.targetCount,
    CompletedCount: view.completedCount,
    ErrorCount: view.errorCount,
    DeliveryTimedOutCount: view.deliveryTimedOutCount,
    ServiceRole: '',
    NotificationConfig: { NotificationArn: '', NotificationEvents: [], NotificationType: '' },
    CloudWatchOutputConfig: { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false },
    TimeoutSeconds: command.timeoutSeconds,
  };
}

export function invocationJson(deps: SsmDeps, command: Command, view: InvocationView, details: boolean) {
  const { fleet } = deps;
  const inv = view.invocation;
  const plugin = {
    Name: command.document.stepName,
    Status: view.status === 'Cancelled' ? 'Cancelled' : view.status,
    StatusDetails: view.statusDetails,
    ResponseCode: view.responseCode,
    ...(view.started ? { ResponseStartDateTime: seconds(inv.startMs) } : {}),
    ...(view.finished && view.started ? { ResponseFinishDateTime: seconds(inv.endMs) } : {}),
    Output: view.finished ? truncatePluginOutput(view.stdout, view.stderr) : '',
    StandardOutputUrl: '',
    StandardErrorUrl: '',
    OutputS3Region: fleet.region,
    OutputS3BucketName: '',
    OutputS3KeyPrefix: '',
  };
  return {
    CommandId: command.commandId,
    InstanceId: inv.instanceId,
    InstanceName: inv.instanceName,
    Comment: command.comment,
    DocumentName: command.document.name,
    DocumentVersion: command.documentVersion,
    RequestedDateTime: seconds(command.requestedMs),
    Status: view.status,
    StatusDetails: view.statusDetails,
    TraceOutput: '',
    StandardOutputUrl: '',
    StandardErrorUrl: '',
    CommandPlugins: details ? [plugin] : [],
    ServiceRole: '',
    NotificationConfig: { NotificationArn: '', NotificationEvents: [], NotificationType: '' },
    CloudWatchOutputConfig: { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false },
  };
}
