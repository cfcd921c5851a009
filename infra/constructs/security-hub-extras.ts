/**
 * Security Hub CSPM conveniences: two insights over our failing findings (by cluster, by control) and a
 * "Rescan node" custom action. All need Security Hub CSPM enabled in the Region before deployment.
 */
import { Stack } from 'aws-cdk-lib';
import { CfnActionTarget, CfnInsight } from 'aws-cdk-lib/aws-securityhub';
import { Construct } from 'constructs';

/** Our findings' GeneratorId starts with this (one generator per control). */
export const GENERATOR_ID_PREFIX = 'eks-kubelet-audit/';

/** CreateActionTarget: Name up to 20 characters, Id up to 20 alphanumeric characters. */
export const RESCAN_ACTION = {
  id: 'KubeletAuditRescan',
  name: 'Rescan node',
  description: 'eks-kubelet-audit: scan the EKS worker nodes of the selected findings again now.',
} as const;

/** Our FAILED, ACTIVE findings; `resourceType` narrows them to one row per cluster or node. */
function failingFilters(
  productArn: string,
  resourceType: string,
): CfnInsight.AwsSecurityFindingFiltersProperty {
  return {
    productArn: [{ comparison: 'EQUALS', value: productArn }],
    generatorId: [{ comparison: 'PREFIX', value: GENERATOR_ID_PREFIX }],
    complianceStatus: [{ comparison: 'EQUALS', value: 'FAILED' }],
    recordState: [{ comparison: 'EQUALS', value: 'ACTIVE' }],
    resourceType: [{ comparison: 'EQUALS', value: resourceType }],
  };
}

export class SecurityHubExtras extends Construct {
  readonly insight: CfnInsight;
  readonly insightByControl: CfnInsight;
  readonly rescanAction: CfnActionTarget;
  /** ARN of the custom action (the `resources` entry of its EventBridge events). */
  readonly rescanActionArn: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const account = Stack.of(this).account;
    const productArn = Stack.of(this).formatArn({
      service: 'securityhub',
      resource: 'product',
      resourceName: `${account}/default`,
    });
    this.insight = new CfnInsight(this, 'FailingByCluster', {
      name: 'kubelet controls failing, by cluster',
      // Insights group only by top-level filter attributes (ResourceId, ResourceType, AwsAccountId, ...);
      // ProductFields and Resources[].Details are maps and cannot be grouped by. Every finding names its
      // node AND its cluster (an AwsEksCluster resource whose Id is the cluster ARN), so grouping by
      // ResourceId lists each cluster ARN with its count of failing findings (node ARNs appear too, one
      // row per failing node, ranked below their clusters).
      groupByAttribute: 'ResourceId',
      filters: failingFilters(productArn, 'AwsEksCluster'),
    });
    this.insightByControl = new CfnInsight(this, 'FailingByControl', {
      name: 'kubelet controls failing, by control',
      // One generator per control (functions/findings/asff.ts generatorId) and one finding per node and
      // control: each row is a control with its number of failing nodes.
      groupByAttribute: 'GeneratorId',
      filters: failingFilters(productArn, 'AwsEc2Instance'),
    });
    this.rescanAction = new CfnActionTarget(this, 'RescanNode', {
      id: RESCAN_ACTION.id,
      name: RESCAN_ACTION.name,
      description: RESCAN_ACTION.description,
    });
    this.rescanActionArn = this.rescanAction.attrActionTargetArn;
  }
}
