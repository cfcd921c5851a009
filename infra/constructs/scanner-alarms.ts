/**
 * Alarms that make a failing scanner visible: a scan that throws, an invocation Lambda refused, an
 * event that ended in the failure queue (each on its first occurrence: the scanner runs a few times a
 * day, so "one" is already a signal), no cluster scan reported for twice the schedule's longest gap,
 * and too many nodes that could not be assessed. Every alarm is named `<namePrefix><purpose>`, so the
 * alarm topic's policies can admit exactly this stack's alarms.
 */
import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IAlarmAction,
  MathExpression,
  Metric,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SCANNER_METRICS } from './scanner-function-defaults.ts';

export interface ScannerAlarmsProps {
  readonly fn: IFunction;
  readonly failureQueue: IQueue;
  /** Where alarms (and their recovery) are sent; none = visible in the console only. */
  readonly actions?: readonly IAlarmAction[];
  /** Every alarm's name starts with this. */
  readonly namePrefix: string;
  /**
   * Longest gap between scheduled scans, minutes; undefined = no schedule or one whose gaps are not
   * known (schedule-interval.ts): no "no successful scan" alarm then.
   */
  readonly scanIntervalMinutes?: number;
  /** Alarm when more than this share of the nodes scanned were NOT_AVAILABLE. @default 50 */
  readonly coverageAlarmPercent?: number;
}

const PERIOD = Duration.minutes(5);
const DAY_MINUTES = 24 * 60;
/** PutMetricAlarm: Period × EvaluationPeriods at most 7 days (1 day for periods under an hour). */
const MAX_EVALUATION_MINUTES = 7 * DAY_MINUTES;

/**
 * Period and evaluation periods covering twice the interval: two periods of one interval while an
 * interval fits in a day, else days. Undefined when CloudWatch cannot look back that far.
 */
export function stalenessWindow(
  intervalMinutes: number,
): { periodMinutes: number; periods: number } | undefined {
  const window = 2 * intervalMinutes;
  if (intervalMinutes < 60 && window > DAY_MINUTES) return undefined;
  if (window > MAX_EVALUATION_MINUTES) return undefined;
  if (intervalMinutes <= DAY_MINUTES) return { periodMinutes: intervalMinutes, periods: 2 };
  return { periodMinutes: DAY_MINUTES, periods: Math.ceil(window / DAY_MINUTES) };
}

function scannerMetric(metricName: string, period: Duration, statistic: string): Metric {
  return new Metric({
    namespace: SCANNER_METRICS.namespace,
    metricName,
    dimensionsMap: { service: SCANNER_METRICS.service },
    period,
    statistic,
  });
}

export class ScannerAlarms extends Construct {
  readonly errors: Alarm;
  readonly throttles: Alarm;
  readonly failedEvents: Alarm;
  readonly noSuccessfulScan?: Alarm;
  readonly coverage: Alarm;

  constructor(scope: Construct, id: string, props: ScannerAlarmsProps) {
    super(scope, id);
    const name = (purpose: string) => `${props.namePrefix}${purpose}`;
    const common = {
      threshold: 1,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // No invocations means no data, which is not a failure (the "no successful scan" alarm covers it).
      treatMissingData: TreatMissingData.NOT_BREACHING,
    };
    this.errors = new Alarm(this, 'Errors', {
      ...common,
      alarmName: name('ScanErrors'),
      alarmDescription:
        'eks-kubelet-audit: a scan invocation failed (findings not delivered, bad event or configuration). ' +
        'Lambda retries it twice, then the event goes to the failure queue. See the function log.',
      metric: props.fn.metricErrors({ period: PERIOD, statistic: Stats.SUM }),
    });
    this.throttles = new Alarm(this, 'Throttles', {
      ...common,
      alarmName: name('ScanThrottles'),
      alarmDescription:
        'eks-kubelet-audit: Lambda throttled a scan (account concurrency exhausted or reserved concurrency ' +
        'reached). Throttled events are retried for up to the maximum event age.',
      metric: props.fn.metricThrottles({ period: PERIOD, statistic: Stats.SUM }),
    });
    this.failedEvents = new Alarm(this, 'FailedEvents', {
      ...common,
      alarmName: name('FailedEvents'),
      alarmDescription:
        'eks-kubelet-audit: a scan request could not be processed after all retries and is in the failure ' +
        'queue (message body: the request and the error). Inspect, fix, then redrive or purge.',
      metric: props.failureQueue.metricApproximateNumberOfMessagesVisible({
        period: PERIOD,
        statistic: Stats.MAXIMUM,
      }),
    });
    const window =
      props.scanIntervalMinutes === undefined ? undefined : stalenessWindow(props.scanIntervalMinutes);
    if (window) this.noSuccessfulScan = this.noSuccessfulScanAlarm(name('NoSuccessfulScan'), window);
    this.coverage = this.coverageAlarm(name('LowCoverage'), props.coverageAlarmPercent ?? 50);
    for (const alarm of this.all()) {
      for (const action of props.actions ?? []) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
    }
  }

  all(): Alarm[] {
    return [this.errors, this.throttles, this.failedEvents, this.noSuccessfulScan, this.coverage].filter(
      (a): a is Alarm => a !== undefined,
    );
  }

  /**
   * A reported cluster scan emits one NodesInScope datapoint (functions/scanner/summary.ts emitMetrics),
   * so its sample count is the number of cluster scans. Two periods in a row without one, missing data
   * counting as breaching, mean no scan reported for twice the longest gap between scheduled scans.
   */
  private noSuccessfulScanAlarm(
    alarmName: string,
    window: { periodMinutes: number; periods: number },
  ): Alarm {
    return new Alarm(this, 'NoSuccessfulScan', {
      alarmName,
      alarmDescription:
        'eks-kubelet-audit: no cluster scan reported for twice the schedule interval. The schedule is ' +
        'disabled or failing (see the failure queue), every scan fails (see ScanErrors and the log), or no ' +
        'cluster is in scope.',
      metric: scannerMetric('NodesInScope', Duration.minutes(window.periodMinutes), Stats.SAMPLE_COUNT),
      threshold: 1,
      evaluationPeriods: window.periods,
      datapointsToAlarm: window.periods,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.BREACHING,
    });
  }

  /** Share of scanned nodes that are NOT_AVAILABLE (SSM offline, access denied, deadline, ...), per hour. */
  private coverageAlarm(alarmName: string, percent: number): Alarm {
    const period = Duration.hours(1);
    return new Alarm(this, 'Coverage', {
      alarmName,
      alarmDescription:
        `eks-kubelet-audit: more than ${percent} % of the nodes scanned in an hour could not be assessed ` +
        '(NOT_AVAILABLE). The findings and the log name the reason per node (SSM_OFFLINE, ACCESS_DENIED, ...).',
      metric: new MathExpression({
        expression: 'IF(scanned > 0, 100 * unavailable / scanned, 0)',
        usingMetrics: {
          unavailable: scannerMetric('NodesNOT_AVAILABLE', period, Stats.SUM),
          scanned: scannerMetric('NodesInScope', period, Stats.SUM),
        },
        period,
        label: 'NOT_AVAILABLE nodes (%)',
      }),
      threshold: percent,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      // Hours without a scan say nothing about coverage.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
