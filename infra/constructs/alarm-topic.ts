/**
 * The encrypted SNS topic the alarms (and, opted in, new FAILED findings) are sent to. CloudWatch
 * cannot publish to a topic encrypted with the AWS managed key (alias/aws/sns, whose policy cannot
 * admit cloudwatch.amazonaws.com), hence a customer managed key whose policy, like the topic's,
 * admits CloudWatch only on behalf of this stack's alarms (SNS Developer Guide, "Enable compatibility
 * between event sources from AWS services and encrypted topics",
 * https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services).
 */
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';

export interface AlarmTopicProps {
  readonly email: string;
  /** Alarm names start with this (ScannerAlarms names them so); the policies admit only those. */
  readonly alarmNamePrefix: string;
}

/**
 * Not a construct of its own: the key and the topic keep the ids (and so the logical ids) they always
 * had in the stack, so an upgrade never replaces the topic and its confirmed e-mail subscription.
 */
export class AlarmTopic {
  readonly topic: Topic;
  readonly key: Key;

  constructor(scope: Construct, props: AlarmTopicProps) {
    const stack = Stack.of(scope);
    const alarmArns = stack.formatArn({
      service: 'cloudwatch',
      resource: 'alarm',
      resourceName: `${props.alarmNamePrefix}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const fromOurAlarms = {
      ArnLike: { 'aws:SourceArn': alarmArns },
      StringEquals: { 'aws:SourceAccount': stack.account },
    };
    this.key = new Key(scope, 'AlarmTopicKey', {
      description: 'eks-kubelet-audit: encrypts the alarm topic',
      enableKeyRotation: true,
      // It only protects notifications in transit; nothing needs it after the stack is gone.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowThisStacksAlarmsToUseTheKey',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: fromOurAlarms,
      }),
    );
    this.topic = new Topic(scope, 'AlarmTopic', {
      displayName: 'eks-kubelet-audit alarms',
      masterKey: this.key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowThisStacksAlarmsToPublish',
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: fromOurAlarms,
      }),
    );
    this.topic.addSubscription(new EmailSubscription(props.email));
  }

  /**
   * Lets EventBridge deliver to the encrypted topic. No source condition on the key: EventBridge's KMS
   * requests carry neither aws:SourceArn nor aws:SourceAccount (SNS Developer Guide, same section);
   * the topic policy (from the SnsTopic target) still admits only the rule.
   */
  allowEventBridge(): void {
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowEventBridgeToUseTheKey',
        principals: [new ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
  }
}
