/**
 * Controls judged through Bottlerocket's API (the collector in the control container): the report is
 * bloodhound's JSON exactly (test/sim/bottlerocket-api.ts), reduced as the collector reduces it. The
 * catalog's two controls run as they are; the other kinds are test-local controls built with
 * defineControl and the Bottlerocket rules their catalog entries declare.
 */
import { describe, expect, it } from 'vitest';
import {
  type BottlerocketEvidence,
  type EvidenceDocument,
  evidenceDocumentSchema,
} from '../../functions/collector/evidence-schema.ts';
import { anonymousAuth } from '../../functions/controls/anonymous-auth.ts';
import { type RenderInput, renderedValue } from '../../functions/controls/bottlerocket-rendered.ts';
import type { BottlerocketRule } from '../../functions/controls/bottlerocket-rule.ts';
import {
  ComplianceStatus,
  type Control,
  defineControl,
  type SettingControl,
} from '../../functions/controls/control.ts';
import { controls, evaluateEvidence } from '../../functions/controls/index.ts';
import { makeIptablesUtilChains } from '../../functions/controls/make-iptables-util-chains.ts';
import { runControl } from '../../functions/controls/run-control.ts';
import { buildFinding } from '../../functions/findings/asff.ts';
import { KubeletSettings } from '../../functions/kubelet/kubelet-settings.ts';
import { cluster, node, scope } from '../findings/fixtures.ts';
import { buildEvidence } from '../kubelet/evidence-builder.ts';
import { bloodhoundReport, type CisOutcome, type CisStatus, reducedReport } from '../sim/bottlerocket-api.ts';

type Settings = NonNullable<BottlerocketEvidence['settings']>;

/** settings.kubernetes of an aws-k8s node as the collector keeps it. */
const AWS_SETTINGS: Settings = {
  'standalone-mode': false,
  'authentication-mode': 'aws',
  'server-tls-bootstrap': true,
};

interface NodeSpec {
  readonly checks?: Record<string, CisStatus | CisOutcome>;
  readonly report?: string | null;
  readonly settings?: Partial<Settings> | null;
  readonly present?: BottlerocketEvidence['settingsPresent'];
  readonly errors?: string[];
}

function bottlerocketNode(spec: NodeSpec = {}): EvidenceDocument {
  const report = spec.report === undefined ? bloodhoundReport(spec.checks) : spec.report;
  const bottlerocket: BottlerocketEvidence = {
    ...(report === null ? {} : { cisReport: reducedReport(report) }),
    ...(spec.settings === null ? {} : { settings: { ...AWS_SETTINGS, ...spec.settings } }),
    ...(spec.present ? { settingsPresent: spec.present } : {}),
    errors: spec.errors ?? [],
  };
  const base = buildEvidence({
    kubelets: [],
    host: { visible: false, note: 'Bottlerocket control container', hostname: 'ip-192-168-84-28' },
  });
  return evidenceDocumentSchema.parse({ ...base, bottlerocket });
}

const judge = (control: Control, spec: NodeSpec = {}) =>
  runControl(control, { evidence: bottlerocketNode(spec) });

/** A test-local control of the catalog's shape: only its ids, settings, applicability and rule matter here. */
function testControl(input: {
  id: string;
  kubernetes: string;
  eks: string;
  settings?: SettingControl['settings'];
  evaluate?: SettingControl['evaluate'];
  standalone?: string;
  bottlerocket?: BottlerocketRule;
}): Control {
  return defineControl({
    id: input.id,
    cisIds: { eks: input.eks, kubernetes: input.kubernetes },
    title: `test ${input.id}`,
    description: 'test',
    severity: 'MEDIUM',
    severityWhy: 'test',
    profile: 'Level 1',
    applicability: { notApplicable: input.standalone ? { standalone: input.standalone } : {} },
    remediation: { short: 'test', url: 'https://example.com/', byNodeType: {} },
    settings: input.settings ?? {},
    evaluate:
      input.evaluate ??
      (() => {
        throw new Error('a file control has no kubelet setting to evaluate');
      }),
    ...(input.bottlerocket ? { bottlerocket: input.bottlerocket } : {}),
  }) as Control;
}

