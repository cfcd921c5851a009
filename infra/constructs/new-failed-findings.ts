/**
 * Opt-in notification of FAILED findings of ours that nobody has looked at yet: Security Hub sends a
 * "Security Hub Findings - Imported" event for every finding it imports (one finding per event), and
 * this rule keeps those of the account's default product with our GeneratorId prefix that are FAILED,
 * ACTIVE and still in Workflow NEW. Every scan imports each finding again, so a finding notifies at
 * each scan until someone sets its workflow to NOTIFIED (or suppresses or resolves it); README
 * "Deploy" prints the same pattern for routing elsewhere.
 */
import { Stack } from 'aws-cdk-lib';
import { type EventPattern, Rule } from 'aws-cdk-lib/aws-events';
import { SnsTopic } from 'aws-cdk-lib/aws-events-targets';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
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
      },
    },
  };
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
      description: 'eks-kubelet-audit: FAILED findings in Workflow NEW, to the alarm topic',
      eventPattern: newFailedFindingsPattern(productArn),
      targets: [new SnsTopic(props.topic)],
    });
  }
}
