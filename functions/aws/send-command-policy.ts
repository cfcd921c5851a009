/**
 * Which instances the scanner's role may send the collector to: the `ssm:resourceTag/<key>` conditions
 * of its `ssm:SendCommand` statements on instances, as one pure definition. The stack turns it into IAM
 * statements (infra/constructs/scanner-permissions.ts), the collection uses it to keep a node no
 * statement allows out of its SendCommand calls (run-command/send.ts), and the test emulator
 * authorises SendCommand against it.
 *
 * IAM (Service Authorization Reference for Systems Manager,
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssystemsmanager.html):
 * `ssm:SendCommand` is authorised once per resource of the request, the document and every instance. Separate
 * statements are ORed; several keys in one condition would be ANDed, so each tag key gets a statement of its
 * own.
 */
import { NodeTag } from './node-tags.ts';

/** One Allow statement on `instance/*`: the node must carry `key`, with a value the operator admits. */
export interface SendCommandTagCondition {
  /** The tag key (`ssm:resourceTag/<key>`). */
  readonly key: string;
  /** `StringEquals` with these values, or `StringLike` `?*` (any non-empty value) when absent. */
  readonly values?: readonly string[];
}

/**
 * The stack's conditions. Managed node groups tag `eks:cluster-name`, Karpenter and Auto Mode
 * `eks:eks-cluster-name` (eksctl-io/eksctl#2607; aws/karpenter-provider-aws pkg/apis/v1/labels.go;
 * https://docs.aws.amazon.com/eks/latest/userguide/auto-troubleshoot.html): with an allow-list their value
 * must be one of its clusters, without one any value will do. Self-managed nodes carry the cluster in the KEY
 * (`kubernetes.io/cluster/<name>`), which a condition can only name when the cluster is known: without an
 * allow-list, a node carrying only that tag is not allowed.
 */
export function sendCommandTagConditions(clusters?: readonly string[]): SendCommandTagCondition[] {
  const named = clusters && clusters.length > 0 ? [...clusters] : undefined;
  return [
    { key: NodeTag.MANAGED_NODE_GROUP_CLUSTER, ...(named ? { values: named } : {}) },
    { key: NodeTag.KARPENTER_CLUSTER, ...(named ? { values: named } : {}) },
    ...(named ?? []).map((cluster) => ({ key: `${NodeTag.SELF_MANAGED_PREFIX}${cluster}` })),
  ];
}

/** The condition that allows an instance with these tags, or undefined when none does. */
export function allowingCondition(
  conditions: readonly SendCommandTagCondition[],
  tags: ReadonlyMap<string, string> | Readonly<Record<string, string>>,
): SendCommandTagCondition | undefined {
  const get = (key: string) =>
    tags instanceof Map ? tags.get(key) : (tags as Readonly<Record<string, string>>)[key];
  return conditions.find((c) => {
    const value = get(c.key);
    if (value === undefined || value === '') return false;
    return c.values ? c.values.includes(value) : true;
  });
}