const FILE_MODE = { reading: 'file-mode', allowedMode: 0o644 } as const;
const kubeconfigPermissions = testControl({
  id: 'kubeconfig-file-permissions',
  eks: '3.1.1',
  kubernetes: '4.1.5',
  standalone: 'a standalone kubelet has no --kubeconfig',
  bottlerocket: FILE_MODE,
});
const configPermissions = testControl({
  id: 'kubelet-config-file-permissions',
  eks: '3.1.3',
  kubernetes: '4.1.9',
  bottlerocket: FILE_MODE,
});
const configOwnership = testControl({
  id: 'kubelet-config-file-ownership',
  eks: '3.1.4',
  kubernetes: '4.1.10',
});
const authorizationMode = testControl({
  id: 'kubelet-authorization-mode',
  eks: '3.2.2',
  kubernetes: '4.2.2',
  settings: { mode: KubeletSettings.authorizationMode },
  evaluate: ({ settings }) =>
    settings.mode!.value === 'AlwaysAllow'
      ? { status: 'FAILED', reason: 'The kubelet authorizes every request', decidedBy: 'mode' }
      : { status: 'PASSED', reason: 'The kubelet does not authorize every request', decidedBy: 'mode' },
});
const clientCa = testControl({
  id: 'kubelet-client-ca-file',
  eks: '3.2.3',
  kubernetes: '4.2.3',
  settings: { ca: KubeletSettings.clientCAFile },
  evaluate: ({ settings }) =>
    settings.ca!.value === ''
      ? { status: 'FAILED', reason: 'No client CA file is set', decidedBy: 'ca' }
      : { status: 'PASSED', reason: 'A client CA file is set', decidedBy: 'ca' },
  bottlerocket: {
    skip: 'rendered',
    fail: {
      status: 'WARNING',
      why: 'the CA file Bottlerocket names (/etc/kubernetes/pki/ca.crt) does not exist',
    },
  },
});
const streaming = testControl({
  id: 'kubelet-streaming-connection-idle-timeout',
  eks: '3.2.5',
  kubernetes: '4.2.5',
  settings: { timeout: KubeletSettings.streamingConnectionIdleTimeout },
  evaluate: () => ({ status: 'PASSED', reason: 'not zero', decidedBy: 'timeout' }),
  bottlerocket: {
    fail: { status: 'WARNING', why: 'a bare number, which the kubelet refuses for a duration' },
    note: 'from Kubernetes 1.34 the kubelet no longer uses this setting.',
  },
});
const eventQps = testControl({
  id: 'kubelet-event-qps',
  eks: '3.2.7',
  kubernetes: '4.2.8',
  settings: { qps: KubeletSettings.eventRecordQPS },
  evaluate: ({ settings }) => ({
    status: 'PASSED',
    reason: `The kubelet records events at up to ${String(settings.qps!.value)} per second`,
    decidedBy: 'qps',
  }),
  bottlerocket: { reading: 'rendered', why: 'check 4.2.8 is Manual and Level 2' },
});
const rotateCertificates = testControl({
  id: 'kubelet-rotate-certificates',
  eks: '3.2.8',
  kubernetes: '4.2.10',
  settings: { rotate: KubeletSettings.rotateCertificates },
  evaluate: ({ settings }) =>
    settings.rotate!.value === true || settings.rotate!.decidedBy?.kind === 'default'
      ? { status: 'PASSED', reason: 'rotateCertificates is true or set nowhere', decidedBy: 'rotate' }
      : { status: 'FAILED', reason: 'rotateCertificates is false', decidedBy: 'rotate' },
  bottlerocket: { reading: 'rendered', why: 'bloodhound reads an absent rotateCertificates as false' },
});
const serverCertificates = testControl({
  id: 'kubelet-rotate-server-certificates',
  eks: '3.2.9',
  kubernetes: '4.2.11',
  settings: {
    gate: KubeletSettings.rotateKubeletServerCertificateGate,
    bootstrap: KubeletSettings.serverTLSBootstrap,
  },
  evaluate: () => ({ status: 'PASSED', reason: 'gate on', decidedBy: 'gate' }),
});

