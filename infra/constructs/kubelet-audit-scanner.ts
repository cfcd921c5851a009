/**
 * KubeletAuditScanner: everything the fleet scanner needs in one reusable construct. The Lambda, its
 * collector document, the triggers (EventBridge Scheduler, "Scan Requested" rule, Security Hub custom
 * action), least-privilege IAM, the failure queue and alarms.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  ApplicationLogLevel,
  Architecture,
  Function as LambdaFunctionResource,
  LoggingFormat,
  Runtime,
} from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Schedule } from 'aws-cdk-lib/aws-scheduler';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEPLOYED_DOCUMENT_VERSION } from '../../functions/aws/run-command/send-command-input.ts';
import { CLUSTER_NAME } from '../../functions/scanner/config.ts';
import type { LogLevel } from '../settings-schema.ts';
import { CollectorDocument } from './collector-document.ts';
import { InternalChannel } from './internal-channel.ts';
import { iam5ResourceFinding } from './nag-ids.ts';
import { type ScanSchedule, ScheduledScan } from './scan-schedule.ts';
import { ScannerAlarms } from './scanner-alarms.ts';
import { SCANNER_HANDLER, scannerCode } from './scanner-code.ts';
import {
  SCANNER_FUNCTION_DEFAULTS,
  SCANNER_METRICS,
  SCANNER_NODE_OPTIONS,
} from './scanner-function-defaults.ts';
import { clusterStatements, EVENT_SOURCE, scannerStatements } from './scanner-permissions.ts';
import { ScannerStateTable } from './scanner-state-table.ts';
import { SecurityHubExtras } from './security-hub-extras.ts';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export { DEFAULT_SCAN_INTERVAL, SCHEDULED_SCAN_INPUT, type ScanSchedule } from './scan-schedule.ts';

export const SCAN_REQUESTED_DETAIL_TYPE = 'Scan Requested';
export const CUSTOM_ACTION_DETAIL_TYPE = 'Security Hub Findings - Custom Action';

/** Allowed clusters per managed policy: 6 clusters of 100-character names come to about 4,600 characters. */
export const CLUSTERS_PER_POLICY = 6;

/** Reserved concurrency unless the props say otherwise. */
export const DEFAULT_RESERVED_CONCURRENCY = 10;

export interface KubeletAuditScannerProps {
  /** @default every 12 hours */
  readonly schedule?: ScanSchedule;
  /**
   * Only these EKS clusters are scanned (names). Also narrows IAM: SendCommand only to nodes tagged for
   * these clusters (including self-managed `kubernetes.io/cluster/<name>` nodes) and DescribeCluster only
   * on them.
   * @default every cluster in the account and Region
   */
  readonly clusters?: readonly string[];
  /** @default 1769 (one vCPU) */
  readonly memorySize?: number;
  /**
   * Clusters one invocation scans side by side (they share exact account-wide API quotas); more are
   * fanned out in events of this many. 1 = one invocation per cluster.
   * @default 20
   */
  readonly clustersPerInvocation?: number;
  /** @default 15 minutes (Lambda's maximum; the scan keeps a reserve before it, see config.ts) */
  readonly timeout?: Duration;
  /**
   * Reserved concurrency of the function: at most this many invocations (one per
   * `clustersPerInvocation` clusters after fan-out) run at once, so a flood of events cannot take
   * the account's concurrency, and the function always has this much. `false` reserves none: an
   * account whose unreserved concurrency cannot spare it (Lambda keeps 100 unreserved) must use it.
   * @default 10
   */
  readonly maxConcurrentScans?: number | false;
  /**
   * A cluster (or node) scanned less than this many minutes ago is not scanned again; a scan of a
   * cluster that is running is never started twice. 0 = only the latter.
   * @default 10
   */
  readonly minScanIntervalMinutes?: number;
  /**
   * An unchanged finding is imported again this many days after its last import, spread over the
   * scans (1-60; Security Hub deletes findings not updated for 90 days).
   * @default 7
   */
  readonly refreshDays?: number;
  /**
   * An unreachable node keeps its last verdict this many hours after it was last reached, then its
   * findings turn NOT_AVAILABLE (0-720).
   * @default 72
   */
  readonly staleAfterHours?: number;
  /** @default three months */
  readonly logRetention?: RetentionDays;
  /** Powertools and Lambda application log level. @default INFO */
  readonly logLevel?: LogLevel;
  /** Alarm when more than this share of scanned nodes were NOT_AVAILABLE (1-100). @default 50 */
  readonly coverageAlarmPercent?: number;
  /** Every alarm's name starts with this. @default "<stack name>-" */
  readonly alarmNamePrefix?: string;
  /** Alarm and OK notifications go here. @default alarms without actions */
  readonly alarmTopic?: ITopic;
  /** Create the Security Hub insight and "Rescan node" custom action. @default true */
  readonly securityHubExtras?: boolean;
  /** Execution timeout of the collector on a node, seconds. @default 60 */
  readonly collectorTimeoutSeconds?: number;
  /** @default functions/collector/collect.sh of this repository */
  readonly collectorScriptPath?: string;
  /** @default functions/scanner/handler.ts of this repository */
  readonly handlerEntry?: string;
}

