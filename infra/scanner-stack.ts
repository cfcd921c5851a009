/**
 * EksKubeletAuditStack: the scanner construct plus, when an e-mail address is given, an encrypted
 * SNS topic for its alarms (and, opted in, for new FAILED findings), the stack outputs an operator
 * needs, and a `project` tag on every resource. Environment-agnostic: account and Region come from
 * the deploy credentials.
 */
import { Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { AlarmTopic } from './constructs/alarm-topic.ts';
import { KubeletAuditScanner, type KubeletAuditScannerProps } from './constructs/kubelet-audit-scanner.ts';
import { NewFailedFindings } from './constructs/new-failed-findings.ts';
import type { AppSettings } from './context.ts';
import { addStackOutputs } from './stack-outputs.ts';

export const PROJECT_TAG = { key: 'project', value: 'eks-kubelet-audit' } as const;

export interface EksKubeletAuditStackProps extends StackProps {
  readonly scanner?: Omit<KubeletAuditScannerProps, 'alarmTopic' | 'alarmNamePrefix'>;
  /** Subscribe this address to the alarm topic (creates the topic and its key). */
  readonly alarmEmail?: string;
  /** Send FAILED findings in Workflow NEW to the alarm topic too (needs alarmEmail). @default false */
  readonly notifyNewFailed?: boolean;
}

/** The stack's properties from the validated settings (infra/context.ts). */
export function stackPropsFromSettings(settings: AppSettings): EksKubeletAuditStackProps {
  const { alarmEmail, notifyNewFailed, logRetentionDays, ...scanner } = settings;
  return {
    ...(alarmEmail === undefined ? {} : { alarmEmail }),
    notifyNewFailed,
    scanner: {
      ...scanner,
      ...(logRetentionDays === undefined ? {} : { logRetention: logRetentionDays as RetentionDays }),
    },
  };
}

export class EksKubeletAuditStack extends Stack {
  readonly scanner: KubeletAuditScanner;
  readonly alarmTopic?: AlarmTopic;
  readonly newFailedFindings?: NewFailedFindings;

  constructor(scope: Construct, id: string, props: EksKubeletAuditStackProps = {}) {
    super(scope, id, {
      description:
        'eks-kubelet-audit: scheduled CIS EKS kubelet scan of worker nodes, reported to Security Hub',
      ...props,
    });
    Tags.of(this).add(PROJECT_TAG.key, PROJECT_TAG.value);
    const alarmNamePrefix = `${this.stackName}-`;
    if (props.notifyNewFailed && props.alarmEmail === undefined) {
      throw new Error('notifyNewFailed publishes to the alarm topic, which exists only with alarmEmail');
    }
    if (props.alarmEmail !== undefined) {
      this.alarmTopic = new AlarmTopic(this, { email: props.alarmEmail, alarmNamePrefix });
    }
    this.scanner = new KubeletAuditScanner(this, 'Scanner', {
      ...props.scanner,
      alarmNamePrefix,
      ...(this.alarmTopic ? { alarmTopic: this.alarmTopic.topic } : {}),
    });
    if (props.notifyNewFailed && this.alarmTopic) {
      this.newFailedFindings = new NewFailedFindings(this, 'NewFailedFindings', {
        topic: this.alarmTopic.topic,
      });
      this.alarmTopic.allowEventBridge();
    }
    addStackOutputs(this, {
      scanner: this.scanner,
      ...(this.alarmTopic ? { alarmTopic: this.alarmTopic.topic } : {}),
    });
  }
}
