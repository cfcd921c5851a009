/**
 * A scan that reads the cluster's findings (a resync, or the first scan after an upgrade) imports them
 * while the paced GetFindings read is still going on (instead of queueing every import behind the last page), with no more BatchImportFindings calls
 * than importing everything at the end: ceil(findings / 100). Real scanner, real SDK, the emulator.
 * The emulator's default GetFindings order is least recently updated first with offset tokens, so a
 * read that does not ask for a stable order (CreatedAt) skips findings it updates meanwhile: the
 * second scan would then count some findings as created (and reset their CreatedAt).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controls } from '../../../functions/controls/index.ts';
import type { ClusterScanSummary } from '../../../functions/scanner/summary.ts';
import { active, runningNodes } from '../../e2e/expectations.ts';
import { type Harness, scanRequested, startHarness } from '../../e2e/harness.ts';
import { syntheticFleet } from '../../sim/fleet.ts';

const NODES = 400;
const CLUSTER = 'cluster-01';
const SCAN = scanRequested({ clusters: [CLUSTER] });
/** Re-imports every finding, reading them from Security Hub (a change-only scan would import none). */
const RESYNC = scanRequested({ clusters: [CLUSTER], resync: true });
/** Simulated ms per GetFindings page in the second scan: the read outlasts collection by far. */
const SLOW_PAGE_MS = 8_000;

let h: Harness;
let slowReads = false;
/** For each finding the emulator stored in the second scan: GetFindings requests it had received by then. */
const readsAtImport: number[] = [];
let first: ClusterScanSummary;
let second: ClusterScanSummary;
let updatedBefore: Map<string, string>;

beforeAll(async () => {
  h = await startHarness({
    fleet: syntheticFleet({ nodes: NODES, clusters: 1, seed: 5 }),
    clock: { scale: 10 },
    latency: { 'securityhub:GetFindings': () => (slowReads ? SLOW_PAGE_MS : 0) },
  });
  first = (await h.scan(SCAN)) as ClusterScanSummary;
  updatedBefore = new Map(active(h.emulator).map((f) => [String(f.Id), String(f.UpdatedAt)]));
  const store = h.emulator.securityHub.store;
  const importOne = store.import.bind(store);
  store.import = (finding) => {
    readsAtImport.push(h.emulator.calls['securityhub:GetFindings'] ?? 0);
    return importOne(finding);
  };
  h.emulator.resetCalls();
  slowReads = true;
  second = (await h.scan(RESYNC)) as ClusterScanSummary;
}, 60_000);
afterAll(() => h.stop());

describe('streaming import during a resync of a 400-node cluster', () => {
  it('imports full batches before the read of the existing findings has ended', () => {
    // Prepare: the read is one GetFindings page per 100 existing findings.
    const findings = runningNodes(h.fleet, CLUSTER).length * controls.length;
    const pages = Math.ceil(findings / 100);
    expect(second.apiCalls.GetFindings).toBe(pages);
    // Assess: at least one whole request of 100 findings was stored before the last page was asked for.
    expect(readsAtImport).toHaveLength(findings);
    expect(readsAtImport[0]).toBeLessThan(pages);
    expect(readsAtImport.filter((reads) => reads < pages).length).toBeGreaterThanOrEqual(100);
  });

  it('sends no more imports than importing everything at the end, and counts every finding once', () => {
    const findings = runningNodes(h.fleet, CLUSTER).length * controls.length;
    expect(first.findings.created).toBe(findings);
    expect(second.apiCalls.BatchImportFindings).toBe(Math.ceil(findings / 100));
    expect(second.findings).toMatchObject({
      created: 0,
      updated: findings,
      reactivated: 0,
      archived: 0,
      imported: findings,
      failed: 0,
    });
  });

  it('updates every finding in place: same Ids, UpdatedAt newer', () => {
    const after = active(h.emulator);
    expect(after).toHaveLength(updatedBefore.size);
    for (const f of after) {
      const before = updatedBefore.get(String(f.Id));
      expect(before, String(f.Id)).toBeDefined();
      expect(Date.parse(String(f.UpdatedAt))).toBeGreaterThan(Date.parse(before as string));
    }
  });
});
