/**
 * The scanner's IAM statements, one per purpose. No statement uses an action wildcard; every `*`
 * resource belongs to an action that has no resource type in the Service Authorization Reference.
 */
import { Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { NodeTag } from '../../functions/aws/node-tags.ts';
import { sendCommandTagConditions } from '../../functions/aws/send-command-policy.ts';

/** Source of every event the function puts and reads (README "Start a scan now"). */
export const EVENT_SOURCE = 'eks-kubelet-audit';
/** The only event the scanner puts on the public bus. */
export const SCAN_COMPLETED_DETAIL_TYPE = 'Scan Completed';

/**
 * Tag keys by which EKS provisioners mark a node's cluster: managed node groups (`eks:cluster-name`),
 * Karpenter (`eks:eks-cluster-name`, EKSClusterNameTagKey in aws/karpenter-provider-aws
 * pkg/apis/v1/labels.go) and Auto Mode (`eks:eks-cluster-name`, Amazon EKS user guide,
 * https://docs.aws.amazon.com/eks/latest/userguide/auto-troubleshoot.html). The third provisioner tag,
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

/**
 * Fields BatchUpdateFindings can change that have a `securityhub:ASFFSyntaxPath/<field>` condition key
 * (Security Hub user guide, finding-update-batchupdatefindings: "Configuring access to
 * BatchUpdateFindings"), except Workflow.Status, the only field the scanner changes.
 */
export const FINDING_FIELDS_NOT_CHANGED = [
  'Confidence',
  'Criticality',
  'Note.Text',
  'Note.UpdatedBy',
  'RelatedFindings',
  'Severity.Label',
  'Types',
  'UserDefinedFields',
  'VerificationState',
] as const;

/** The Workflow.Status values the scanner sets (functions/aws/security-hub.ts, lifecycle.ts). */
export const WORKFLOW_STATUSES_SET = ['RESOLVED'] as const;

function hubArn(scope: IConstruct): string {
  return Stack.of(scope).formatArn({ service: 'securityhub', resource: 'hub', resourceName: 'default' });
}

/**
 * BatchUpdateFindings for Workflow.Status RESOLVED and nothing else: the Allow requires that field
 * with that value, and one Deny per other updatable field refuses any request that carries it
 * (`Null: false` = the key is present). One Deny each, because keys within one condition are ANDed.
 * No condition key narrows BatchUpdateFindings to our own product's findings; the hub is the only
 * resource.
 */
function workflowStatusOnly(scope: IConstruct): PolicyStatement[] {
  const hub = hubArn(scope);
  return [
    new PolicyStatement({
      sid: 'ResolveFindingsWorkflowOnly',
      actions: ['securityhub:BatchUpdateFindings'],
      resources: [hub],
      conditions: {
        StringEquals: { 'securityhub:ASFFSyntaxPath/Workflow.Status': [...WORKFLOW_STATUSES_SET] },
      },
    }),
    ...FINDING_FIELDS_NOT_CHANGED.map(
      (field) =>
        new PolicyStatement({
          sid: `DenyFindingUpdate${field.replace(/\W/g, '')}`,
          effect: Effect.DENY,
          actions: ['securityhub:BatchUpdateFindings'],
          resources: [hub],
          conditions: { Null: { [`securityhub:ASFFSyntaxPath/${field}`]: 'false' } },
        }),
    ),
  ];
}

/**
 * The statements of the scanner role's inline policy, grouped by service, in a fixed order. With an
 * allow-list, the statements that name clusters are left out: clusterStatements() gives them, a few
 * clusters at a time, for managed policies of their own (every cluster costs some 600 characters, and
 * a role's inline policies may hold 10,240 in all).
 */
export function scannerStatements(scope: IConstruct, options: ScannerPermissionsOptions): PolicyStatement[] {
  const clusters = options.clusters && options.clusters.length > 0 ? options.clusters : undefined;
  const ssm = ssmStatements(scope, options.documentName, clusters);
  const discovery = discoveryStatements(scope, clusters);
  return [
    ...(clusters ? ssm.filter((s) => !isClusterStatement(s)) : ssm),
    ...(clusters ? discovery.filter((s) => !isClusterStatement(s)) : discovery),
    ...securityHubStatements(scope),
    putScanCompletedStatement(scope),
  ];
}

const CLUSTER_SIDS = /^(SendCommandToEksNodesTagged|SendCommandToSelfManagedNodes|DescribeClusters)/;

function isClusterStatement(statement: PolicyStatement): boolean {
  return CLUSTER_SIDS.test(statement.sid ?? '');
}

/** The statements that name these clusters (node tags, self-managed node tags, DescribeCluster). */
export function clusterStatements(
  scope: IConstruct,
  documentName: string,
  clusters: readonly string[],
): PolicyStatement[] {
  return [...ssmStatements(scope, documentName, clusters), ...discoveryStatements(scope, clusters)].filter(
    isClusterStatement,
  );
}

/**
 * ssm:SendCommand is authorized once per resource of the request: the document and every instance
 * (Service Authorization Reference,
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssystemsmanager.html:
 * document* required, instance optional). The document statement has no condition; the instance
 * statements are ORed, one per tag key, because several keys in one condition would be ANDed. A node
 * that matches none ends AccessDenied (reported NOT_AVAILABLE).
 */
function ssmStatements(
  scope: IConstruct,
  documentName: string,
  clusters: readonly string[] | undefined,
): PolicyStatement[] {
  const stack = Stack.of(scope);
  const instanceArn = stack.formatArn({ service: 'ec2', resource: 'instance', resourceName: '*' });
  const sendCommandOnDocument = new PolicyStatement({
    sid: 'SendCommandWithCollectorDocumentOnly',
    actions: ['ssm:SendCommand'],
    resources: [stack.formatArn({ service: 'ssm', resource: 'document', resourceName: documentName })],
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
      // No resource types for these actions (Service Authorization Reference, list_awssystemsmanager):
      // "*" is the only option.
      actions: [
        'ssm:ListCommands',
        'ssm:ListCommandInvocations',
        'ssm:GetCommandInvocation',
        'ssm:DescribeInstanceInformation',
      ],
      resources: ['*'],
    }),
  ];
}

