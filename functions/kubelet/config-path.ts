/**
 * Looking up one setting's path in a decoded config object. What sits on the way matters: a `null`
 * (a merge patch deletes there), a scalar where an object belongs (Go's json.Unmarshal refuses it), or
 * an object that lacks the rest of the path (a merge patch replacing a scalar with it drops the rest).
 */
export type PathLookup =
  /** `depth` leading segments are objects here; the next one is missing (0 = the top key is missing). */
  | { readonly kind: 'absent'; readonly depth: number }
  | { readonly kind: 'null'; readonly at: string; readonly depth: number }
  | { readonly kind: 'value'; readonly raw: unknown }
  | { readonly kind: 'not-object'; readonly at: string; readonly depth: number; readonly raw: unknown };

export function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function lookupPath(root: Readonly<Record<string, unknown>>, segments: readonly string[]): PathLookup {
  let node: Readonly<Record<string, unknown>> = root;
  for (let i = 0; i < segments.length; i += 1) {
    const key = segments[i]!;
    if (!Object.hasOwn(node, key)) return { kind: 'absent', depth: i };
    const value = node[key];
    const at = segments.slice(0, i + 1).join('.');
    if (value === null) return { kind: 'null', at, depth: i };
    if (i === segments.length - 1) return { kind: 'value', raw: value };
    if (!isPlainObject(value)) return { kind: 'not-object', at, depth: i, raw: value };
    node = value;
  }
  return { kind: 'absent', depth: 0 };
}
