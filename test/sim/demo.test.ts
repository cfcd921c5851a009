/**
 * `npm run demo` in-process, output captured: the demo must show (and its exit code must stand for)
 * what a user relies on. The facts are asserted here from the findings the demo read back with
 * GetFindings, independently of the demo's own checks; a second run breaks one node's import and
 * expects the demo to fail loudly.
 */
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { beforeAll, describe, expect, it } from 'vitest';
import { isFileControl } from '../../functions/controls/control.ts';
import { controls } from '../../functions/controls/index.ts';
import { findingId } from '../../functions/findings/asff.ts';
import { type DemoResult, runDemo } from './demo/run-demo.ts';
import { stylizer } from './demo/style.ts';
import { type Column, cut, renderTable } from './demo/table.ts';
import { SAMPLE_IDS } from './fleet.ts';

function capture() {
  const chunks: string[] = [];
  return { out: { write: (s: string) => chunks.push(s), isTTY: false }, text: () => chunks.join('') };
}

const field = (f: AwsSecurityFinding | undefined, name: string) =>
  f?.ProductFields?.[`eks-kubelet-audit/${name}`];
const ofInstance = (findings: readonly AwsSecurityFinding[], id: string) =>
  findings.filter((f) => field(f, 'instance') === id);
const controlIds = controls.map((c) => c.id).sort();

describe('npm run demo', () => {
  let result: DemoResult;
  let output: string;

  beforeAll(async () => {
    const { out, text } = capture();
    result = await runDemo({ out, width: 120 });
    output = text();
  }, 60_000);

  it('succeeds, with every check passed', () => {
    expect(result.error).toBeUndefined();
    expect(result.checks.filter((c) => !c.ok)).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(output).toMatch(/✓ All \d+ checks passed/);
  });

  it('scan 1: every node of the ≥ 30-node sample fleet has exactly one ACTIVE finding per control', () => {
    const [first] = result.scans;
    const changes = result.changes;
    if (!first || !changes || !result.fleet) throw new Error('demo did not get past scan 1');
    // The nodes that were running during scan 1: today's, minus the one added, plus the one terminated.
    const nodes = result.fleet.order.filter(
      (n) => n.instanceId !== changes.added && (n.state === 'running' || n.instanceId === changes.terminated),
    );
    expect(nodes.length).toBeGreaterThanOrEqual(30);
    expect(new Set(nodes.map((n) => n.cluster)).size).toBeGreaterThanOrEqual(3);
    for (const node of nodes) {
      const mine = ofInstance(first.active, node.instanceId);
      expect(mine.map((f) => field(f, 'control')).sort(), node.instanceId).toEqual(controlIds);
    }
    expect(first.active).toHaveLength(nodes.length * controlIds.length);
    expect(first.all).toHaveLength(first.active.length);
  });

  it('scan 1: the known nodes have the statuses their configuration calls for, for the right reason', () => {
    const active = result.scans[0]?.active ?? [];
    const status = (id: string) =>
      Object.fromEntries(ofInstance(active, id).map((f) => [field(f, 'control'), f.Compliance?.Status]));
    const each = (s: string) => Object.fromEntries(controlIds.map((c) => [c, s]));
    // The failing nodes are set up to fail make-iptables-util-chains; they keep anonymous auth off.
    const iptablesFails = { ...each('PASSED'), 'kubelet-make-iptables-util-chains': 'FAILED' };
    expect(status(SAMPLE_IDS.failingByFlag)).toEqual(iptablesFails);
    expect(status(SAMPLE_IDS.failingByDropIn)).toEqual(iptablesFails);
    expect(status(SAMPLE_IDS.failingByNodeadmFlag)).toEqual(iptablesFails);
    // A --config file the kubelet cannot load leaves every setting in it open, not its mode and owner.
    const fileControls = Object.fromEntries(controls.filter(isFileControl).map((c) => [c.id, 'PASSED']));
    expect(status(SAMPLE_IDS.unloadableConfig)).toEqual({ ...each('WARNING'), ...fileControls });
    for (const id of [SAMPLE_IDS.windows, SAMPLE_IDS.unmanaged, SAMPLE_IDS.offline])
      expect(status(id), id).toEqual(each('NOT_AVAILABLE'));
    // Bottlerocket, seen from its control container, is judged through its API: its own check 4.2.6 FAILs.
    expect(status(SAMPLE_IDS.bottlerocket)).toEqual(iptablesFails);
    for (const f of ofInstance(active, SAMPLE_IDS.bottlerocket)) {
      expect(field(f, 'evidence/source')).toBe('bottlerocket-api');
      expect(field(f, 'status-reason')).toContain('Bottlerocket API');
    }
    const bottlerocketIptables = ofInstance(active, SAMPLE_IDS.bottlerocket).find(
      (f) => field(f, 'control') === 'kubelet-make-iptables-util-chains',
    );
    expect(field(bottlerocketIptables, 'evidence/bottlerocketCheck')).toBe('4.2.6 FAIL');
    const iptables = (id: string) =>
      ofInstance(active, id).find((f) => field(f, 'control') === 'kubelet-make-iptables-util-chains');
    expect(field(iptables(SAMPLE_IDS.failingByFlag), 'decided-by')).toMatch(/^command-line flag/);
    expect(field(iptables(SAMPLE_IDS.failingByDropIn), 'decided-by')).toMatch(/^drop-in /);
    const autoMode = result.fleet?.order.find((n) => n.provisioner === 'auto-mode');
    expect(status(autoMode?.instanceId ?? '')).toEqual(each('NOT_AVAILABLE'));
  });

  it('scan 2: fixed → PASSED/RESOLVED, terminated → ARCHIVED, added → ACTIVE; nothing else moved or duplicated', () => {
    const [first, second] = result.scans;
    const changes = result.changes;
    if (!first || !second || !changes) throw new Error('demo did not get past scan 2');
    const state = (id: string) =>
      ofInstance(second.all, id).map((f) => [f.Compliance?.Status, f.Workflow?.Status, f.RecordState]);
    expect(state(changes.fixed)).toEqual(controlIds.map(() => ['PASSED', 'RESOLVED', 'ACTIVE']));
    expect(ofInstance(second.all, changes.terminated).map((f) => f.RecordState)).toEqual(
      controlIds.map(() => 'ARCHIVED'),
    );
    expect(
      ofInstance(second.active, changes.added)
        .map((f) => field(f, 'control'))
        .sort(),
    ).toEqual(controlIds);
    // Same Ids and CreatedAt for every earlier finding, one new finding per control, no duplicates.
    const after = new Map(second.all.map((f) => [f.Id, f]));
    expect(after.size).toBe(second.all.length);
    expect(second.all).toHaveLength(first.all.length + controlIds.length);
    for (const f of first.all) expect(after.get(f.Id)?.CreatedAt, f.Id).toBe(f.CreatedAt);
  });

  it('prints the findings table, the summary with API calls, and a FAILED finding as ASFF JSON', () => {
    // With more than one control the table names each finding's control.
    expect(output).toMatch(/CLUSTER\s+INSTANCE\s+NODE TYPE\s+CONTROL\s+STATUS\s+REASON/);
    expect(output).toMatch(/\d+ API calls for 30 nodes = [\d.]+ per node/);
    expect(output).toMatch(/Done in [\d.]+ (s|ms) wall time/);
    // Plain text when not a terminal, and the tables fit the width asked for.
    expect(output.includes('\u001b[')).toBe(false);
    const json = output.slice(output.indexOf('\n{\n') + 1, output.indexOf('\n}\n') + 2);
    const example = JSON.parse(json) as AwsSecurityFinding;
    expect(example.Compliance?.Status).toBe('FAILED');
    expect(example.Id).toBe(result.example?.Id);
    const tableLines = output.slice(0, output.indexOf('\n{\n')).split('\n');
    expect(tableLines.filter((l) => [...l].length > 120)).toEqual([]);
  });
});