/** Finding the nodes (EC2) and the clusters (EKS). */
function discoveryStatements(scope: IConstruct, clusters: readonly string[] | undefined): PolicyStatement[] {
  const stack = Stack.of(scope);
  return [
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
      // Without an allow-list: every cluster of this account and Region, never another account's.
      resources: (clusters ?? ['*']).map((name) =>
        stack.formatArn({ service: 'eks', resource: 'cluster', resourceName: name }),
      ),
    }),
  ];
}

/** Importing, reading and resolving the scanner's findings in this account's hub. */
function securityHubStatements(scope: IConstruct): PolicyStatement[] {
  const stack = Stack.of(scope);
  return [
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
      sid: 'ReadFindings',
      // GetFindings has only the hub as resource and no condition key to narrow it to our product;
      // the scanner filters by ProductArn itself.
      actions: ['securityhub:GetFindings'],
      resources: [hubArn(scope)],
    }),
    ...workflowStatusOnly(scope),
  ];
}

/**
 * events:source and events:detail-type are multivalued (one value per entry): every entry must be
 * our Scan Completed (fan-out work items go to the internal bus only), and the Null check keeps the
 * ForAllValues test from passing on a request without the key.
 */
function putScanCompletedStatement(scope: IConstruct): PolicyStatement {
  return new PolicyStatement({
    sid: 'PutScanCompletedOnDefaultBus',
    effect: Effect.ALLOW,
    actions: ['events:PutEvents'],
    resources: [
      Stack.of(scope).formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' }),
    ],
    conditions: {
      'ForAllValues:StringEquals': {
        'events:source': [EVENT_SOURCE],
        'events:detail-type': [SCAN_COMPLETED_DETAIL_TYPE],
      },
      Null: { 'events:source': 'false', 'events:detail-type': 'false' },
    },
  });
}
