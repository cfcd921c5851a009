/**
 * Alarms that make a failing scanner visible: a scan that throws, an invocation Lambda refused, and an
 * event that ended in the failure queue. Each fires on the first occurrence: the scanner runs a few
 * times a day, so "one" is already a signal, never noise.
 */
import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IAlarmAction,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface ScannerAlarmsProps {
  readonly fn: IFunction;
  readonly failureQueue: IQueue;
  /** Where alarms (and their recovery) are sent; none = visible in the console only. */
  readonly actions?: readonly IAlarmAction[];
}

const PERIOD = Duration.minutes(5);

export class ScannerAlarms extends Construct {
  readonly errors: Alarm;
  readonly throttles: Alarm;
  readonly failedEvents: Alarm;

  constructor(scope: Construct, id: string, props: ScannerAlarmsProps) {
    super(scope, id);
    const common = {
      threshold: 1,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // No invocations means no data, which is not a failure.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    };
    this.errors = new Alarm(this, 'Errors', {
      ...common,
      alarmDescription:
        'eks-kubelet-audit: a scan invocation failed (findings not delivered, bad event or configuration). ' +
        'Lambda retries it twice, then the event goes to the failure queue. See the function log.',
      metric: props.fn.metricErrors({ period: PERIOD, statistic: Stats.SUM }),
    });
    this.throttles = new Alarm(this, 'Throttles', {
      ...common,
      alarmDescription:
        'eks-kubelet-audit: Lambda throttled a scan (account concurrency exhausted or reserved concurrency ' +
        'reached). Throttled events are retried for up to the maximum event age.',
      metric: props.fn.metricThrottles({ period: PERIOD, statistic: Stats.SUM }),
    });
    this.failedEvents = new Alarm(this, 'FailedEvents', {
      ...common,
      alarmDescription:
        'eks-kubelet-audit: a scan request could not be processed after all retries and is in the failure ' +
        'queue (message body: the request and the error). Inspect, fix, then redrive or purge.',
      metric: props.failureQueue.metricApproximateNumberOfMessagesVisible({
        period: PERIOD,
        statistic: Stats.MAXIMUM,
      }),
    });
    for (const alarm of [this.errors, this.throttles, this.failedEvents]) {
      for (const action of props.actions ?? []) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
    }
  }
}
