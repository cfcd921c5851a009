import { describe, expect, it } from 'vitest';
import { inlineTraitKeys } from '../../infra/bundling/scanner-esbuild.ts';

describe('inlineTraitKeys', () => {
  it('writes a computed key naming a declared string constant as that string', () => {
    // Prepare: the shape of an SDK schema module (client-ec2 dist-es/schemas/schemas_0.js).
    const source = [
      'const _M = "Min";',
      'const _xN = "xmlName";',
      'const _eQN = "ec2QueryName";',
      'export var Range$ = [3, n0, _R, 0, [_M], [[1, { [_eQN]: `Min`,',
      '            [_xN]: _M }]]];',
    ].join('\n');
    // Act
    const out = inlineTraitKeys(source);
    // Assess: keys are literals, values and element lists untouched.
    expect(out).toContain('[[1, { "ec2QueryName": `Min`,');
    expect(out).toContain('"xmlName": _M }]]];');
    expect(out).toContain('[_M], [[1');
    expect(out).not.toMatch(/\[_(xN|eQN)\]/);
  });

  it('leaves a computed key alone when its name is not a plain string constant', () => {
    const source = 'const _a = _y + "x";\nlet _b = "b";\nexport var S$ = { [_a]: 1, [_b]: 2, [_c]: 3 };';
    expect(inlineTraitKeys(source)).toBe(source);
  });
});
