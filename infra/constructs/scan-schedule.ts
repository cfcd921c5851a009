/**
 * The scheduled scan: an EventBridge Scheduler schedule invoking the scanner through a role of its own
 * (the target would otherwise create one at stack level), limited to this account's schedules against
 * confused-deputy use. The expression is checked at synth (infra/schedule-expression.ts), and its
 * longest gap between runs is what the "no successful scan" alarm doubles.
 */
import { Annotations, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { parseScheduleExpression } from '../schedule-expression.ts';
import { longestGapMinutes } from '../schedule-interval.ts';
import { iam5ResourceFinding } from './nag-ids.ts';
import { EVENT_SOURCE } from './scanner-permissions.ts';

/** The Scheduler's fixed input: a scan of everything in scope (README "Start a scan now" lists the events). */
export const SCHEDULED_SCAN_INPUT = {
  source: EVENT_SOURCE,
  'detail-type': 'Scheduled Scan',
  detail: {},
} as const;

export const DEFAULT_SCAN_INTERVAL = Duration.hours(12);

/**
 * When scheduled scans run: a rate as a Duration, an EventBridge Scheduler `rate(...)`/`cron(...)`
 * expression, or `false` for a schedule that exists but is DISABLED (enable it in the console or
 * redeploy with a schedule).
 */
export type ScanSchedule = Duration | string | false;

/** The Scheduler expression, after checking it against Scheduler's rules. */
export function scheduleExpression(schedule: Exclude<ScanSchedule, false>): ScheduleExpression {
  if (typeof schedule !== 'string') return ScheduleExpression.rate(schedule);
  const expression = schedule.trim();
  parseScheduleExpression(expression);
  return ScheduleExpression.expression(expression);
}

/** Minutes of the longest gap between scheduled scans; undefined when disabled or not knowable. */
export function scanIntervalMinutes(schedule: ScanSchedule | undefined): number | undefined {
  if (schedule === false) return undefined;
  const effective = schedule ?? DEFAULT_SCAN_INTERVAL;
  if (typeof effective !== 'string') return effective.toMinutes();
  const expression = effective.trim();
  return longestGapMinutes(parseScheduleExpression(expression), expression);
}

export interface ScheduledScanProps {
  readonly schedule?: ScanSchedule;
  readonly fn: IFunction;
  readonly deadLetterQueue: IQueue;
}

export class ScheduledScan extends Construct {
  readonly schedule: Schedule;
  /** See scanIntervalMinutes. */
  readonly intervalMinutes?: number;

  constructor(scope: Construct, id: string, props: ScheduledScanProps) {
    super(scope, id);
    const schedule = props.schedule;
    const expression = scheduleExpression(
      schedule === false || schedule === undefined ? DEFAULT_SCAN_INTERVAL : schedule,
    );
    const interval = scanIntervalMinutes(schedule);
    if (interval !== undefined) this.intervalMinutes = interval;
    else if (schedule !== false) {
      Annotations.of(this).addWarningV2(
        'eks-kubelet-audit:no-staleness-alarm',
        `schedule "${String(schedule)}": its gaps between runs cannot be measured (L, W, # or a year), so ` +
          'there is no "no successful scan" alarm; a rate(...) schedule has one',
      );
    }
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'eks-kubelet-audit: lets EventBridge Scheduler invoke the scanner',
    });
    Validations.of(role).acknowledge({
      id: iam5ResourceFinding(this, `${props.fn.functionArn}:*`),
      reason:
        'LambdaInvoke grants lambda:InvokeFunction on the scanner function and its versions/aliases ' +
        '("<function ARN>:*"); the wildcard never reaches beyond this one function.',
    });
    this.schedule = new Schedule(this, 'Resource', {
      description: 'eks-kubelet-audit: scheduled scan of every EKS worker node in scope',
      schedule: expression,
      enabled: schedule !== false,
      target: new LambdaInvoke(props.fn, {
        role,
        input: ScheduleTargetInput.fromObject(SCHEDULED_SCAN_INPUT),
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
        deadLetterQueue: props.deadLetterQueue,
      }),
    });
  }
}
