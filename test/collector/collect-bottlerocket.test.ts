/**
 * The REAL collector in Bottlerocket's control container (simulated tree with a fake `apiclient`
 * answering exactly as core-kit's apiclient and bloodhound print): the CIS Kubernetes report and the
 * whitelisted kubelet settings reach the evidence, reduced, and nothing else of the API's answers.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { evaluateRaw } from '../../functions/controls/index.ts';
import {
  bloodhoundReport,
  fakeApiclient,
  kubernetesSettings,
  reducedReport,
  SETTINGS_SECRET_MARKER,
} from '../sim/bottlerocket-api.ts';
import { nodePresets, type SimEntry } from '../sim/node-tree.ts';
import { cleanupRoots, collect, evidenceOf } from './run-collector.ts';

afterAll(cleanupRoots);

const APICLIENT = '/usr/local/bin/apiclient';

function inControlContainer(apiclient: SimEntry) {
  const run = collect(
    nodePresets['bottlerocket-control-container']({ extraFiles: { [APICLIENT]: apiclient } }),
    {
      env: { KUBELET_AUDIT_ENCODING: 'plain' },
    },
  );
  return { run, evidence: evidenceOf(run) };
}

describe('Bottlerocket control container', () => {
  it('ships the CIS report reduced to id, status, title, Manual and error text, with the report status', () => {
    // Act
    const report = bloodhoundReport({
      '4.1.9': { status: 'FAIL', mode: 0o640 },
      '4.2.6': 'FAIL',
      '4.2.4': 'SKIP',
    });
    const { evidence } = inControlContainer({ content: fakeApiclient(report), mode: 0o755 });

    // Assess
    const reduced = evidence.bottlerocket?.cisReport;
    expect(reduced).toMatchObject({ level: 1, status: 'FAIL', benchmarkVersion: 'v1.8.0' });
    expect(reduced?.checks).toHaveLength(22);
    // The collector's reduction is the one the evaluator's tests build from the same bloodhound JSON.
    expect(reduced).toEqual(reducedReport(report));
    expect(reduced?.checks.find((c) => c.id === '4.1.9')).toEqual({
      id: '4.1.9',
      status: 'FAIL',
      title:
        'If the kubelet config.yaml configuration file is being used validate permissions set to 600 or more restrictive',
      error: 'file /etc/kubernetes/kubelet/config has extra permissions: 0x640',
    });
    // bloodhound's own quoting survives the JSON round trip as text.
    expect(reduced?.checks.find((c) => c.id === '4.2.4')?.error).toBe('unable to parse kubelet config');
    expect(reduced?.checks.find((c) => c.id === '4.2.1')).not.toHaveProperty('error');
    // A Manual check keeps no error: bloodhound's is always "Manual check, see benchmark ...".
    expect(reduced?.checks.find((c) => c.id === '4.2.10')).toEqual({
      id: '4.2.10',
      status: 'SKIP',
      title:
        'Ensure that the --rotate-certificates argument is not set to false (not valid for Bottlerocket)',
      manual: true,
    });
    expect(reduced?.checks.find((c) => c.id === '4.2.8')).toBeUndefined(); // Level 2
    expect(evidence.bottlerocket?.errors).toEqual([]);
    expect(evidence.host.visible).toBe(false);
  });

  it('ships only the whitelisted settings, never a certificate, and names secret settings that are set', () => {
    // Act
    const { run, evidence } = inControlContainer({
      content: fakeApiclient(
        bloodhoundReport(),
        kubernetesSettings({
          'event-qps': 0,
          'server-certificate': SETTINGS_SECRET_MARKER,
          'server-key': 'a2V5',
        }),
      ),
      mode: 0o755,
    });

    // Assess
    expect(evidence.bottlerocket?.settings).toEqual({
      'standalone-mode': false,
      'authentication-mode': 'aws',
      'event-qps': 0,
      'server-tls-bootstrap': true,
    });
    expect(evidence.bottlerocket?.settingsPresent).toEqual(['server-certificate', 'server-key']);
    expect(run.stdout).not.toContain(SETTINGS_SECRET_MARKER);
    expect(run.stdout).not.toContain('a2V5');
    expect(run.stdout).not.toContain('eks.amazonaws.com');
  });

  it('does not take a key nested deeper (a node label named event-qps) for the setting', () => {
    const { evidence } = inControlContainer({ content: fakeApiclient(), mode: 0o755 });
    expect(evidence.bottlerocket?.settings).not.toHaveProperty('event-qps');
    expect(evidence.bottlerocket?.settingsPresent).toBeUndefined();
  });

  it("gives real verdicts from the compact envelope, each naming Bottlerocket's API and its check", () => {
    // Act: the default (compact) output, as SSM returns it.
    const spec = nodePresets['bottlerocket-control-container']({
      extraFiles: {
        [APICLIENT]: { content: fakeApiclient(bloodhoundReport({ '4.2.6': 'FAIL' })), mode: 0o755 },
      },
    });
    const run = collect(spec);
    const results = evaluateRaw(run.stdout);

    // Assess
    expect(run.stdout.startsWith('{"eka":1,')).toBe(true);
    const byId = Object.fromEntries(results.map((r) => [r.controlId, r]));
    expect(byId['kubelet-make-iptables-util-chains']).toMatchObject({
      status: 'FAILED',
      evidence: { source: 'bottlerocket-api', bottlerocketCheck: '4.2.6 FAIL' },
    });
    expect(byId['kubelet-anonymous-auth']).toMatchObject({
      status: 'PASSED',
      evidence: { source: 'bottlerocket-api', bottlerocketCheck: '4.2.1 PASS' },
    });
    for (const r of results) expect(r.reason).toContain('Bottlerocket API');
  });

  it('reports an apiclient that fails, answers something else or is missing', () => {
    const failing = inControlContainer({
      content: '#!/bin/sh\necho "Error: 500" >&2\nexit 1\n',
      mode: 0o755,
    });
    expect(failing.evidence.bottlerocket).toEqual({
      errors: ['apiclient report cis-k8s: exit status 1', 'apiclient get settings.kubernetes: exit status 1'],
    });
    const text = inControlContainer({
      content: '#!/bin/sh\necho "Benchmark name:  CIS Kubernetes Benchmark"\n',
      mode: 0o755,
    });
    expect(text.evidence.bottlerocket?.errors).toEqual([
      'apiclient report cis-k8s: not a bloodhound JSON report',
      'apiclient get settings.kubernetes: not a JSON object',
    ]);
    const spec = nodePresets['bottlerocket-control-container']();
    delete spec.files[APICLIENT];
    expect(evidenceOf(collect(spec)).bottlerocket).toEqual({
      errors: ['apiclient not found, or no timeout command'],
    });
  });

  it('keeps a title with JSON escapes as text, and says so when the report lists checks it could not read', () => {
    const report = bloodhoundReport()
      .replace('"title":"Ensure that a limit', '"title":"Ensure \\"that\\" a limit')
      .replace('Ciphers","mode":"Automatic","status":"PASS"', 'Ciphers","mode":"Automatic","status":"MAYBE"');
    const { evidence } = inControlContainer({ content: fakeApiclient(report), mode: 0o755 });
    const checks = evidence.bottlerocket?.cisReport?.checks ?? [];
    expect(checks).toHaveLength(21);
    expect(checks.find((c) => c.id === '4.2.13')?.title).toBe('Ensure \\"that\\" a limit is set on pod PIDs');
    expect(evidence.bottlerocket?.errors).toEqual(['apiclient report cis-k8s: 22 checks, 21 read']);
  });
});