describe('the catalog controls through the Bottlerocket API', () => {
  it('a check that PASSes: PASSED, naming the check and the source in reason and evidence', () => {
    const r = judge(anonymousAuth);
    expect(r.status).toBe(ComplianceStatus.PASSED);
    expect(r.reason).toContain('Bottlerocket API');
    expect(r.reason).toContain(
      'check 4.2.1 passed: "Ensure that the --anonymous-auth argument is set to false"',
    );
    expect(r.evidence).toMatchObject({
      source: 'bottlerocket-api',
      bottlerocketCheck: '4.2.1 PASS',
      bottlerocketReport: 'CIS Kubernetes Benchmark v1.8.0 level 1: PASS',
      nodeType: 'bottlerocket',
      hostVisible: 'false',
      standaloneMode: 'false',
      hostname: 'ip-192-168-84-28',
    });
  });

  it('standalone mode: Bottlerocket renders anonymous auth on and its check FAILs → FAILED with its words', () => {
    const r = judge(anonymousAuth, { checks: { '4.2.1': 'FAIL' }, settings: { 'standalone-mode': true } });
    expect(r.status).toBe(ComplianceStatus.FAILED);
    expect(r.reason).toContain('FAILED (bloodhound: anonymous authentication is configured)');
    expect(r.evidence).toMatchObject({
      bottlerocketCheck: '4.2.1 FAIL',
      bottlerocketCheckError: 'anonymous authentication is configured',
      standaloneMode: 'true',
      bottlerocketReport: 'CIS Kubernetes Benchmark v1.8.0 level 1: FAIL',
    });
  });

  it('a SKIP of a key Bottlerocket always writes: NOT_AVAILABLE, the file is not as rendered', () => {
    const r = judge(anonymousAuth, { checks: { '4.2.1': 'SKIP' } });
    expect(r.status).toBe(ComplianceStatus.NOT_AVAILABLE);
    expect(r.reason).toContain('was skipped (bloodhound: unable to parse kubelet config)');
    expect(r.reason).toContain('although Bottlerocket writes authentication.anonymous.enabled there');
    expect(r.evidence.bottlerocketCheck).toBe('4.2.1 SKIP');
  });

  it('make-iptables-util-chains: 4.2.6 FAIL → FAILED; the overall report status never decides', () => {
    const failing = judge(makeIptablesUtilChains, { checks: { '4.2.6': 'FAIL' } });
    expect(failing.status).toBe(ComplianceStatus.FAILED);
    expect(failing.reason).toContain('Kubelet makeIPTablesUtilChains is disabled');
    // The report FAILs on another check; this control's own check passes.
    const passing = judge(makeIptablesUtilChains, { checks: { '4.1.1': 'FAIL' } });
    expect(passing.status).toBe(ComplianceStatus.PASSED);
    expect(passing.evidence.bottlerocketReport).toContain(': FAIL');
  });

  it("a report without the control's check: NOT_AVAILABLE naming the missing check", () => {
    const full = JSON.parse(bloodhoundReport()) as { results: Record<string, unknown> };
    delete full.results.k8s04020600;
    const r = judge(makeIptablesUtilChains, { report: JSON.stringify(full) });
    expect(r.status).toBe(ComplianceStatus.NOT_AVAILABLE);
    expect(r.reason).toContain('report has no check 4.2.6');
    expect(r.evidence.bottlerocketCheck).toBe('4.2.6 absent');
  });

  it('a report that could not be read: every control the report decides NOT_AVAILABLE with the API error', () => {
    const evidence = bottlerocketNode({ report: null, errors: ['apiclient report cis-k8s: exit status 1'] });
    const results = evaluateEvidence(evidence);
    // The controls Bottlerocket's report never decides are judged from the settings, which were read.
    const rendered = new Set(controls.filter((c) => c.bottlerocket?.reading === 'rendered').map((c) => c.id));
    expect(rendered.size).toBeGreaterThan(0);
    for (const r of results.filter((x) => rendered.has(x.controlId))) {
      expect(r.status).not.toBe(ComplianceStatus.NOT_AVAILABLE);
      expect(r.evidence.source).toBe('bottlerocket-api');
    }
    const decidedByReport = results.filter((r) => !rendered.has(r.controlId));
    expect(decidedByReport.length).toBeGreaterThan(0);
    for (const r of decidedByReport) {
      expect(r.status).toBe(ComplianceStatus.NOT_AVAILABLE);
      expect(r.reason).toContain('could not be read (apiclient report cis-k8s: exit status 1)');
      expect(r.evidence).toMatchObject({
        source: 'bottlerocket-api',
        bottlerocketReport: 'not read',
        bottlerocketErrors: 'apiclient report cis-k8s: exit status 1',
      });
    }
  });

  it('without the API (no bottlerocket evidence) a hidden host stays NOT_AVAILABLE as before', () => {
    const evidence = buildEvidence({ kubelets: [], host: { visible: false, note: 'no proc' } });
    const [r] = evaluateEvidence(evidence);
    expect(r?.status).toBe(ComplianceStatus.NOT_AVAILABLE);
    expect(r?.reason).toContain('cannot see the host');
    expect(r?.evidence.source).toBeUndefined();
  });

  it('the finding carries the source and the check (ProductFields), under the same finding id', () => {
    const r = judge(makeIptablesUtilChains, { checks: { '4.2.6': 'FAIL' } });
    const finding = buildFinding({
      scope,
      cluster,
      node,
      control: makeIptablesUtilChains,
      result: r,
      scanId: 'scan-1',
      createdAt: '2026-12-07T00:00:00.000Z',
      updatedAt: '2026-12-07T00:00:00.000Z',
    });
    expect(finding.Compliance?.Status).toBe('FAILED');
    expect(finding.ProductFields).toMatchObject({
      'eks-kubelet-audit/evidence/source': 'bottlerocket-api',
      'eks-kubelet-audit/evidence/bottlerocketCheck': '4.2.6 FAIL',
    });
    expect(finding.Compliance?.StatusReasons?.[0]?.Description).toContain('Bottlerocket API');
    expect(finding.Id).toContain(`/${makeIptablesUtilChains.id}`);
  });
});

