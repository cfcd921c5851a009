/**
 * What an operator looks up after a deploy (`cdk deploy` prints them; later
 * `aws cloudformation describe-stacks --stack-name EksKubeletAuditStack --query 'Stacks[0].Outputs'`),
 * among them an on-demand scan as a ready command line.
 */
import { CfnOutput, Stack } from 'aws-cdk-lib';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { KubeletAuditScanner } from './constructs/kubelet-audit-scanner.ts';
import { SCAN_REQUESTED_DETAIL_TYPE } from './constructs/kubelet-audit-scanner.ts';
import { EVENT_SOURCE } from './constructs/scanner-permissions.ts';

/** The PutEvents entries of an on-demand scan of every cluster in scope (as events/scan-all.json). */
export const SCAN_ALL_ENTRIES = [
  {
    EventBusName: 'default',
    Source: EVENT_SOURCE,
    DetailType: SCAN_REQUESTED_DETAIL_TYPE,
    Detail: JSON.stringify({ reason: 'on-demand scan of every cluster' }),
  },
] as const;

/** The shell command line; single quotes keep the JSON (and its escaped quotes) as written. */
export function scanNowCommand(region: string): string {
  return `aws events put-events --region ${region} --entries '${JSON.stringify(SCAN_ALL_ENTRIES)}'`;
}

export interface StackOutputsProps {
  readonly scanner: KubeletAuditScanner;
  readonly alarmTopic?: ITopic;
}

export function addStackOutputs(stack: Stack, props: StackOutputsProps): void {
  const { scanner } = props;
  const outputs: [string, string, string][] = [
    ['FunctionName', scanner.function.functionName, 'The scanner function'],
    ['LogGroupName', scanner.logGroup.logGroupName, "The scanner's log group (JSON lines)"],
    ['FailureQueueUrl', scanner.failureQueue.queueUrl, 'Scan requests that failed after all retries'],
    ['StateTableName', scanner.stateTable.table.tableName, 'Cluster leases and node scan times'],
    [
      'CollectorDocumentName',
      scanner.collectorDocument.documentName,
      'The collector document (kubelet-audit fleet --collect --document <name>)',
    ],
    ['ScanNowCommand', scanNowCommand(Stack.of(stack).region), 'Starts a scan of every cluster in scope'],
  ];
  if (props.alarmTopic)
    outputs.push(['AlarmTopicArn', props.alarmTopic.topicArn, 'Alarms and notifications']);
  for (const [id, value, description] of outputs) new CfnOutput(stack, id, { value, description });
}
