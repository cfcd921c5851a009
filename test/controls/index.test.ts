import { describe, expect, it } from 'vitest';
import {
  controls,
  evaluateEvidence,
  evaluateRaw,
  notAssessed,
  notAssessedCase,
} from '../../functions/controls/index.ts';
import { buildEvidence, kcJson, textFile } from '../kubelet/evidence-builder.ts';
import { expectedWindowsReason } from './windows-reasons.ts';

const C = '/etc/kubernetes/kubelet/kubelet-config.json';
/** "3.1.10" after "3.1.9": numeric per part. */
const byCisId = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });
const byId = <T extends { readonly controlId: string }>(results: readonly T[], id: string): T =>
  results.find((r) => r.controlId === id)!;

const evidence = buildEvidence({
  argv: ['/usr/bin/kubelet', '--config', C],
  files: [textFile(C, kcJson({ makeIPTablesUtilChains: false }))],
});

describe('control catalog', () => {
  it('is an explicit list with unique ids', () => {
    // CIS order: 3.1.1 … 3.2.9.
    expect(controls.map((c) => c.cisIds.eks)).toEqual([...controls.map((c) => c.cisIds.eks)].sort(byCisId));
    expect(controls.map((c) => c.id)).toEqual([
      'kubeconfig-file-permissions',
      'kubeconfig-file-ownership',
      'kubelet-config-file-permissions',
      'kubelet-config-file-ownership',
      'kubelet-anonymous-auth',
      'kubelet-authorization-mode',
      'kubelet-client-ca-file',
      'kubelet-read-only-port',
      'kubelet-streaming-connection-idle-timeout',
      'kubelet-make-iptables-util-chains',
      'kubelet-event-qps',
      'kubelet-rotate-certificates',
      'kubelet-rotate-server-certificates',
    ]);
    expect(new Set(controls.map((c) => c.id)).size).toBe(controls.length);
  });
});

describe('evaluateEvidence', () => {
  it('answers once per control', () => {
    // Act
    const results = evaluateEvidence(evidence);
    // Assess
    expect(results.map((r) => r.controlId)).toEqual(controls.map((c) => c.id));
    expect(Object.fromEntries(results.map((r) => [r.controlId, r.status]))).toEqual(
      Object.fromEntries([
        // No --kubeconfig: a standalone kubelet has no kubeconfig file.
        ['kubeconfig-file-permissions', 'NOT_AVAILABLE'],
        ['kubeconfig-file-ownership', 'NOT_AVAILABLE'],
        // The --config file is 0644 root:root.
        ['kubelet-config-file-permissions', 'PASSED'],
        ['kubelet-config-file-ownership', 'PASSED'],
        ['kubelet-make-iptables-util-chains', 'FAILED'],
        // The --config file does not set authentication.anonymous.enabled: the v1beta1 default (false).
        ['kubelet-anonymous-auth', 'PASSED'],
        // Not set anywhere: the default 50 events/s; rotateCertificates not present; the gate's default (true).
        ['kubelet-event-qps', 'PASSED'],
        ['kubelet-rotate-certificates', 'PASSED'],
        ['kubelet-rotate-server-certificates', 'PASSED'],
        // Webhook by the v1beta1 default.
        ['kubelet-authorization-mode', 'PASSED'],
        // authentication.x509.clientCAFile has no default.
        ['kubelet-client-ca-file', 'FAILED'],
        // readOnlyPort: 0 by the v1beta1 default.
        ['kubelet-read-only-port', 'PASSED'],
        // 4h by default.
        ['kubelet-streaming-connection-idle-timeout', 'PASSED'],
      ]),
    );
  });

  it('passes node facts to the controls: each applies its own not-applicable cases', () => {
    const results = evaluateEvidence(evidence, { platform: 'windows' });
    const iptables = byId(results, 'kubelet-make-iptables-util-chains');
    const anonymous = byId(results, 'kubelet-anonymous-auth');
    expect(byId(results, 'kubelet-config-file-permissions').reason).toMatch(
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
    expect(byId(evaluateRaw(JSON.stringify(evidence)), 'kubelet-make-iptables-util-chains').status).toBe(
      'FAILED',
    );
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
    expect(results.map((r) => r.controlId)).toEqual(controls.map((c) => c.id));
    for (const r of results) {
      expect(r.status).toBe('NOT_AVAILABLE');
      expect(r.reason).toBe(expectedWindowsReason(r.controlId));
    }
  });
});