describe('file permissions (bloodhound check_file_not_mode)', () => {
  it('4.1.9 PASS (600 or more restrictive) implies the 644 rule: PASSED', () => {
    const r = judge(configPermissions);
    expect(r.status).toBe(ComplianceStatus.PASSED);
    expect(r.reason).toContain('no permission bit outside 0644');
    expect(r.reason).toContain('does not look at setuid');
  });

  it('4.1.9 FAILs on 0640: stricter than ours, the printed mode passes 3.1.3 → PASSED', () => {
    const r = judge(configPermissions, { checks: { '4.1.9': { status: 'FAIL', mode: 0o640 } } });
    expect(r).toMatchObject({ status: 'PASSED', effectiveValue: '0640' });
    expect(r.reason).toContain('extra permissions: 0x640');
    expect(r.reason).toContain('mode 0640 has no bit outside 0644');
    expect(r.evidence.effectiveValue).toBe('0640');
  });

  it('4.1.9 FAILs on 0666: FAILED, naming the bits outside 0644', () => {
    const r = judge(configPermissions, { checks: { '4.1.9': { status: 'FAIL', mode: 0o666 } } });
    expect(r).toMatchObject({ status: 'FAILED', effectiveValue: '0666' });
    expect(r.reason).toContain('mode 0666 has 0022 outside 0644');
  });

  it('a 600-rule FAIL that does not print the mode: WARNING naming the stricter check', () => {
    const r = judge(configPermissions, { checks: { '4.1.9': { status: 'FAIL', error: 'unexpected' } } });
    expect(r.status).toBe(ComplianceStatus.WARNING);
    expect(r.reason).toContain('set to 600 or more restrictive');
    expect(r.reason).toContain('stricter than this control');
  });

  it('a 644-rule FAIL (4.1.5 in earlier releases) is our rule even without the mode: FAILED', () => {
    const r = judge(kubeconfigPermissions, { checks: { '4.1.5': { status: 'FAIL', error: 'unexpected' } } });
    expect(r.status).toBe(ComplianceStatus.FAILED);
    expect(r.reason).toContain('outside 0644 is outside');
  });

  it('4.1.5 under the later 600 title FAILs on 0644: PASSED for 3.1.1', () => {
    const report = bloodhoundReport({ '4.1.5': { status: 'FAIL', mode: 0o644 } }).replace(
      'kubelet.conf file permissions are set to 644 or more restrictive',
      'kubelet.conf file permissions are set to 600 or more restrictive',
    );
    const r = judge(kubeconfigPermissions, { report });
    expect(r).toMatchObject({ status: 'PASSED', effectiveValue: '0644' });
  });

  it('standalone mode: no --kubeconfig, so the kubeconfig control is not applicable', () => {
    const r = judge(kubeconfigPermissions, { settings: { 'standalone-mode': true } });
    expect(r.status).toBe(ComplianceStatus.NOT_AVAILABLE);
    expect(r.reason).toMatch(/^Not applicable: a standalone kubelet has no --kubeconfig/);
    expect(r.reason).toContain('standalone-mode is true');
  });

  it('ownership: FAIL → FAILED; SKIP (file missing) → NOT_AVAILABLE', () => {
    const failed = judge(configOwnership, { checks: { '4.1.10': 'FAIL' } });
    expect(failed.status).toBe(ComplianceStatus.FAILED);
    expect(failed.reason).toContain('File owner is not root:root');
    const skipped = judge(configOwnership, { checks: { '4.1.10': 'SKIP' } });
    expect(skipped.status).toBe(ComplianceStatus.NOT_AVAILABLE);
    expect(skipped.reason).toContain('unable to get file metadata');
    expect(skipped.reason).toContain('could not be assessed');
  });
});

