/**
 * applyMergePatch (RFC 7386), as the kubelet merges --config-dir drop-ins: the cases the drop-in
 * layer depends on beyond the ordinary merge.
 */
import { describe, expect, it } from 'vitest';
import { applyMergePatch } from '../../functions/kubelet/drop-ins.ts';

describe('applyMergePatch', () => {
  it('a null deletes a key the target had', () => {
    expect(applyMergePatch({ a: 1, b: { c: 2, d: 3 } }, { a: null, b: { c: null } })).toStrictEqual({
      b: { d: 3 },
    });
  });

  it('an array replaces, it is not merged key by key', () => {
    expect(applyMergePatch({ a: 1 }, [1, 2])).toStrictEqual([1, 2]);
    expect(applyMergePatch({ a: [1, 2, 3] }, { a: [9] })).toStrictEqual({ a: [9] });
  });

  it('an object patched onto a scalar or an array starts empty', () => {
    expect(applyMergePatch(5, { a: 1 })).toStrictEqual({ a: 1 });
    expect(applyMergePatch({ a: [1] }, { a: { b: 1 } })).toStrictEqual({ a: { b: 1 } });
  });

  it('merged keys stay ordinary, enumerable data that a later patch can change or delete', () => {
    const once = applyMergePatch({ a: 1 }, { b: 2 });
    const twice = applyMergePatch(once, { a: null, b: 3 });
    expect(twice).toStrictEqual({ b: 3 });
    expect(JSON.stringify(once)).toBe('{"a":1,"b":2}');
  });

  it('a "__proto__" key is data', () => {
    const merged = applyMergePatch({}, JSON.parse('{"__proto__": {"polluted": true}}')) as Record<
      string,
      unknown
    >;
    expect(Object.keys(merged)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
