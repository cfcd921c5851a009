/**
 * Resolves a synthesized template's intrinsics the way CloudFormation would in one given account and
 * Region, so tests can check the values a deployed stack would have (ARNs, names, commands). A Ref or
 * GetAtt of a resource becomes a stand-in of the length CloudFormation may give it.
 */
export interface Environment {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly stackName: string;
  /** Stand-in for a resource's Ref or GetAtt (default: `<LogicalId>` or `<LogicalId.Attr>`). */
  readonly physical?: (logicalId: string, attribute?: string) => string;
}

export const ENV: Environment = {
  partition: 'aws',
  region: 'eu-west-1',
  accountId: '111122223333',
  stackName: 'EksKubeletAuditStack',
};

export function resolveValue(value: unknown, env: Environment = ENV): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, env));
  if (!value || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  if ('Ref' in o) {
    const pseudo: Record<string, string> = {
      'AWS::Partition': env.partition,
      'AWS::Region': env.region,
      'AWS::AccountId': env.accountId,
      'AWS::StackName': env.stackName,
      'AWS::URLSuffix': 'amazonaws.com',
    };
    const ref = o.Ref as string;
    return pseudo[ref] ?? env.physical?.(ref) ?? `<${ref}>`;
  }
  if ('Fn::GetAtt' in o) {
    const [id, attribute] = o['Fn::GetAtt'] as [string, string];
    return env.physical?.(id, attribute) ?? `<${id}.${attribute}>`;
  }
  if ('Fn::Join' in o) {
    const [delimiter, parts] = o['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => resolveValue(p, env)).join(delimiter);
  }
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, resolveValue(v, env)]));
}

/** IAM ArnLike / StringLike: `*` any run of characters, `?` one character. */
export function iamLike(pattern: string, value: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(value);
}
