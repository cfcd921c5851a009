import { describe, expect, it } from 'vitest';
import { controls, evaluateEvidence, evaluateRaw, notAssessed } from '../../functions/controls/index.ts';
import { buildEvidence, kcJson, textFile } from '../kubelet/evidence-builder.ts';

const C = '/etc/kubernetes/kubelet/kubelet-config.json';
const evidence = buildEvidence({
  argv: ['/usr/bin/kubelet', '--config', C],
  files: [textFile(C, kcJson({ makeIPTablesUtilChains: false }))],
});

describe('control catalog', () => {
  it('is an explicit list with unique ids', () => {
    expect(controls.map((c) => c.id)).toEqual(['kubelet-make-iptables-util-chains']);
    expect(new Set(controls.map((c) => c.id)).size).toBe(controls.length);
  });
});

describe('evaluateEvidence', () => {
  it('answers once per control', () => {
    // Act
    const results = evaluateEvidence(evidence);
    // Assess
    expect(results.map((r) => [r.controlId, r.status])).toEqual([
      ['kubelet-make-iptables-util-chains', 'FAILED'],
    ]);
  });

  it('passes node facts to the controls', () => {
    expect(evaluateEvidence(evidence, { platform: 'windows' })[0]!.status).toBe('NOT_AVAILABLE');
  });
});

describe('evaluateRaw', () => {
  it('parses and evaluates collector output', () => {
    expect(evaluateRaw(JSON.stringify(evidence))[0]!.status).toBe('FAILED');
  });

  it('SSM-truncated output gives every control WARNING with the reason', () => {
    const raw = `${JSON.stringify(evidence).slice(0, 2000)}\n---Output truncated---`;
    const results = evaluateRaw(raw);
    expect(results).toHaveLength(controls.length);
    expect(results[0]).toMatchObject({ status: 'WARNING', evidence: { evidenceError: 'TRUNCATED' } });
    expect(results[0]!.reason).toMatch(/truncated/i);
  });

  it('no output gives NOT_AVAILABLE', () => {
    expect(evaluateRaw('')[0]).toMatchObject({ status: 'NOT_AVAILABLE' });
  });

  it('malformed output is never PASSED', () => {
    for (const raw of ['{', '{"format":"eks-kubelet-audit/evidence"}', 'null', '\u0000\u0001', '[]']) {
      expect(evaluateRaw(raw)[0]!.status).not.toBe('PASSED');
    }
  });
});

describe('notAssessed', () => {
  it('gives every control the status, reason and evidence', () => {
    const results = notAssessed('NOT_AVAILABLE', 'SSM agent offline', { pingStatus: 'ConnectionLost' });
    expect(results).toEqual([
      {
        controlId: 'kubelet-make-iptables-util-chains',
        status: 'NOT_AVAILABLE',
        reason: 'SSM agent offline',
        evidence: { pingStatus: 'ConnectionLost' },
      },
    ]);
  });
});
