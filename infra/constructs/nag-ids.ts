/**
 * cdk-nag names a wildcard finding after the resolved resource, with intrinsics flattened the way its
 * flattenCfnReference does (Ref → `<Name>`, GetAtt → `<Name.Attr>`, Join concatenated). Computing the
 * acknowledgment id from the same ARN keeps it valid whether the stack's account and Region are tokens
 * (environment-agnostic) or concrete values.
 */
import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

function flatten(node: unknown): string {
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (Array.isArray(o['Fn::Join'])) {
      const [delimiter, items] = o['Fn::Join'] as [string, unknown[]];
      return items.map(flatten).join(delimiter);
    }
    if (Array.isArray(o['Fn::GetAtt'])) {
      const [resource, attribute] = o['Fn::GetAtt'] as [unknown, unknown];
      return `<${flatten(resource)}.${flatten(attribute)}>`;
    }
    if ('Ref' in o) return `<${flatten(o.Ref)}>`;
    if ('Fn::Sub' in o) return flatten(o['Fn::Sub']);
  }
  return JSON.stringify(node);
}

/** `AwsSolutions-IAM5[Resource::<flattened resource>]` for a resource string (token or literal). */
export function iam5ResourceFinding(scope: IConstruct, resource: string): string {
  return `AwsSolutions-IAM5[Resource::${flatten(Stack.of(scope).resolve(resource))}]`;
}
