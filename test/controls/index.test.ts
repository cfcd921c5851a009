import { describe, expect, it } from 'vitest';
import {
  controls,
  evaluateEvidence,
  evaluateRaw,
  notAssessed,
  notAssessedCase,
} from '../../functions/controls/index.ts';
import { buildEvidence, kcJson, textFile } from '../kubelet/evidence-builder.ts';

const C = '/etc/kubernetes/kubelet/kubelet-config.json';
const evidence = buildEvidence({
  argv: ['/usr/bin/kubelet', '--config', C],
  files: [textFile(C, kcJson({ makeIPTablesUtilChains: false }))],
});

describe('control catalog', () => {
  it('is an explicit list with unique ids', () => {
    expect(controls.map((c) => c.id)).toEqual([
      'kubeconfig-file-permissions',
      'kubeconfig-file-ownership',
      'kubelet-config-file-permissions',
      'kubelet-config-file-ownership',
      'kubelet-make-iptables-util-chains',
      'kubelet-anonymous-auth',
    ]);
    expect(new Set(controls.map((c) => c.id)).size).toBe(controls.length);
  });
});

describe('evaluateEvidence', () => {
  it('answers once per control', () => {
    // Act
    const results = evaluateEvidence(evidence);
    // Assess
    expect(results.map((r) => [r.controlId, r.status])).toEqual([
      // No --kubeconfig: a standalone kubelet has no kubeconfig file.
      ['kubeconfig-file-permissions', 'NOT_AVAILABLE'],
      ['kubeconfig-file-ownership', 'NOT_AVAILABLE'],
      // The --config file is 0644 root:root.
      ['kubelet-config-file-permissions', 'PASSED'],
      ['kubelet-config-file-ownership', 'PASSED'],
      ['kubelet-make-iptables-util-chains', 'FAILED'],
      // The --config file does not set authentication.anonymous.enabled: the v1beta1 default (false).
      ['kubelet-anonymous-auth', 'PASSED'],
    ]);
  });

  it('passes node facts to the controls: each applies its own not-applicable cases', () => {
    const results = evaluateEvidence(evidence, { platform: 'windows' });
    const [iptables, anonymous] = ['kubelet-make-iptables-util-chains', 'kubelet-anonymous-auth'].map((id) =>
      results.find((r) => r.controlId === id),
    );
    expect(results.find((r) => r.controlId === 'kubelet-config-file-permissions')?.reason).toMatch(
      /^Not applicable: Windows nodes protect files with ACLs/,
    );
    expect(iptables).toMatchObject({ status: 'NOT_AVAILABLE' });
    expect(iptables!.reason).toMatch(/^Not applicable: Windows nodes have no iptables/);
    // Anonymous auth applies on Windows too: this evidence is judged.
    expect(anonymous).toMatchObject({ status: 'PASSED' });
  });
});

describe('evaluateRaw', () => {
  it('parses and evaluates collector output', () => {
    const results = evaluateRaw(JSON.stringify(evidence));
    expect(results.find((r) => r.controlId === 'kubelet-make-iptables-util-chains')!.status).toBe('FAILED');
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
    expect(results).toEqual(
      controls.map(({ id: controlId }) => ({
        controlId,
        status: 'NOT_AVAILABLE',
        reason: 'SSM agent offline',
        evidence: { pingStatus: 'ConnectionLost' },
      })),
    );
  });
});

describe('notAssessedCase', () => {
  it('gives each control its own words for a Windows node', () => {
    const results = notAssessedCase('windows', { code: 'NOT_APPLICABLE_WINDOWS' });
    expect(results.map((r) => [r.controlId, r.status, r.reason])).toEqual([
      [
        'kubeconfig-file-permissions',
        'NOT_AVAILABLE',
        'Not applicable: Windows nodes protect files with ACLs, not POSIX permission bits.',
      ],
      [
        'kubeconfig-file-ownership',
        'NOT_AVAILABLE',
        'Not applicable: Windows nodes own files by security identifiers and ACLs, not uid and gid.',
      ],
      [
        'kubelet-config-file-permissions',
        'NOT_AVAILABLE',
        'Not applicable: Windows nodes protect files with ACLs, not POSIX permission bits.',
      ],
      [
        'kubelet-config-file-ownership',
        'NOT_AVAILABLE',
        'Not applicable: Windows nodes own files by security identifiers and ACLs, not uid and gid.',
      ],
      [
        'kubelet-make-iptables-util-chains',
        'NOT_AVAILABLE',
        'Not applicable: Windows nodes have no iptables, and the kubelet ignores this setting there.',
      ],
      [
        'kubelet-anonymous-auth',
        'NOT_AVAILABLE',
        'Windows node: the collector runs only on Linux nodes, so this kubelet setting was not assessed',
      ],
    ]);
  });
});
