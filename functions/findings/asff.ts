/**
 * One ASFF finding per node and control (pure). Limits from the Security Hub API reference
 * (AwsSecurityFinding) and the Security Hub user guide
 * (https://docs.aws.amazon.com/securityhub/latest/userguide/asff-required-attributes.html): Title ≤ 256, Description ≤ 1024,
 * Remediation text ≤ 512, ProductFields ≤ 50 pairs with keys ≤ 128 and values ≤ 2048, every string
 * non-blank. Every string that can carry text from a node (reasons, evidence, OS name, file paths)
 * goes through safeText: escape sequences and controls removed, cut to its limit
 * (functions/text/sanitize.ts).
 */
import type { AwsSecurityFinding, Compliance, Partition, Resource } from '@aws-sdk/client-securityhub';
import type { ComplianceStatus, Control, ControlResult, Severity } from '../controls/control.ts';
import type { ClusterInfo, NodeInfo } from '../fleet.ts';
import { describeProvenance } from '../kubelet/provenance.ts';
import { safeText, truncate } from '../text/sanitize.ts';

export { truncate };

export const PRODUCT_PREFIX = 'eks-kubelet-audit/';
export const FINDING_TYPE =
  'Software and Configuration Checks/Industry and Regulatory Standards/CIS Host Hardening Benchmarks';
export const LIMITS = {
  id: 512,
  title: 256,
  description: 1024,
  remediationText: 512,
  productFields: 50,
  productFieldKey: 128,
  productFieldValue: 2048,
  statusReason: 2048,
  reasonCode: 64,
  relatedRequirements: 32,
  /** Resource details have no documented length limits; discovery values are short, so this only bounds abuse. */
  resourceDetail: 512,
} as const;

/** Where the scanner runs: the findings' account, Region and partition. */
export interface AccountScope {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
}

/** ARN partition of a Region: aws-cn for China, aws-us-gov for GovCloud, aws otherwise. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  return 'aws';
}

/** ASFF Resource.Partition spells the isolated partitions differently from ARNs. */
function resourcePartition(partition: string): Partition {
  const map: Record<string, Partition> = { 'aws-iso': 'aws-us-iso', 'aws-iso-b': 'aws-us-iso-b' };
  return (map[partition] ?? partition) as Partition;
}

export function productArn(scope: AccountScope): string {
  return `arn:${scope.partition}:securityhub:${scope.region}:${scope.accountId}:product/${scope.accountId}/default`;
}

export function generatorId(controlId: string): string {
  return `${PRODUCT_PREFIX}${controlId}`;
}

/** Stable identity: no time, no scan id, so every scan updates the same finding. */
export function findingId(
  scope: AccountScope,
  cluster: string,
  instanceId: string,
  controlId: string,
): string {
  return `${scope.region}/${scope.accountId}/${cluster}/${instanceId}/${controlId}`;
}

export function instanceArn(scope: AccountScope, instanceId: string): string {
  return `arn:${scope.partition}:ec2:${scope.region}:${scope.accountId}:instance/${instanceId}`;
}

/** ASFF strings must match `.*\S.*`; the field is left out rather than sent blank. */
function nonBlank(value: string | undefined): value is string {
  return value !== undefined && /\S/.test(value);
}

/** A resource detail: discovery data (EC2, EKS), bounded and cleaned like node text. */
function detail(value: string): string {
  return safeText(value, LIMITS.resourceDetail);
}

export interface FindingInput {
  readonly scope: AccountScope;
  readonly cluster: ClusterInfo;
  readonly node: NodeInfo;
  readonly control: Control;
  readonly result: ControlResult;
  readonly scanId: string;
  /** RFC 3339; equal to updatedAt for a new finding. */
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Short machine code behind the status (e.g. SSM_OFFLINE); defaults to the status. */
  readonly reasonCode?: string;
  readonly collectorVersion?: string;
  readonly filesRead?: readonly string[];
  readonly nodeOs?: string;
  /**
   * Only for a new finding: Import can set Workflow at creation and never later (Security Hub user
   * guide, https://docs.aws.amazon.com/securityhub/latest/userguide/finding-update-batchimportfindings.html).
   */
  readonly workflowStatus?: 'NEW' | 'RESOLVED';
}

function severityFor(status: ComplianceStatus, controlSeverity: Severity): Severity {
  // Security Hub guidance: PASSED, WARNING and NOT_AVAILABLE findings are INFORMATIONAL (the Severity
  // attribute, https://docs.aws.amazon.com/securityhub/latest/userguide/asff-required-attributes.html).
  return status === 'FAILED' ? controlSeverity : 'INFORMATIONAL';
}

