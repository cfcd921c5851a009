/**
 * The scanner's IAM statements, one per purpose. No statement uses an action wildcard; every `*`
 * resource belongs to an action that has no resource type in the Service Authorization Reference.
 */
import { Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { NodeTag } from '../../functions/aws/node-tags.ts';
import { sendCommandTagConditions } from '../../functions/aws/send-command-policy.ts';

/** Source of every event the function puts (BRIEF.md events contract). */
export const EVENT_SOURCE = 'eks-kubelet-audit';

/**
 * Tag keys by which EKS provisioners mark a node's cluster (aws-platform-facts C): managed node groups
 * (`eks:cluster-name`), Karpenter and Auto Mode (`eks:eks-cluster-name`). The third provisioner tag,
 * `kubernetes.io/cluster/<name>` (self-managed, eksctl), carries the cluster in its KEY, so it can only
 * be named when the cluster names are known (allow-list). The conditions themselves are one shared
 * definition (functions/aws/send-command-policy.ts), which the collection and the test emulator use too.
 */
export const EKS_NODE_TAG_KEYS = sendCommandTagConditions()
  .map((c) => c.key)
  .filter((key) => !key.startsWith(NodeTag.SELF_MANAGED_PREFIX));

export interface ScannerPermissionsOptions {
  /** Name (token) of the collector Command document. */
  readonly documentName: string;
  /** Cluster allow-list; narrows SendCommand and DescribeCluster to these clusters. */
  readonly clusters?: readonly string[];
}

export function scannerStatements(scope: IConstruct, options: ScannerPermissionsOptions): PolicyStatement[] {
  const stack = Stack.of(scope);
  const clusters = options.clusters && options.clusters.length > 0 ? options.clusters : undefined;
  const instanceArn = stack.formatArn({ service: 'ec2', resource: 'instance', resourceName: '*' });

  // ssm:SendCommand is authorized once per resource of the request: the document and every instance
  // (iam-ref list_awssystemsmanager: document* required, instance optional). The document statement has
  // no condition; the instance statements are ORed, one per tag key, because several keys in one
  // condition would be ANDed. A node that matches none ends AccessDenied (reported NOT_AVAILABLE).
  const sendCommandOnDocument = new PolicyStatement({
    sid: 'SendCommandWithCollectorDocumentOnly',
    actions: ['ssm:SendCommand'],
    resources: [
      stack.formatArn({ service: 'ssm', resource: 'document', resourceName: options.documentName }),
    ],
  });
  const sendCommandOnNodes = sendCommandTagConditions(clusters).map(
    (condition, index) =>
      new PolicyStatement({
        sid: condition.key.startsWith(NodeTag.SELF_MANAGED_PREFIX)
          ? `SendCommandToSelfManagedNodes${index - EKS_NODE_TAG_KEYS.length}`
          : `SendCommandToEksNodesTagged${index}`,
        actions: ['ssm:SendCommand'],
        resources: [instanceArn],
        conditions: condition.values
          ? { StringEquals: { [`ssm:resourceTag/${condition.key}`]: [...condition.values] } }
          : // "?*": the tag exists with a non-empty value (any cluster of this account and Region; the
            // kubelet's cloud provider and eksctl set kubernetes.io/cluster/<name> to "owned" or "shared").
            { StringLike: { [`ssm:resourceTag/${condition.key}`]: '?*' } },
      }),
  );

  return [
    sendCommandOnDocument,
    ...sendCommandOnNodes,
    new PolicyStatement({
      sid: 'ReadCommandResultsAndNodeReachability',
      // No resource types for these actions (iam-ref list_awssystemsmanager): "*" is the only option.
      actions: [
        'ssm:ListCommands',
        'ssm:ListCommandInvocations',
        'ssm:GetCommandInvocation',
        'ssm:DescribeInstanceInformation',
      ],
      resources: ['*'],
    }),
    new PolicyStatement({
      sid: 'DiscoverNodeInstances',
      // EC2 Describe* actions do not support resource-level permissions.
      actions: ['ec2:DescribeInstances'],
      resources: ['*'],
    }),
    new PolicyStatement({
      sid: 'ListClusters',
      // eks:ListClusters has no resource type.
      actions: ['eks:ListClusters'],
      resources: ['*'],
    }),
    new PolicyStatement({
      sid: 'DescribeClusters',
      actions: ['eks:DescribeCluster'],
      resources: (clusters ?? ['*']).map((name) =>
        stack.formatArn({ service: 'eks', resource: 'cluster', resourceName: name }),
      ),
    }),
    new PolicyStatement({
      sid: 'ImportFindingsIntoThisAccountOnly',
      actions: ['securityhub:BatchImportFindings'],
      resources: [
        stack.formatArn({
          service: 'securityhub',
          resource: 'product',
          resourceName: `${stack.account}/default`,
        }),
      ],
      conditions: { StringEquals: { 'securityhub:TargetAccount': stack.account } },
    }),
    new PolicyStatement({
      sid: 'ReadAndUpdateOwnFindings',
      actions: ['securityhub:GetFindings', 'securityhub:BatchUpdateFindings'],
      resources: [stack.formatArn({ service: 'securityhub', resource: 'hub', resourceName: 'default' })],
    }),
    new PolicyStatement({
      sid: 'PutOwnEventsOnDefaultBus',
      effect: Effect.ALLOW,
      actions: ['events:PutEvents'],
      resources: [stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' })],
      // events:source is multivalued (one value per entry): every entry must carry our source, and the
      // Null check keeps the ForAllValues test from passing on a request without the key.
      conditions: {
        'ForAllValues:StringEquals': { 'events:source': [EVENT_SOURCE] },
        Null: { 'events:source': 'false' },
      },
    }),
  ];
}