describe('kubelet settings where the check is not our verdict', () => {
  it('authorization mode follows 4.2.2', () => {
    expect(judge(authorizationMode).status).toBe('PASSED');
    expect(judge(authorizationMode, { checks: { '4.2.2': 'FAIL' } }).status).toBe('FAILED');
  });

  it('4.2.3 FAIL with the template naming the CA: the file is missing → WARNING', () => {
    const r = judge(clientCa, { checks: { '4.2.3': 'FAIL' } });
    expect(r.status).toBe(ComplianceStatus.WARNING);
    expect(r.reason).toContain('CA file not set to expected path');
    expect(r.reason).toContain('which here means the CA file Bottlerocket names');
  });

  it('4.2.3 SKIP in standalone mode (no x509 written): decided from the settings → FAILED', () => {
    const r = judge(clientCa, { checks: { '4.2.3': 'SKIP' }, settings: { 'standalone-mode': true } });
    expect(r).toMatchObject({ status: 'FAILED', effectiveValue: '' });
    expect(r.reason).toContain('No client CA file is set');
    expect(r.reason).toContain('settings.kubernetes.standalone-mode is true');
    expect(r.reason).toContain('Decided by the Bottlerocket API (settings.kubernetes');
  });

  it('4.2.3 SKIP outside standalone mode (Bottlerocket writes the CA path): NOT_AVAILABLE', () => {
    const r = judge(clientCa, { checks: { '4.2.3': 'SKIP' } });
    expect(r.status).toBe(ComplianceStatus.NOT_AVAILABLE);
    expect(r.reason).toContain('although Bottlerocket writes authentication.x509.clientCAFile there');
  });

  it('4.2.3 SKIP because the config could not be opened: NOT_AVAILABLE even in standalone mode', () => {
    const r = judge(clientCa, {
      checks: { '4.2.3': { status: 'SKIP', error: "unable to read '/etc/kubernetes/kubelet/config'" } },
      settings: { 'standalone-mode': true },
    });
    expect(r.status).toBe(ComplianceStatus.NOT_AVAILABLE);
    expect(r.reason).toContain("(bloodhound: unable to read '/etc/kubernetes/kubelet/config')");
    expect(r.reason).toContain('could not be assessed');
  });

  it('a SKIP is not answered from the template unless the control says so (4.2.5: config unreadable)', () => {
    const r = judge(streaming, {
      checks: { '4.2.5': { status: 'SKIP', error: "unable to read '/etc/kubernetes/kubelet/config'" } },
    });
    expect(r.status).toBe(ComplianceStatus.NOT_AVAILABLE);
    expect(r.reason).not.toContain('although');
  });

  it('a control whose evaluate needs more than the rendered settings: NOT_AVAILABLE, not a guess', () => {
    const needsFiles = testControl({
      id: 'needs-files',
      eks: '3.2.7',
      kubernetes: '4.2.8',
      settings: { qps: KubeletSettings.eventRecordQPS },
      evaluate: () => {
        throw new Error('no file evidence');
      },
      bottlerocket: { reading: 'rendered' },
    });
    const r = judge(needsFiles);
    expect(r.status).toBe(ComplianceStatus.NOT_AVAILABLE);
    expect(r.reason).toContain('cannot be judged from the rendered settings alone (no file evidence)');
  });

  it('4.2.5 FAIL (a bare 0) is a value the kubelet refuses: WARNING; the 1.34 note is said', () => {
    const r = judge(streaming, { checks: { '4.2.5': 'FAIL' } });
    expect(r.status).toBe(ComplianceStatus.WARNING);
    expect(r.reason).toContain('which here means a bare number');
    expect(r.reason).toContain('Note: from Kubernetes 1.34');
  });

  it('event-qps unset: the kubelet default 50 → PASSED, decided from settings, not from the Level 2 check', () => {
    const r = judge(eventQps);
    expect(r).toMatchObject({ status: 'PASSED', effectiveValue: 50 });
    expect(r.reason).toContain('up to 50 per second');
    expect(r.reason).toContain('settings.kubernetes.event-qps is not set');
    expect(r.reason).toContain('check 4.2.8 is Manual and Level 2');
    expect(r.evidence).toMatchObject({ bottlerocketCheck: '4.2.8 absent', effectiveValue: '50' });
    expect(r.evidence.bottlerocketSettings).toContain('eventRecordQPS=50');
  });

  it('event-qps set to 0 renders eventRecordQPS: 0 (includeZero) → the control judges 0', () => {
    const r = judge(eventQps, { settings: { 'event-qps': 0 } });
    expect(r).toMatchObject({ status: 'PASSED', effectiveValue: 0 });
    expect(r.reason).toContain('eventRecordQPS: 0 as Bottlerocket renders /etc/kubernetes/kubelet/config');
  });

  it('a negative event-qps is refused by the kubelet: WARNING', () => {
    const r = judge(eventQps, { settings: { 'event-qps': -1 } });
    expect(r.status).toBe(ComplianceStatus.WARNING);
    expect(r.reason).toContain('must not be a negative number');
  });

  it('at Level 2 the Manual 4.2.8 SKIP is named, and still does not decide', () => {
    const r = judge(eventQps, { report: bloodhoundReport({}, 2), settings: { 'event-qps': 7 } });
    expect(r).toMatchObject({ status: 'PASSED', effectiveValue: 7 });
    expect(r.reason).toContain('(a Manual check) was skipped');
    expect(r.evidence.bottlerocketCheck).toBe('4.2.8 SKIP (Manual)');
  });

  it('settings.kubernetes unread: a settings-decided control is NOT_AVAILABLE with the error', () => {
    const r = judge(eventQps, {
      settings: null,
      errors: ['apiclient get settings.kubernetes: timed out after 4s'],
    });
    expect(r.status).toBe(ComplianceStatus.NOT_AVAILABLE);
    expect(r.reason).toContain(
      'settings.kubernetes could not be read (apiclient get settings.kubernetes: timed out',
    );
  });

  it('rotate-certificates: the Manual 4.2.10 SKIP; the template never sets it → PASSED (set nowhere)', () => {
    const r = judge(rotateCertificates);
    expect(r.status).toBe(ComplianceStatus.PASSED);
    expect(r.reason).toContain(
      "the kubelet default (false): Bottlerocket's kubelet config template does not set it",
    );
    expect(r.reason).toContain('bloodhound reads an absent rotateCertificates as false');
    expect(r.evidence.bottlerocketCheck).toBe('4.2.10 SKIP (Manual)');
  });

  it('rotate-certificates: an automatic 4.2.10 FAIL (later releases) does not decide either', () => {
    const report = bloodhoundReport().replace(
      /"id":"4\.2\.10","level":1,"title":"[^"]*","mode":"Manual","status":"SKIP","error":"[^"]*"/,
      '"id":"4.2.10","level":1,"title":"Ensure that the --rotate-certificates argument is not set to false","mode":"Automatic","status":"FAIL","error":"Kubelet rotateCertificates is disabled"',
    );
    const r = judge(rotateCertificates, { report });
    expect(r.status).toBe(ComplianceStatus.PASSED);
    expect(r.evidence).toMatchObject({
      bottlerocketCheck: '4.2.10 FAIL',
      bottlerocketCheckError: 'Kubelet rotateCertificates is disabled',
    });
  });

  it('4.2.11 decides the gate; the reason states serverTLSBootstrap from the settings', () => {
    const r = judge(serverCertificates);
    expect(r.status).toBe(ComplianceStatus.PASSED);
    expect(r.reason).toContain(
      'Alongside: serverTLSBootstrap is true (settings.kubernetes.server-tls-bootstrap is true)',
    );
    const withCert = judge(serverCertificates, {
      checks: { '4.2.11': 'FAIL' },
      present: ['server-certificate', 'server-key'],
    });
    expect(withCert.status).toBe(ComplianceStatus.FAILED);
    expect(withCert.reason).toContain(
      'serverTLSBootstrap is false, the kubelet default (settings.kubernetes.server-certificate and server-key are set, so Bottlerocket writes tlsCertFile and tlsPrivateKeyFile instead)',
    );
  });
});