function stringify(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** Evidence keys that already have a field of their own above; repeating them would waste 3 of the 50 slots. */
const FIRST_CLASS_EVIDENCE = new Set(['effectiveValue', 'os']);

/** Builds ProductFields within the ASFF limits; the first entries win when there are too many. */
export function productFields(
  entries: readonly (readonly [string, string | undefined])[],
): Record<string, string> {
  const out: Record<string, string> = {};
  let count = 0;
  for (const [name, value] of entries) {
    if (count >= LIMITS.productFields) break;
    if (!nonBlank(value)) continue;
    const key = safeText(`${PRODUCT_PREFIX}${name}`, LIMITS.productFieldKey).replace(/\s+/g, '-');
    if (key.startsWith('aws/') || key in out) continue;
    const clean = safeText(value, LIMITS.productFieldValue);
    if (!nonBlank(clean)) continue;
    out[key] = clean;
    count++;
  }
  return out;
}

export function buildFinding(input: FindingInput): AwsSecurityFinding {
  return {
    ...identity(input),
    ...classification(input),
    CreatedAt: input.createdAt,
    UpdatedAt: input.updatedAt,
    ...text(input),
    ProductFields: findingProductFields(input),
    Resources: [ec2Resource(input), eksResource(input)],
    Compliance: compliance(input),
    RecordState: 'ACTIVE',
    ...(input.workflowStatus ? { Workflow: { Status: input.workflowStatus } } : {}),
  };
}

/** The finding's stable identity and who produced it. */
function identity({ scope, cluster, node, control }: FindingInput) {
  return {
    SchemaVersion: '2018-10-08',
    Id: findingId(scope, cluster.name, node.instanceId, control.id),
    ProductArn: productArn(scope),
    ProductName: 'EKS Kubelet Audit',
    CompanyName: 'eks-kubelet-audit',
    GeneratorId: generatorId(control.id),
    AwsAccountId: scope.accountId,
  } satisfies Partial<AwsSecurityFinding>;
}

/**
 * Types and Severity go in FindingProviderFields (the provider's own copy: Security Hub user guide,
 * https://docs.aws.amazon.com/securityhub/latest/userguide/finding-update-batchimportfindings.html).
 * The same values top-level are only applied while the customer has not changed them, so sending
 * both is safe and keeps validators that still expect the top-level fields satisfied.
 */
function classification({ control, result }: FindingInput) {
  const status = result.status;
  const severity = severityFor(status, control.severity);
  return {
    Types: [FINDING_TYPE],
    Severity: { Label: severity, Original: status === 'FAILED' ? control.severity : status },
    FindingProviderFields: {
      Types: [FINDING_TYPE],
      Severity: { Label: severity, Original: status === 'FAILED' ? control.severity : status },
    },
  } satisfies Partial<AwsSecurityFinding>;
}

/** Title, description and remediation, cut to their ASFF limits. */
function text({ cluster, node, control, result }: FindingInput) {
  const where = `node ${node.instanceId} of EKS cluster ${cluster.name}`;
  return {
    Title: safeText(control.title, LIMITS.title),
    Description: safeText(
      `${result.status} on ${where}: ${result.reason} ${control.description}`,
      LIMITS.description,
    ),
    Remediation: {
      Recommendation: {
        Text: safeText(control.remediation.short, LIMITS.remediationText),
        Url: control.remediation.url,
      },
    },
  } satisfies Partial<AwsSecurityFinding>;
}

/** The scan's details of this node and control, first-class fields before the evidence. */
function findingProductFields(input: FindingInput): Record<string, string> {
  const { cluster, node, control, result } = input;
  return productFields([
    ['cluster', cluster.name],
    ['instance', node.instanceId],
    ['control', control.id],
    ['status', result.status],
    ['status-reason', result.reason],
    ['effective-value', stringify(result.effectiveValue)],
    ['decided-by', describeProvenance(result.decidedBy)],
    ['drift', result.drift],
    ['nodegroup', node.nodeGroup],
    ['nodepool', node.nodePool],
    ['provisioner', node.provisioner],
    ['platform', node.platform],
    ['node-os', input.nodeOs],
    ['files-read', input.filesRead?.join(', ')],
    ['collector-version', input.collectorVersion],
    ['scan-id', input.scanId],
    ['reason-code', input.reasonCode],
    ...Object.entries(result.evidence)
      .filter(([k]) => !FIRST_CLASS_EVIDENCE.has(k))
      .map(([k, v]) => [`evidence/${k}`, v] as const),
  ]);
}

/** The node's instance, with the discovery details it has. */
function ec2Resource({ scope, node }: FindingInput): Resource {
  const launchedAt =
    node.launchTime && !Number.isNaN(node.launchTime.getTime()) ? node.launchTime : undefined;
  return {
    Type: 'AwsEc2Instance',
    Id: instanceArn(scope, node.instanceId),
    Partition: resourcePartition(scope.partition),
    Region: scope.region,
    Details: {
      AwsEc2Instance: {
        ...(nonBlank(node.instanceType) ? { Type: detail(node.instanceType) } : {}),
        ...(nonBlank(node.imageId) ? { ImageId: detail(node.imageId) } : {}),
        ...(nonBlank(node.privateIpAddress) ? { IpV4Addresses: [detail(node.privateIpAddress)] } : {}),
        ...(nonBlank(node.vpcId) ? { VpcId: detail(node.vpcId) } : {}),
        ...(nonBlank(node.subnetId) ? { SubnetId: detail(node.subnetId) } : {}),
        ...(launchedAt ? { LaunchedAt: launchedAt.toISOString() } : {}),
        ...(nonBlank(node.iamInstanceProfileArn)
          ? { IamInstanceProfileArn: detail(node.iamInstanceProfileArn) }
          : {}),
      },
    },
  };
}

/** The node's cluster. */
function eksResource({ scope, cluster }: FindingInput): Resource {
  return {
    Type: 'AwsEksCluster',
    Id: cluster.arn,
    Partition: resourcePartition(scope.partition),
    Region: scope.region,
    Details: {
      AwsEksCluster: {
        Name: detail(cluster.name),
        Arn: cluster.arn,
        ...(nonBlank(cluster.version) ? { Version: detail(cluster.version) } : {}),
      },
    },
  };
}

/** The status, the CIS requirements it answers, and the reason behind it. */
function compliance({ control, result, reasonCode }: FindingInput): Compliance {
  const status = result.status;
  return {
    Status: status,
    RelatedRequirements: control.cis
      .map((c) => `${c.benchmark} ${c.version}/${c.id}`)
      .slice(0, LIMITS.relatedRequirements),
    StatusReasons: [
      {
        ReasonCode: safeText(reasonCode ?? status, LIMITS.reasonCode),
        Description: safeText(result.reason || status, LIMITS.statusReason),
      },
    ],
  };
}
