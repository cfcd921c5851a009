import { describe, expect, it } from 'vitest';
import {
  baseEvidence,
  clip,
  clipEvidence,
  MAX_REASON,
  unassessed,
} from '../../functions/controls/control-result.ts';
import { buildEvidence } from '../kubelet/evidence-builder.ts';

describe('clipEvidence', () => {
  it('keeps values of up to 512 characters and cuts longer ones to 509 plus "..."', () => {
    const exact = 'a'.repeat(512);
    const long = `${'b'.repeat(600)}`;
    const out = clipEvidence({ exact, long, short: 'x' });
    expect(out.exact).toBe(exact);
    expect(out.short).toBe('x');
    expect(out.long).toBe(`${'b'.repeat(509)}...`);
    expect(out.long).toHaveLength(512);
  });

  it('clips each long value as itself when two nodes alternate (the shared copy is per value)', () => {
    const first = `${'1'.repeat(600)}tail-one`;
    const second = `${'2'.repeat(600)}tail-two`;
    expect(clipEvidence({ v: first }).v).toBe(`${'1'.repeat(509)}...`);
    expect(clipEvidence({ v: second }).v).toBe(`${'2'.repeat(509)}...`);
    expect(clipEvidence({ v: first, w: second })).toEqual({
      v: `${'1'.repeat(509)}...`,
      w: `${'2'.repeat(509)}...`,
    });
  });
});

describe('clip and unassessed', () => {
  it('clip leaves text of the limit alone and cuts one more character', () => {
    expect(clip('abcde', 5)).toBe('abcde');
    expect(clip('abcdef', 5)).toBe('ab...');
  });

  it('unassessed bounds the reason and every evidence value', () => {
    const r = unassessed('c', 'NOT_AVAILABLE', 'r'.repeat(MAX_REASON + 1), { e: 'e'.repeat(513) });
    expect(r).toEqual({
      controlId: 'c',
      status: 'NOT_AVAILABLE',
      reason: `${'r'.repeat(MAX_REASON - 3)}...`,
      evidence: { e: `${'e'.repeat(509)}...` },
    });
  });
});

describe('baseEvidence', () => {
  it('names the host only when the collector read its hostname', () => {
    const named = baseEvidence({ evidence: buildEvidence() });
    expect(named.hostname).toBe('ip-10-0-0-1');
    const evidence = buildEvidence();
    const { hostname: _none, ...host } = evidence.host;
    const unnamed = baseEvidence({ evidence: { ...evidence, host } });
    expect(Object.keys(unnamed).sort()).toEqual(['nodeType', 'os']);
  });
});