describe('what Bottlerocket renders (core-kit packages/kubernetes-1.XX/kubelet-config)', () => {
  const off: RenderInput = { settings: AWS_SETTINGS, present: [] };
  const on: RenderInput = { settings: { ...AWS_SETTINGS, 'standalone-mode': true }, present: [] };
  it.each([
    ['authentication.anonymous.enabled', off, { rendered: true, value: false }],
    ['authentication.anonymous.enabled', on, { rendered: true, value: true }],
    ['authentication.webhook.enabled', on, { rendered: true, value: false }],
    ['authorization.mode', off, { rendered: true, value: 'Webhook' }],
    ['authorization.mode', on, { rendered: true, value: 'AlwaysAllow' }],
    ['authentication.x509.clientCAFile', off, { rendered: true, value: '/etc/kubernetes/pki/ca.crt' }],
    ['authentication.x509.clientCAFile', on, { rendered: false }],
    ['readOnlyPort', on, { rendered: true, value: 0 }],
    ['eventRecordQPS', off, { rendered: false, source: 'settings.kubernetes.event-qps is not set' }],
    ['serverTLSBootstrap', off, { rendered: true, value: true }],
    ['streamingConnectionIdleTimeout', off, { rendered: false }],
    ['makeIPTablesUtilChains', off, { rendered: false }],
    ['rotateCertificates', off, { rendered: false }],
    ['featureGates.RotateKubeletServerCertificate', off, { rendered: false }],
  ] as const)('%s', (path, input, expected) => {
    expect(renderedValue(path, input)).toMatchObject(expected);
  });

  it('serverTLSBootstrap is not written when a server certificate and key are set', () => {
    const both = renderedValue('serverTLSBootstrap', {
      settings: AWS_SETTINGS,
      present: ['server-certificate', 'server-key'],
    });
    expect(both.rendered).toBe(false);
    const one = renderedValue('serverTLSBootstrap', {
      settings: AWS_SETTINGS,
      present: ['server-certificate'],
    });
    expect(one).toMatchObject({ rendered: true, value: true });
  });

  it('a check the control reads as ours but that is Manual decides nothing: NOT_AVAILABLE', () => {
    const manual = testControl({ id: 'reads-a-manual-check', eks: '3.2.8', kubernetes: '4.2.10' });
    const r = judge(manual);
    expect(r.status).toBe(ComplianceStatus.NOT_AVAILABLE);
    expect(r.reason).toContain('bloodhound does not verify a Manual check');
    expect(r.evidence.bottlerocketCheck).toBe('4.2.10 SKIP (Manual)');
  });
});
