import { describe, expect, it } from 'vitest';
import {
  applyMergePatch,
  isDropInName,
  selectDropIns,
  walkDirCompare,
} from '../../functions/kubelet/drop-ins.ts';

describe('isDropInName (filepath.Ext == ".conf")', () => {
  it.each([
    ['/d/10-a.conf', true],
    ['/d/.conf', true],
    ['/d/a.b.conf', true],
    ['/d/a.conf.bak', false],
    ['/d/a.CONF', false],
    ['/d/a.json', false],
    ['/d/conf', false],
    ['/d/a.conf~', false],
  ])('%s → %s', (path, expected) => {
    expect(isDropInName(path)).toBe(expected);
  });
});

describe('selectDropIns: filepath.WalkDir order', () => {
  it('keeps only *.conf files, sorted bytewise, descending into subdirectories where they sort', () => {
    // Prepare
    const dir = '/etc/kubernetes/kubelet/config.json.d';
    const entries = [
      `${dir}/b.conf`,
      `${dir}/b/`,
      `${dir}/b/x.conf`,
      `${dir}/a.conf`,
      `${dir}/Z.conf`,
      `${dir}/c.json`,
      `${dir}/10-x.conf.bak`,
      `${dir}/sub.conf/`,
      `${dir}/sub.conf/inner.conf`,
    ];
    // Act
    const order = selectDropIns(entries, dir);
    // Assess: "Z" < "a" (bytes); dir "b" before "b.conf"; a directory named *.conf is not a file.
    expect(order).toEqual([
      `${dir}/Z.conf`,
      `${dir}/a.conf`,
      `${dir}/b/x.conf`,
      `${dir}/b.conf`,
      `${dir}/sub.conf/inner.conf`,
    ]);
  });

  it('compares numbers as text, like the kubelet (10 before 9)', () => {
    expect(selectDropIns(['/d/9-a.conf', '/d/10-b.conf'], '/d')).toEqual(['/d/10-b.conf', '/d/9-a.conf']);
  });

  it('ignores entries outside the directory', () => {
    expect(selectDropIns(['/other/a.conf', '/dd/a.conf', '/d/a.conf'], '/d')).toEqual(['/d/a.conf']);
  });

  it('walkDirCompare puts a directory before its own contents', () => {
    expect(walkDirCompare('/d/b', '/d/b/x')).toBeLessThan(0);
  });
});

describe('applyMergePatch (RFC 7386)', () => {
  it.each([
    [{ a: 1 }, { a: 2 }, { a: 2 }],
    [{ a: 1 }, { a: null }, {}],
    [{ a: { b: 1, c: 2 } }, { a: { b: null, d: 3 } }, { a: { c: 2, d: 3 } }],
    [{ a: [1, 2] }, { a: [3] }, { a: [3] }],
    [{ a: 1 }, { b: 2 }, { a: 1, b: 2 }],
    [{ a: 'x' }, { a: { b: 1 } }, { a: { b: 1 } }],
  ])('%j + %j → %j', (target, patch, expected) => {
    expect(applyMergePatch(target, patch)).toEqual(expected);
  });

  it('treats __proto__ as data', () => {
    const patch = JSON.parse('{"__proto__": {"polluted": true}}');
    const result = applyMergePatch({}, patch) as Record<string, unknown>;
    expect(Object.hasOwn(result, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
