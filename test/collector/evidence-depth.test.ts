import { describe, expect, it } from 'vitest';
import { EvidenceErrorCode, parseEvidence } from '../../functions/collector/evidence.ts';
import { buildEvidence } from '../kubelet/evidence-builder.ts';

describe('evidence document nesting', () => {
  it('a document nested deeper than the limit is refused before JSON.parse, with the limit named', () => {
    const deep = `{"format":${'['.repeat(30_000)}${']'.repeat(30_000)}}`;
    const result = parseEvidence(deep);
    expect(result).toMatchObject({ ok: false, code: EvidenceErrorCode.MALFORMED_JSON });
    expect(!result.ok && result.reason).toMatch(/nested deeper than 64 levels/);
  });

  it('a real document is far below the limit and still parses', () => {
    expect(parseEvidence(JSON.stringify(buildEvidence())).ok).toBe(true);
  });
});
