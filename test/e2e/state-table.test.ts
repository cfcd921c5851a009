/**
 * The state table end to end (real handler, SDK, emulator and dynalite): a steady scan imports only
 * what changed, refreshes are spread over the scans, the first scan after an upgrade (findings but
 * no records) rebuilds the records from Security Hub, unreachable nodes keep their verdict for
 * staleAfterHours, gone nodes are archived from the table's list, and concurrent scans never leave
 * records that disagree with Security Hub.
 */
import { DeleteItemCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { type ClusterStateRead, readClusterState } from '../../functions/aws/state-table.ts';
import { controls } from '../../functions/controls/index.ts';
import { NEW_FAILED_FIELD } from '../../functions/findings/finding-state.ts';
import {
  type ClusterScanSummary,
  clusterScansIn,
  type FanOutSummary,
} from '../../functions/scanner/summary.ts';
import type { Finding } from '../sim/emulator/findings-filter.ts';
import { type CallRecord, sdkClientConfig } from '../sim/emulator/index.ts';
import { SAMPLE_IDS } from '../sim/fleet.ts';
import { active, controlOf, instanceOf, ourFindings, statusOf } from './expectations.ts';
import { type Harness, SCHEDULED, scanRequested, startHarness } from './harness.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let h: Harness;
afterEach(() => h?.stop());

const field = (f: Finding, key: string) =>
  (f.ProductFields as Record<string, string>)[`eks-kubelet-audit/${key}`];
const sum = (scans: ClusterScanSummary[], f: (s: ClusterScanSummary) => number) =>
  scans.reduce((n, s) => n + f(s), 0);
const scheduled = async () => clusterScansIn(await h.scanAll(SCHEDULED));
const calls = (op: string) => h.emulator.calls[op] ?? 0;

function dynamo(): DynamoDBClient {
  return new DynamoDBClient(sdkClientConfig(h.emulator.endpoint, { region: h.fleet.region }));
}

async function records(cluster: string): Promise<ClusterStateRead> {
  const client = dynamo();
  try {
    return await readClusterState(client, h.emulator.stateTable, cluster);
  } finally {
    client.destroy();
  }
}

/** Every ACTIVE finding agrees with its node's record: status, CreatedAt, and no record is missing. */
async function expectRecordsMatchFindings(): Promise<void> {
  const byCluster = new Map<string, ClusterStateRead>();
  for (const f of active(h.emulator)) {
    const cluster = field(f, 'cluster') as string;
    if (!byCluster.has(cluster)) byCluster.set(cluster, await records(cluster));
    const record = byCluster.get(cluster)?.nodes.get(instanceOf(f))?.findings[controlOf(f)];
    expect(record, String(f.Id)).toBeDefined();
    expect(record?.status, String(f.Id)).toBe(statusOf(f));
    expect(record?.createdAt, String(f.Id)).toBe(f.CreatedAt);
    expect(record?.importedAt, String(f.Id)).toBe(Date.parse(String(f.UpdatedAt)));
  }
}

describe('change-only scans of the sample fleet', () => {
  it('imports nothing for an unchanged fleet, and only the changed findings of a changed node', async () => {
    h = await startHarness();
    const first = await scheduled();
    expect(first.every((s) => s.state?.mode === 'rebuild')).toBe(true);
    await expectRecordsMatchFindings();
    const getFindingsBefore = calls('securityhub:GetFindings');
    const second = await scheduled();
    expect(second.every((s) => s.state?.mode === 'change-only')).toBe(true);
    expect(sum(second, (s) => s.findings.imported)).toBe(0);
    // Only the invocation's check for vanished clusters reads Security Hub.
    expect(calls('securityhub:GetFindings') - getFindingsBefore).toBe(1);

    // A node that passed starts failing one control: that finding alone is imported, marked new-FAILED.
    const node = SAMPLE_IDS.failingByDropIn;
    h.fleet.fix(node);
    await scheduled();
    const fixedIds = new Set(
      ourFindings(h.emulator)
        .filter((f) => instanceOf(f) === node)
        .map((f) => String(f.Id)),
    );
    h.fleet.setTree(node, { preset: 'al2023-dropin-false' });
    const updatedAt = new Map(ourFindings(h.emulator).map((f) => [f.Id, f.UpdatedAt]));
    const third = await scheduled();
    const touched = ourFindings(h.emulator).filter((f) => f.UpdatedAt !== updatedAt.get(f.Id));
    const changed = active(h.emulator).filter((f) => instanceOf(f) === node && statusOf(f) === 'FAILED');
    expect(changed.length).toBeGreaterThan(0);
    // Only that node's findings whose content changed (the FAILED one, and any whose evidence changed,
    // e.g. the files read) were imported; nothing else.
    expect(touched.every((f) => instanceOf(f) === node)).toBe(true);
    expect(touched.map((f) => f.Id)).toEqual(expect.arrayContaining(changed.map((f) => f.Id)));
    expect(sum(third, (s) => s.findings.imported)).toBe(touched.length);
    expect(sum(third, (s) => s.findings.updated)).toBe(touched.length);
    for (const f of touched.filter((x) => statusOf(x) !== 'FAILED'))
      expect(f.ProductFields).not.toHaveProperty(NEW_FAILED_FIELD);
    for (const f of changed) {
      expect(fixedIds.has(String(f.Id))).toBe(true);
      expect(field(f, 'new-failed')).toBe('true');
    }
    // The refresh of a finding that stays FAILED carries no marker: the new-FAILED rule does not fire again.
    h.emulator.clock.advance(8 * DAY);
    const refreshed = await scheduled();
    expect(sum(refreshed, (s) => s.findings.refreshed)).toBeGreaterThan(0);
    for (const f of active(h.emulator).filter((x) => instanceOf(x) === node)) {
      expect(f.ProductFields).not.toHaveProperty(NEW_FAILED_FIELD);
    }
    await expectRecordsMatchFindings();
  }, 90_000);

  it('sends each cluster its commands before reading its records (nothing sent waits for them)', async () => {
    const order: CallRecord[] = [];
    h = await startHarness({ onCall: (call) => order.push(call) });
    await scheduled();
    order.length = 0;
    const second = await scheduled();
    expect(second.every((s) => s.state?.mode === 'change-only')).toBe(true);
    type Request = {
      InstanceIds?: string[];
      Targets?: { Values?: string[] }[];
      ExpressionAttributeValues?: Record<string, { S?: string }>;
    };
    const sentTo = (c: CallRecord) => {
      const json = c.json as Request;
      const id = json.InstanceIds?.[0];
      return id ? h.fleet.nodes.get(id)?.cluster : json.Targets?.[0]?.Values?.[0]?.split('/').pop();
    };
    const queried = (c: CallRecord) => (c.json as Request).ExpressionAttributeValues?.[':c']?.S;
    const sending = second.filter((s) => s.nodes.sentCommand > 0).map((s) => s.cluster);
    expect(sending.length).toBeGreaterThan(1);
    for (const cluster of sending) {
      const sent = order.findIndex((c) => c.key === 'ssm:SendCommand' && sentTo(c) === cluster);
      const read = order.findIndex((c) => c.key === 'dynamodb:Query' && queried(c) === cluster);
      expect(sent, cluster).toBeGreaterThanOrEqual(0);
      expect(read, cluster).toBeGreaterThan(sent);
    }
  });

  it('a state table that cannot be read fails the scans after their commands went out, importing nothing', async () => {
    h = await startHarness();
    await scheduled();
    const imports = calls('securityhub:BatchImportFindings');
    const sends = calls('ssm:SendCommand');
    h.emulator.faults.serverError('dynamodb:Query', 1_000);
    const errorsBefore = h.deliveryErrors.length;
    const fanOut = (await h.scanAll(SCHEDULED))[0] as FanOutSummary;
    // Each cluster's invocation failed with the read's error, after its commands were sent.
    const errors = h.deliveryErrors.slice(errorsBefore);
    expect(errors).toHaveLength(fanOut.clusters.length);
    for (const error of errors) expect((error as Error).name).toBe('InternalServerError');
    expect(calls('ssm:SendCommand')).toBeGreaterThan(sends);
    expect(calls('securityhub:BatchImportFindings')).toBe(imports);
    // The records are untouched, so the next scan (the table readable again) is change-only.
    h.emulator.faults.serverError('dynamodb:Query', 0);
    const next = await scheduled();
    expect(next.every((s) => s.state?.mode === 'change-only')).toBe(true);
    expect(sum(next, (s) => s.findings.imported)).toBe(0);
  });

  it('spreads refreshes: over one refresh period each finding is refreshed once, a few nodes a scan', async () => {
    h = await startHarness({ config: { refreshMs: 7 * DAY } });
    await scheduled();
    const total = active(h.emulator).length;
    const perScan: number[] = [];
    for (let day = 0; day < 7; day++) {
      h.emulator.clock.advance(DAY);
      const scans = await scheduled();
      perScan.push(sum(scans, (s) => s.findings.refreshed));
      expect(sum(scans, (s) => s.findings.imported)).toBe(perScan.at(-1));
    }
    expect(perScan.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(total);
    expect(perScan.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(total + 2 * controls.length);
    // Never all at once: no day takes more than half of the findings.
    expect(Math.max(...perScan)).toBeLessThan(total / 2);
    await expectRecordsMatchFindings();
  }, 120_000);

  it('upgrade: findings in Security Hub and no records → rebuilt from GetFindings once, then change-only', async () => {
    h = await startHarness();
    await scheduled();
    const before = new Map(ourFindings(h.emulator).map((f) => [f.Id, f.CreatedAt]));
    // Empty the table, as a deployment of a version without finding records would have it.
    const client = dynamo();
    const items = await client.send(new ScanCommand({ TableName: h.emulator.stateTable }));
    for (const item of items.Items ?? [])
      await client.send(
        new DeleteItemCommand({ TableName: h.emulator.stateTable, Key: { pk: { S: String(item.pk?.S) } } }),
      );
    client.destroy();
    const rebuilt = await scheduled();
    expect(rebuilt.every((s) => s.state?.mode === 'rebuild')).toBe(true);
    for (const f of ourFindings(h.emulator)) expect(f.CreatedAt).toBe(before.get(f.Id));
    await expectRecordsMatchFindings();
    const after = await scheduled();
    expect(after.every((s) => s.state?.mode === 'change-only')).toBe(true);
    expect(sum(after, (s) => s.findings.imported)).toBe(0);
  }, 90_000);

  it('archives a node that left from the table, reading only its findings, and brings it back', async () => {
    h = await startHarness();
    await scheduled();
    await scheduled();
    const gone = SAMPLE_IDS.failingByDropIn;
    const created = new Map(ourFindings(h.emulator).map((f) => [f.Id, f.CreatedAt]));
    h.fleet.terminate(gone);
    const before = calls('securityhub:GetFindings');
    const scans = await scheduled();
    // The vanished-cluster check, and one query for the gone node's findings.
    expect(calls('securityhub:GetFindings') - before).toBe(2);
    expect(sum(scans, (s) => s.findings.archived)).toBe(controls.length);
    const mine = ourFindings(h.emulator).filter((f) => instanceOf(f) === gone);
    expect(mine.every((f) => f.RecordState === 'ARCHIVED')).toBe(true);
    const record = (await records('prod-eu')).nodes.get(gone);
    expect(record?.archived).toBe(true);
    // Nothing more to archive on the next scan: no read at all.
    const quiet = calls('securityhub:GetFindings');
    await scheduled();
    expect(calls('securityhub:GetFindings') - quiet).toBe(1);
    // It comes back (same instance id, as a stopped and started node would): reactivated, CreatedAt kept.
    const node = h.fleet.get(gone);
    if (node) node.state = 'running';
    const back = await scheduled();
    expect(sum(back, (s) => s.findings.reactivated)).toBe(controls.length);
    for (const f of ourFindings(h.emulator).filter((x) => instanceOf(x) === gone)) {
      expect(f.RecordState).toBe('ACTIVE');
      expect(f.CreatedAt).toBe(created.get(f.Id));
    }
    await expectRecordsMatchFindings();
  }, 90_000);
});

describe('an unreachable node keeps its last verdict for staleAfterHours', () => {
  it('FAILED stays FAILED, saying since when; after staleAfterHours it becomes NOT_AVAILABLE', async () => {
    h = await startHarness({ config: { staleAfterMs: 72 * HOUR } });
    const node = SAMPLE_IDS.failingByDropIn;
    await scheduled();
    const failedIds = new Set(
      active(h.emulator)
        .filter((f) => instanceOf(f) === node && statusOf(f) === 'FAILED')
        .map((f) => String(f.Id)),
    );
    expect(failedIds.size).toBeGreaterThan(0);
    h.fleet.setSsm(node, 'connection-lost');
    h.emulator.clock.advance(HOUR);
    const stale = await scheduled();
    expect(sum(stale, (s) => s.findings.stale)).toBe(1);
    for (const f of active(h.emulator).filter((x) => failedIds.has(String(x.Id)))) {
      expect(statusOf(f)).toBe('FAILED');
      expect(field(f, 'status-reason')).toMatch(/^Last assessed FAILED at .*not been reachable since/);
      expect(field(f, 'evidence/lastAssessedAt')).toMatch(/^\d{4}-/);
      expect(field(f, 'evidence/unreachableSince')).toMatch(/^\d{4}-/);
    }
    // Still within the window: nothing to import again.
    h.emulator.clock.advance(24 * HOUR);
    const still = await scheduled();
    // Only refreshes (25 hours of a 7-day period have passed): nothing changed, the stale node included.
    expect(sum(still, (s) => s.findings.imported)).toBe(sum(still, (s) => s.findings.refreshed));
    expect(sum(still, (s) => s.findings.updated + s.findings.created)).toBe(0);
    expect(sum(still, (s) => s.nodes.byStatus.FAILED)).toBeGreaterThan(0);
    // Past 72 hours since it was last reached.
    h.emulator.clock.advance(48 * HOUR);
    await scheduled();
    for (const f of active(h.emulator).filter((x) => instanceOf(x) === node)) {
      expect(statusOf(f)).toBe('NOT_AVAILABLE');
    }
    // Back online: assessed again.
    h.fleet.setSsm(node, 'online');
    await scheduled();
    for (const f of active(h.emulator).filter((x) => failedIds.has(String(x.Id))))
      expect(statusOf(f)).toBe('FAILED');
    await expectRecordsMatchFindings();
  }, 90_000);
});

describe('concurrent scans', () => {
  it('two scheduled scans at once: the lease lets one run, and the records match Security Hub', async () => {
    h = await startHarness();
    await scheduled();
    h.fleet.fix(SAMPLE_IDS.failingByFlag);
    const [a, b] = await Promise.all([h.scanAll(SCHEDULED), h.scanAll(SCHEDULED)]);
    const ran = clusterScansIn([...(a ?? []), ...(b ?? [])]);
    // Each cluster scanned once, whichever invocation won its lease.
    expect(ran.map((s) => s.cluster).sort()).toEqual(['auto', 'legacy-al2', 'prod-eu']);
    await expectRecordsMatchFindings();
  }, 90_000);

  it('two node-scoped scans of one cluster at once both write their records', async () => {
    h = await startHarness();
    await scheduled();
    const [x, y] = [SAMPLE_IDS.failingByDropIn, SAMPLE_IDS.failingByNodeadmFlag];
    h.fleet.fix(x);
    h.fleet.fix(y);
    await Promise.all([
      h.scan(scanRequested({ clusters: ['prod-eu'], instanceIds: [x] })),
      h.scan(scanRequested({ clusters: ['prod-eu'], instanceIds: [y] })),
    ]);
    const state = await records('prod-eu');
    for (const id of [x, y]) {
      const statuses = Object.values(state.nodes.get(id)?.findings ?? {}).map((f) => f.status);
      expect(statuses).toEqual(controls.map(() => 'PASSED'));
    }
    await expectRecordsMatchFindings();
  }, 90_000);
});
