/**
 * A RESOLVED Security Hub did not apply is not lost, end to end: with imports that take Security Hub
 * longer to process than the scan waits (ConcurrentUpdateError on the BatchUpdateFindings right after
 * them), the scan reports the RESOLVEDs pending, the state table records them, and the next scan asks
 * again (having read their Workflow) and gets them applied.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readClusterState } from '../../functions/aws/state-table.ts';
import type { ClusterScanSummary } from '../../functions/scanner/summary.ts';
import type { Finding } from '../sim/emulator/findings-filter.ts';
import { sdkClientConfig } from '../sim/emulator/index.ts';
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
/** The RESOLVEDs the node's record still owes, by control. */
async function owed(): Promise<string[]> {
  const client = new DynamoDBClient(sdkClientConfig(h.emulator.endpoint, { region: h.fleet.region }));
  const state = await readClusterState(client, h.emulator.stateTable, 'prod-eu');
  client.destroy();
  const findings = state.nodes.get(NODE)?.findings ?? {};
  return Object.entries(findings)
    .filter(([, f]) => f.resolvePending)
    .map(([controlId]) => `${findingIdPrefix()}${controlId}`);
}
const findingIdPrefix = () => `${h.fleet.region}/${h.fleet.accountId}/prod-eu/${NODE}/`;

describe('a RESOLVED that did not land is asked again by the next scan', () => {
  let failedBefore: Set<string>;

  it('scan after the fix: the update comes back ConcurrentUpdateError, the table records it owed', async () => {
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
    }
    expect((await owed()).sort()).toEqual([...failedBefore].sort());
  });

  it('next scan: asked again (nothing else changed: nothing imported) and applied', async () => {
    h.emulator.clock.advance(PROCESSING_MS);
    const summary = await rescan();
    expect(summary.findings.resolveRetried).toBe(failedBefore.size);
    expect(summary.findings.resolvePending).toBe(0);
    expect(summary.findings.imported).toBe(0);
    expect(await owed()).toEqual([]);
    for (const f of findingsOfNode().filter((x) => failedBefore.has(String(x.Id)))) {
      expect(statusOf(f)).toBe('PASSED');
      expect(workflowOf(f)).toBe('RESOLVED');
    }
  });

  it('the scan after asks nothing, and reads no Workflow', async () => {
    h.emulator.clock.advance(PROCESSING_MS);
    const reads = h.emulator.calls['securityhub:GetFindings'] ?? 0;
    const summary = await rescan();
    expect(summary.findings.resolveRetried).toBe(0);
    expect(summary.apiCalls.GetFindings ?? 0).toBe(0);
    expect((h.emulator.calls['securityhub:GetFindings'] ?? 0) - reads).toBe(0);
    for (const f of findingsOfNode())
      if (failedBefore.has(String(f.Id))) expect(workflowOf(f)).toBe('RESOLVED');
  });
});
