/** Shared by the Security Hub unit tests: the import target and a minimal finding. */
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';

export const target = {
  productArn: 'arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default',
  region: 'eu-west-1',
  accountId: '111122223333',
};

/** Finding `n` of cluster "prod" (the product fields the reads filter on included). */
export function finding(n: number, extra: Partial<AwsSecurityFinding> = {}): AwsSecurityFinding {
  return {
    Id: `eu-west-1/111122223333/prod/i-${String(n).padStart(17, '0')}/c`,
    ProductArn: target.productArn,
    GeneratorId: 'eks-kubelet-audit/c',
    ProductFields: { 'eks-kubelet-audit/cluster': 'prod' },
    ...extra,
  } as AwsSecurityFinding;
}
