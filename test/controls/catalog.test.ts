/**
 * Every control in the catalog: its metadata, the limits Security Hub puts on what the finding
 * carries, and its benchmark ids.
 */
import { describe, expect, it } from 'vitest';
import { ControlFiles, isFileControl, NotApplicableCase } from '../../functions/controls/control.ts';
import { controls } from '../../functions/controls/index.ts';
import { NodeType } from '../../functions/controls/node-type.ts';
import { LIMITS } from '../../functions/findings/asff.ts';

const EKS_ID = /^3\.[12]\.\d{1,2}$/;
const K8S_ID = /^4\.[12]\.\d{1,2}$/;

describe.each(controls.map((c) => [c.id, c] as const))('control %s', (_id, control) => {
  it('has a kebab-case kubelet id', () => {
    // The kubeconfig controls (3.1.1, 3.1.2) are named after the file, as the ids fix them.
    expect(control.id).toMatch(/^(kubelet|kubeconfig)-[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it('carries CIS EKS ids for v1.5.0–v1.8.0 (and v1.0.1–v1.2.0 when it existed) and the CIS Kubernetes id', () => {
    expect(control.cisIds.eks).toMatch(EKS_ID);
    if (control.cisIds.eksLegacy !== undefined) expect(control.cisIds.eksLegacy).toMatch(EKS_ID);
    expect(control.cisIds.kubernetes).toMatch(K8S_ID);
    const versions = control.cis.map((r) => r.version);
    expect(versions).toEqual([
      ...(control.cisIds.eksLegacy === undefined ? [] : ['v1.0.1', 'v1.1.0', 'v1.2.0']),
      'v1.5.0',
      'v1.7.0',
      'v1.8.0',
    ]);
    expect(control.cis.length).toBeLessThanOrEqual(LIMITS.relatedRequirements);
  });

  it('fits the ASFF limits: title, description with a full reason, remediation text', () => {
    expect(control.title.length).toBeLessThanOrEqual(200);
    expect(control.title.length).toBeLessThanOrEqual(LIMITS.title);
    // The finding's description is "<status> on <node>: <reason> <description>"; the description
    // must leave room for a reason.
    expect(control.description.length).toBeLessThanOrEqual(LIMITS.description / 2);
    expect(control.remediation.short.length).toBeLessThanOrEqual(LIMITS.remediationText);
    expect(control.remediation.url).toMatch(/^https:\/\//);
  });

  it('argues its severity in one line', () => {
    expect(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']).toContain(control.severity);
    expect(control.severityWhy.length).toBeGreaterThan(20);
    expect(control.severityWhy).not.toContain('\n');
  });

  it('has remediation for every node type, with no control characters', () => {
    expect(Object.keys(control.remediation.byNodeType).sort()).toEqual(Object.values(NodeType).sort());
    const all = [control.remediation.short, ...Object.values(control.remediation.byNodeType)].join('');
    expect([...all].filter((ch) => ch.charCodeAt(0) < 0x20)).toEqual([]);
  });

  it('names only known not-applicable cases, each with a reason', () => {
    for (const [kind, reason] of Object.entries(control.applicability.notApplicable)) {
      expect(Object.values(NotApplicableCase)).toContain(kind);
      expect(reason?.length).toBeGreaterThan(10);
    }
  });

  it('declares at least one setting, each with a path and a flag (or, a file control, its files)', () => {
    if (isFileControl(control)) {
      expect(Object.values(ControlFiles)).toContain(control.files);
      expect(control.settings).toBeUndefined();
      return;
    }
    const specs = Object.values(control.settings);
    expect(specs.length).toBeGreaterThan(0);
    for (const spec of specs) {
      expect(spec.path).toMatch(/^[a-zA-Z]+(\.[a-zA-Z0-9]+)*$/);
      expect(spec.flag).toMatch(/^[a-z]+(-[a-z]+)*$/);
    }
  });
});

describe('the catalog', () => {
  it('has unique ids and unique CIS EKS ids', () => {
    expect(new Set(controls.map((c) => c.id)).size).toBe(controls.length);
    expect(new Set(controls.map((c) => c.cisIds.eks)).size).toBe(controls.length);
    expect(new Set(controls.map((c) => c.cisIds.kubernetes)).size).toBe(controls.length);
  });
});

describe('the file controls', () => {
  it('are 3.1.1-3.1.4 in CIS order at the head of the catalog, two per file role', () => {
    const files = controls.filter(isFileControl);
    expect(files.map((c) => [c.id, c.cisIds.eks, c.cisIds.kubernetes, c.files])).toEqual([
      ['kubeconfig-file-permissions', '3.1.1', '4.1.5', 'kubeconfig'],
      ['kubeconfig-file-ownership', '3.1.2', '4.1.6', 'kubeconfig'],
      ['kubelet-config-file-permissions', '3.1.3', '4.1.9', 'kubelet-config'],
      ['kubelet-config-file-ownership', '3.1.4', '4.1.10', 'kubelet-config'],
    ]);
    expect(controls.slice(0, 4)).toEqual(files);
  });
});
