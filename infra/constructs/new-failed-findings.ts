/**
 * Opt-in notification of FAILED findings of ours that nobody has looked at yet: Security Hub sends a
 * "Security Hub Findings - Imported" event for every finding it imports (one finding per event), and
 * this rule keeps those of the account's default product with our GeneratorId prefix that are FAILED,
 * ACTIVE and still in Workflow NEW, on the import where they turned FAILED: only that import carries
 * the product field NEW_FAILED_FIELD (functions/findings/change-plan.ts), so the refresh re-imports of
 * a finding that stays FAILED notify nobody again. README "Deploy" prints the same pattern for
 * routing elsewhere.
 */
import { Stack } from 'aws-cdk-lib';
import { type EventPattern, type IRuleTarget, Rule } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { NEW_FAILED_FIELD } from '../../functions/findings/finding-state.ts';
import { GENERATOR_ID_PREFIX } from './security-hub-extras.ts';

/** The rule's pattern for a given default-product ARN (a token in the stack, literal in the README). */
export function newFailedFindingsPattern(productArn: string): EventPattern {
  return {
    source: ['aws.securityhub'],
    detailType: ['Security Hub Findings - Imported'],
    detail: {
      findings: {
        ProductArn: [productArn],
        GeneratorId: [{ prefix: GENERATOR_ID_PREFIX }],
        Compliance: { Status: ['FAILED'] },
        Workflow: { Status: ['NEW'] },
        RecordState: ['ACTIVE'],
        ProductFields: { [NEW_FAILED_FIELD]: ['true'] },
      },
    },
  };
}

/**
 * The topic as a rule target without the grant aws-events-targets' SnsTopic adds (sns:Publish for
 * events.amazonaws.com with no source condition); the statement above replaces it.
 */
function topicTarget(topic: ITopic): IRuleTarget {
  return { bind: () => ({ arn: topic.topicArn }) };
}

export interface NewFailedFindingsProps {
  readonly topic: ITopic;
}

export class NewFailedFindings extends Construct {
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: NewFailedFindingsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const productArn = stack.formatArn({
      service: 'securityhub',
      resource: 'product',
      resourceName: `${stack.account}/default`,
    });
    this.rule = new Rule(this, 'Rule', {
      description: 'eks-kubelet-audit: findings that turned FAILED, in Workflow NEW, to the alarm topic',
      eventPattern: newFailedFindingsPattern(productArn),
      targets: [topicTarget(props.topic)],
    });
    // Only this rule may publish: events.amazonaws.com alone would admit any account's rules.
    props.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowNewFailedFindingsRuleToPublish',
        principals: [new ServicePrincipal('events.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [props.topic.topicArn],
        conditions: { ArnEquals: { 'aws:SourceArn': this.rule.ruleArn } },
      }),
    );
  }
}