export class KubeletAuditScanner extends Construct {
  readonly function: LambdaFunctionResource;
  readonly collectorDocument: CollectorDocument;
  readonly failureQueue: Queue;
  readonly schedule: Schedule;
  readonly scanRequestedRule: Rule;
  readonly alarms: ScannerAlarms;
  readonly securityHub?: SecurityHubExtras;
  readonly rescanRule?: Rule;
  readonly internalChannel: InternalChannel;
  readonly stateTable: ScannerStateTable;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: KubeletAuditScannerProps = {}) {
    super(scope, id);
    const clusters = [...new Set(props.clusters ?? [])];
    const badCluster = clusters.find((c) => !CLUSTER_NAME.test(c));
    if (badCluster !== undefined) throw new Error(`"${badCluster}" is not an EKS cluster name`);

    this.collectorDocument = new CollectorDocument(this, 'CollectorDocument', {
      scriptPath: props.collectorScriptPath ?? resolve(REPO_ROOT, 'functions/collector/collect.sh'),
      executionTimeoutSeconds: props.collectorTimeoutSeconds ?? 60,
    });
    this.failureQueue = this.buildFailureQueue();
    const logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.THREE_MONTHS,
    });
    this.logGroup = logGroup;
    const role = this.buildRole(logGroup, clusters);
    this.stateTable = new ScannerStateTable(this, 'StateTable');
    for (const statement of this.stateTable.statements()) role.addToPolicy(statement);
    this.internalChannel = new InternalChannel(this, 'InternalChannel', { role });
    role.addToPolicy(this.internalChannel.putStatement());
    this.function = this.buildFunction(props, { role, logGroup, clusters });
    const scheduled = new ScheduledScan(this, 'Schedule', {
      ...(props.schedule === undefined ? {} : { schedule: props.schedule }),
      fn: this.function,
      deadLetterQueue: this.failureQueue,
    });
    this.schedule = scheduled.schedule;
    const ruleTarget = new LambdaFunction(this.function, {
      retryAttempts: 3,
      maxEventAge: Duration.hours(1),
      deadLetterQueue: this.failureQueue,
    });
    this.internalChannel.deliverTo(this.function, this.failureQueue);
    this.scanRequestedRule = new Rule(this, 'ScanRequestedRule', {
      description: 'eks-kubelet-audit: on-demand scan requests (scope only)',
      eventPattern: { source: [EVENT_SOURCE], detailType: [SCAN_REQUESTED_DETAIL_TYPE] },
      targets: [ruleTarget],
    });
    if (props.securityHubExtras ?? true) {
      this.securityHub = new SecurityHubExtras(this, 'SecurityHub');
      this.rescanRule = this.buildRescanRule(this.securityHub, ruleTarget);
    }
    const actions: IAlarmAction[] = props.alarmTopic ? [new SnsAction(props.alarmTopic)] : [];
    this.alarms = new ScannerAlarms(this, 'Alarms', {
      fn: this.function,
      failureQueue: this.failureQueue,
      actions,
      namePrefix: props.alarmNamePrefix ?? `${Stack.of(this).stackName}-`,
      ...(scheduled.intervalMinutes === undefined ? {} : { scanIntervalMinutes: scheduled.intervalMinutes }),
      ...(props.coverageAlarmPercent === undefined
        ? {}
        : { coverageAlarmPercent: props.coverageAlarmPercent }),
    });
  }

  /**
   * One queue for everything that could not be delivered or processed: Lambda async failures (the
   * event plus the error), and Scheduler/EventBridge deliveries that failed after their retries.
   */
  private buildFailureQueue(): Queue {
    const queue = new Queue(this, 'FailureQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue IS the dead-letter destination (Lambda on-failure destination, Scheduler and EventBridge ' +
        'target DLQ); a DLQ behind it would only move the same messages again. Its depth is alarmed.',
    });
    return queue;
  }

  /**
   * A role of our own instead of the default one, so no AWS managed policy (AWSLambdaBasicExecutionRole
   * allows CreateLogGroup/PutLogEvents on every log group) is attached: logs go to one group only.
   */
  private buildRole(logGroup: LogGroup, clusters: readonly string[]): Role {
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description:
        'eks-kubelet-audit scanner: least privilege for discovery, SSM collection, Security Hub import',
    });
    logGroup.grantWrite(role);
    for (const statement of scannerStatements(this, {
      documentName: this.collectorDocument.documentName,
      clusters,
    })) {
      role.addToPolicy(statement);
    }
    this.acknowledgeWildcards(role, clusters.length > 0);
    this.clusterPolicies(role, clusters);
    return role;
  }

  /**
   * The allow-list's statements in customer managed policies of CLUSTERS_PER_POLICY clusters each:
   * each stays well under IAM's 6,144 characters, and MAX_CLUSTERS (infra/settings-schema.ts) keeps
   * their number well under the 10 managed policies a role may have.
   */
  private clusterPolicies(role: Role, clusters: readonly string[]): void {
    for (let i = 0; i * CLUSTERS_PER_POLICY < clusters.length; i++) {
      const chunk = clusters.slice(i * CLUSTERS_PER_POLICY, (i + 1) * CLUSTERS_PER_POLICY);
      const policy = new ManagedPolicy(this, `ClusterAccess${i}`, {
        description: `eks-kubelet-audit scanner: SendCommand to and DescribeCluster of ${chunk.length} allowed clusters`,
        statements: clusterStatements(this, this.collectorDocument.documentName, chunk),
        roles: [role],
      });
      Validations.of(policy).acknowledge(this.instanceWildcardAck());
    }
  }

  private buildFunction(
    props: KubeletAuditScannerProps,
    parts: { role: Role; logGroup: LogGroup; clusters: readonly string[] },
  ): LambdaFunctionResource {
    const interval = props.minScanIntervalMinutes;
    if (interval !== undefined && (!Number.isInteger(interval) || interval < 0 || interval > 10_080)) {
      throw new Error(`minScanIntervalMinutes must be an integer in [0, 10080], got ${interval}`);
    }
    const reserved = props.maxConcurrentScans ?? DEFAULT_RESERVED_CONCURRENCY;
    return new LambdaFunctionResource(this, 'Function', {
      description: 'eks-kubelet-audit: scans EKS worker nodes kubelet settings and reports to Security Hub',
      code: scannerCode(props.handlerEntry ?? resolve(REPO_ROOT, 'functions/scanner/handler.ts')),
      handler: SCANNER_HANDLER,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? SCANNER_FUNCTION_DEFAULTS.memorySize,
      timeout: props.timeout ?? Duration.minutes(SCANNER_FUNCTION_DEFAULTS.timeoutMinutes),
      role: parts.role,
      logGroup: parts.logGroup,
      loggingFormat: LoggingFormat.JSON,
      // Lambda drops JSON log lines below its application log level: it must let DEBUG through too.
      ...(props.logLevel ? { applicationLogLevelV2: ApplicationLogLevel[props.logLevel] } : {}),
      ...(reserved !== false ? { reservedConcurrentExecutions: reserved } : {}),
      environment: this.functionEnvironment(props, parts.clusters),
      onFailure: new SqsDestination(this.failureQueue),
      // Idempotent scans (stable finding ids): retrying a failed one is safe.
      retryAttempts: 2,
      // A late scan beats none: the next scheduled one may be 12 hours away.
      maxEventAge: Duration.hours(6),
    });
  }

  /** The scanner's settings (functions/scanner/config.ts reads them). */
  private functionEnvironment(
    props: KubeletAuditScannerProps,
    clusters: readonly string[],
  ): Record<string, string> {
    const interval = props.minScanIntervalMinutes;
    return {
      KUBELET_AUDIT_DOCUMENT_NAME: this.collectorDocument.documentName,
      // Every SendCommand names this version, so a version added later is never what runs.
      KUBELET_AUDIT_DOCUMENT_VERSION: DEPLOYED_DOCUMENT_VERSION,
      KUBELET_AUDIT_EVENT_BUS: 'default',
      KUBELET_AUDIT_INTERNAL_EVENT_BUS: this.internalChannel.bus.eventBusName,
      KUBELET_AUDIT_STATE_TABLE: this.stateTable.table.tableName,
      ...(interval !== undefined ? { KUBELET_AUDIT_MIN_SCAN_INTERVAL_MINUTES: String(interval) } : {}),
      ...(props.refreshDays !== undefined ? { KUBELET_AUDIT_REFRESH_DAYS: String(props.refreshDays) } : {}),
      ...(props.staleAfterHours !== undefined
        ? { KUBELET_AUDIT_STALE_AFTER_HOURS: String(props.staleAfterHours) }
        : {}),
      ...(clusters.length > 0 ? { KUBELET_AUDIT_CLUSTERS: clusters.join(',') } : {}),
      ...(props.clustersPerInvocation !== undefined
        ? { KUBELET_AUDIT_CLUSTERS_PER_INVOCATION: String(props.clustersPerInvocation) }
        : {}),
      POWERTOOLS_SERVICE_NAME: SCANNER_METRICS.service,
      POWERTOOLS_METRICS_NAMESPACE: SCANNER_METRICS.namespace,
      ...(props.logLevel ? { POWERTOOLS_LOG_LEVEL: props.logLevel } : {}),
      NODE_OPTIONS: SCANNER_NODE_OPTIONS,
    };
  }

  /** The Security Hub "Rescan node" custom action, delivered like a Scan Requested event. */
  private buildRescanRule(securityHub: SecurityHubExtras, ruleTarget: LambdaFunction): Rule {
    return new Rule(this, 'RescanActionRule', {
      description: 'eks-kubelet-audit: the Security Hub "Rescan node" custom action',
      eventPattern: {
        source: ['aws.securityhub'],
        detailType: [CUSTOM_ACTION_DETAIL_TYPE],
        resources: [securityHub.rescanActionArn],
      },
      targets: [ruleTarget],
    });
  }

  private instanceWildcardAck(): { id: string; reason: string } {
    return {
      id: iam5ResourceFinding(
        this,
        Stack.of(this).formatArn({ service: 'ec2', resource: 'instance', resourceName: '*' }),
      ),
      reason:
        'ssm:SendCommand must name the target instances, which are discovered at run time. Each statement ' +
        'is narrowed by an ssm:resourceTag condition on an EKS node tag (eks:cluster-name, ' +
        'eks:eks-cluster-name, kubernetes.io/cluster/<name>), and the document is fixed to ours.',
    };
  }

  /** cdk-nag IAM5 findings, each acknowledged with the AWS limitation that forces the wildcard. */
  private acknowledgeWildcards(role: Role, clustersNamed: boolean): void {
    const stack = Stack.of(this);
    const acks = [
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Only actions without resource-level permissions use "*": ssm:ListCommands, ' +
          'ssm:ListCommandInvocations, ssm:GetCommandInvocation, ssm:DescribeInstanceInformation, ' +
          'ec2:DescribeInstances and eks:ListClusters have no resource type in the Service Authorization ' +
          'Reference (a test pins this list).',
      },
    ];
    if (!clustersNamed) acks.push(this.instanceWildcardAck());
    if (!clustersNamed) {
      acks.push({
        id: iam5ResourceFinding(
          this,
          stack.formatArn({ service: 'eks', resource: 'cluster', resourceName: '*' }),
        ),
        reason:
          'Without a cluster allow-list the scanner describes every cluster ListClusters returns, which are ' +
          'only known at run time; the ARN is still limited to this account and Region.',
      });
    }
    for (const ack of acks) Validations.of(role).acknowledge(ack);
  }
}