describe('npm run demo when a node ends up without a finding', () => {
  it('exits 1 and names the node and the undelivered findings', async () => {
    // Prepare: Security Hub rejects the Windows node's finding on every import.
    const scope = { partition: 'aws', region: 'eu-west-1', accountId: '123456789012' };
    const ids = controls.map((c) => findingId(scope, 'prod-eu', SAMPLE_IDS.windows, c.id));
    const { out, text } = capture();
    // Act
    const result = await runDemo({
      out,
      width: 120,
      prepare: (emulator) => emulator.faults.failFindings(ids),
    });
    // Assess
    expect(result.exitCode).toBe(1);
    const failed = result.checks.filter((c) => !c.ok).flatMap((c) => c.details);
    expect(failed.some((d) => d.includes(SAMPLE_IDS.windows) && /0 ACTIVE findings/.test(d))).toBe(true);
    // One undelivered finding per control of the Windows node.
    expect(failed.some((d) => d.includes(`FindingsNotDeliveredError: ${controls.length} finding`))).toBe(
      true,
    );
    expect(text()).toMatch(/✗ \d+ of \d+ checks failed/);
  }, 60_000);
});

describe('demo tables', () => {
  const style = stylizer(false);
  it('cut ends on a word boundary when one is near, with an ellipsis, never past the width', () => {
    const reason =
      'makeIPTablesUtilChains: false in drop-in /etc/kubernetes/kubelet/config.json.d/40-nodeadm.conf.';
    expect(cut(reason, 40)).toBe('makeIPTablesUtilChains: false in…');
    expect(cut(reason, 20)).toBe('makeIPTablesUtilCha…');
    expect(cut('short', 20)).toBe('short');
    for (let width = 1; width < reason.length + 2; width++)
      expect([...cut(reason, width)].length).toBeLessThanOrEqual(width);
  });

  it('renderTable shrinks the shrinkable column to fit and leaves the others whole', () => {
    type Row = { id: string; reason: string };
    const columns: Column<Row>[] = [
      { header: 'ID', value: (r) => r.id },
      { header: 'REASON', value: (r) => r.reason, shrink: 1, min: 10 },
    ];
    const rows = [{ id: 'i-0123456789abcdef0', reason: 'x'.repeat(200) }];
    const lines = renderTable(columns, rows, { width: 60, style }).trimEnd().split('\n');
    expect(lines.map((l) => [...l].length)).toEqual([27, 60]);
    expect(lines[1]).toMatch(/^i-0123456789abcdef0 {2}x+…$/);
  });
});
