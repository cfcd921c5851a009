import type { Control, ControlResult } from '../../functions/controls/control.ts';
import type { AccountScope } from '../../functions/findings/asff.ts';
import type { ClusterInfo, NodeInfo } from '../../functions/fleet.ts';

export const scope: AccountScope = { partition: 'aws', region: 'eu-west-1', accountId: '111122223333' };

export const cluster: ClusterInfo = {
  name: 'prod',
  arn: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod',
  version: '1.33',
  autoMode: false,
};

export const node: NodeInfo = {
  instanceId: 'i-0123456789abcdef0',
  cluster: 'prod',
  provisioner: 'managed-node-group',
  platform: 'linux',
  nodeGroup: 'ng-1',
  instanceType: 'm6i.large',
  imageId: 'ami-0abc',
  launchTime: new Date('2026-11-01T00:00:00Z'),
  privateIpAddress: '10.0.0.1',
  vpcId: 'vpc-1',
  subnetId: 'subnet-1',
  iamInstanceProfileArn: 'arn:aws:iam::111122223333:instance-profile/node',
  operatorManaged: false,
  clusterTags: ['eks:cluster-name'],
};

/** A control shaped like the real catalog entry; asff must not depend on its wording. */
export const control: Control = {
  id: 'kubelet-make-iptables-util-chains',
  title: 'Kubelet manages iptables utility chains (--make-iptables-util-chains is true)',
  description: 'The kubelet should create and maintain the iptables chains it relies on.',
  cisIds: { eks: '3.2.6', eksLegacy: '3.2.7', kubernetes: '4.2.6' },
  severity: 'MEDIUM',
  severityWhy: 'Unmanaged iptables chains drift from the pod network configuration.',
  profile: 'Level 1',
  applicability: { notApplicable: {} },
  settings: {},
  cis: [
    { benchmark: 'CIS Amazon EKS Benchmark', version: 'v1.8.0', id: '3.2.6' },
    { benchmark: 'CIS Amazon EKS Benchmark', version: 'v1.2.0', id: '3.2.7' },
  ],
  remediation: {
    short: 'Remove --make-iptables-util-chains=false from the kubelet arguments and restart the kubelet.',
    url: 'https://docs.aws.amazon.com/eks/latest/userguide/',
    byNodeType: {},
  },
  evaluate: () => {
    throw new Error('not used');
  },
};

export function result(status: ControlResult['status'], extra: Partial<ControlResult> = {}): ControlResult {
  return {
    controlId: control.id,
    status,
    reason: `reason for ${status}`,
    evidence: {},
    ...extra,
  };
}
