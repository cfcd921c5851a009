/**
 * EksKubeletAuditStack: the scanner construct plus, when an e-mail address is given, an encrypted
 * SNS topic for its alarms. Environment-agnostic: account and Region come from the deploy credentials.
 */
import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { KubeletAuditScanner, type KubeletAuditScannerProps } from './constructs/kubelet-audit-scanner.ts';

export interface EksKubeletAuditStackProps extends StackProps {
  readonly scanner?: Omit<KubeletAuditScannerProps, 'alarmTopic'>;
  /** Subscribe this address to the alarm topic (creates the topic and its key). */
  readonly alarmEmail?: string;
}

export class EksKubeletAuditStack extends Stack {
  readonly scanner: KubeletAuditScanner;
  readonly alarmTopic?: Topic;

  constructor(scope: Construct, id: string, props: EksKubeletAuditStackProps = {}) {
    super(scope, id, {
      description:
        'eks-kubelet-audit: scheduled CIS EKS kubelet scan of worker nodes, reported to Security Hub',
      ...props,
    });
    if (props.alarmEmail !== undefined) {
      // CloudWatch cannot publish to a topic encrypted with the AWS managed key (alias/aws/sns): its key
      // policy cannot be changed to admit cloudwatch.amazonaws.com. Hence a customer managed key.
      const key = new Key(this, 'AlarmTopicKey', {
        description: 'eks-kubelet-audit: encrypts the alarm topic',
        enableKeyRotation: true,
        // It only protects notifications in transit; nothing needs it after the stack is gone.
        removalPolicy: RemovalPolicy.DESTROY,
        pendingWindow: Duration.days(7),
      });
      key.addToResourcePolicy(
        new PolicyStatement({
          sid: 'AllowCloudWatchAlarmsOfThisAccount',
          effect: Effect.ALLOW,
          principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
        }),
      );
      this.alarmTopic = new Topic(this, 'AlarmTopic', {
        displayName: 'eks-kubelet-audit alarms',
        masterKey: key,
        enforceSSL: true,
      });
      this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    }
    this.scanner = new KubeletAuditScanner(this, 'Scanner', {
      ...props.scanner,
      ...(this.alarmTopic ? { alarmTopic: this.alarmTopic } : {}),
    });
  }
}
