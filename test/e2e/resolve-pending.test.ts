/**
 * A RESOLVED Security Hub did not apply is not lost, end to end: with imports that take Security Hub
 * longer to process than the scan waits (ConcurrentUpdateError on the BatchUpdateFindings right after
 * them), the scan reports the RESOLVEDs pending, the findings carry the intent, and the next scan asks
 * again as soon as it has read them and gets them applied.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOLVE_PENDING_FIELD } from '../../functions/findings/lifecycle.ts';
import type { ClusterScanSummary } from '../../functions/scanner/summary.ts';
import type { Finding } from '../sim/emulator/findings-filter.ts';
import { SAMPLE_IDS } from '../sim/fleet.ts';
import { active, instanceOf, statusOf } from './expectations.ts';
import { type Harness, SCHEDULED, scanRequested, startHarness } from './harness.ts';

/** Longer than the scan's own pauses before it asks again (security-hub.ts CONCURRENT_UPDATE_RETRY_MS). */
const PROCESSING_MS = 10_000;
const NODE = SAMPLE_IDS.failingByDropIn;
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ securityHubProcessingMs: PROCESSING_MS });
  await h.scanAll(SCHEDULED);
  h.emulator.clock.advance(PROCESSING_MS);
}, 60_000);
afterAll(() => h.stop());

const rescan = async () => (await h.scan(scanRequested({ instanceIds: [NODE] }))) as ClusterScanSummary;
const findingsOfNode = (): Finding[] => active(h.emulator).filter((f) => instanceOf(f) === NODE);
const workflowOf = (f: Finding) => (f.Workflow as { Status: string }).Status;
const pendingMark = (f: Finding) => (f.ProductFields as Record<string, string>)[RESOLVE_PENDING_FIELD];

describe('a RESOLVED that did not land is asked again by the next scan', () => {
  let failedBefore: Set<string>;

  it('scan after the fix: the update comes back ConcurrentUpdateError, the findings carry the intent', async () => {
    failedBefore = new Set(
      findingsOfNode()
        .filter((f) => statusOf(f) === 'FAILED')
        .map((f) => String(f.Id)),
    );
    expect(failedBefore.size).toBeGreaterThan(0);
    h.fleet.fix(NODE);
    const summary = await rescan();
    expect(summary.findings.resolvePending).toBe(failedBefore.size);
    expect(summary.findings.workflowUpdateFailed).toBe(failedBefore.size);
    for (const f of findingsOfNode().filter((x) => failedBefore.has(String(x.Id)))) {
      expect(statusOf(f)).toBe('PASSED');
      expect(workflowOf(f)).toBe('NEW');
      expect(pendingMark(f)).toBe('RESOLVED');
    }
  });

  it('next scan: asked again from the read, before the import, and applied', async () => {
    h.emulator.clock.advance(PROCESSING_MS);
    const summary = await rescan();
    expect(summary.findings.resolveRetried).toBe(failedBefore.size);
    expect(summary.findings.resolvePending).toBe(0);
    for (const f of findingsOfNode().filter((x) => failedBefore.has(String(x.Id)))) {
      expect(statusOf(f)).toBe('PASSED');
      expect(workflowOf(f)).toBe('RESOLVED');
    }
  });

  it('the scan after drops the mark and asks nothing', async () => {
    h.emulator.clock.advance(PROCESSING_MS);
    const summary = await rescan();
    expect(summary.findings.resolveRetried).toBe(0);
    for (const f of findingsOfNode()) {
      expect(pendingMark(f)).toBeUndefined();
      if (failedBefore.has(String(f.Id))) expect(workflowOf(f)).toBe('RESOLVED');
    }
  });
});
