/**
 * `kubelet-audit fleet` and `archive` end to end: the CLI's real code through the real SDK v3 clients
 * over HTTP against the emulator (the clients come from the injected factory, as the caller's
 * credentials would give them), the real collect.sh on simulated node trees. The Lambda scan of the
 * same fleet is the reference for what `fleet --collect` must print.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { ConfiguredRetryStrategy } from '@smithy/util-retry';
import { afterEach, describe, expect, it } from 'vitest';
import { createClients } from '../../functions/aws/clients.ts';
import type { AccountDeps } from '../../functions/cli/account-deps.ts';
import { controls } from '../../functions/controls/index.ts';
import { active, controlOf, expectedStatus, instanceOf, statusOf } from '../e2e/expectations.ts';
import { type Harness, scanRequested, startHarness } from '../e2e/harness.ts';
import { DEFAULT_DOCUMENT, FAKE_CREDENTIALS } from '../sim/emulator/index.ts';
import { Fleet } from '../sim/fleet.ts';
import { runMain } from './run-main.ts';

let h: Harness;
afterEach(() => h?.stop());

const NODE = { cluster: 'c', provisioner: 'managed-node-group', group: 'general', os: 'al2023' } as const;

function testFleet(): Fleet {
  return new Fleet({
    clusters: [{ name: 'c' }, { name: 'auto', autoMode: true }],
    nodes: [
      { ...NODE },
      { ...NODE, os: 'al2', tree: { preset: 'al2-flag-false' } },
      { ...NODE, ssm: 'connection-lost' },
      { ...NODE, ssm: 'unmanaged' },
      { ...NODE, group: 'win', os: 'windows' },
      { cluster: 'auto', provisioner: 'auto-mode', group: 'general-purpose', os: 'bottlerocket' },
    ],
  });
}

function deps(): AccountDeps {
  return {
    clients: (region) =>
      createClients({
        region: region ?? h.fleet.region,
        endpoint: h.emulator.endpoint,
        credentials: FAKE_CREDENTIALS,
        retryStrategy: new ConfiguredRetryStrategy(4, () => 5),
      }),
    now: () => new Date(h.emulator.clock.now()),
    sleep: (ms) => h.emulator.clock.sleep(ms),
    confirm: async () => false,
  };
}

const run = (args: string[], accountDeps: AccountDeps = deps()) => runMain(args, { accountDeps });

/** Calls by "service:Operation" of the services a preview must never write to. */
function writes(): Record<string, number> {
  return Object.fromEntries(
    Object.entries(h.emulator.calls).filter(
      ([key]) =>
        key.startsWith('securityhub:') ||
        key.startsWith('dynamodb:') ||
        key.startsWith('events:') ||
        key === 'ssm:SendCommand',
    ),
  );
}

async function stateKeys(): Promise<string[]> {
  const { Items } = await deps()
    .clients()
    .dynamodb.send(new ScanCommand({ TableName: h.emulator.stateTable }));
  return (Items ?? []).map((i) => String(i.pk?.S)).sort();
}

describe('fleet', () => {
  it('lists every node with why it would or would not be scanned, and sends nothing', async () => {
    h = await startHarness({ fleet: testFleet() });
    const { code, stdout } = await run(['fleet', '--format', 'json']);
    expect(code).toBe(0);
    const nodes = JSON.parse(stdout).nodes as {
      instanceId: string;
      scan: boolean;
      code: string;
      reason: string;
    }[];
    const byId = new Map(nodes.map((n) => [n.instanceId, n]));
    const [ok, failing, offline, unmanaged, windows, auto] = h.fleet.order.map((n) => byId.get(n.instanceId));
    expect(nodes).toHaveLength(6);
    expect([ok?.scan, failing?.scan]).toEqual([true, true]);
    expect(ok?.reason).toMatch(/^SSM managed, online/);
    expect(offline).toMatchObject({ scan: false, code: 'SSM_OFFLINE' });
    expect(offline?.reason).toMatch(/^SSM agent offline \(ConnectionLost\) since \d{4}-/);
    expect(unmanaged).toMatchObject({ scan: false, code: 'SSM_UNMANAGED' });
    expect(unmanaged?.reason).toMatch(/^not managed by SSM/);
    expect(windows).toMatchObject({ scan: false, code: 'NOT_APPLICABLE_WINDOWS' });
    expect(auto).toMatchObject({ scan: false, code: 'AUTO_MODE' });
    expect(auto?.reason).toMatch(/EKS Auto Mode/);
    expect(writes()).toEqual({});
    expect(h.emulator.ssm.commands.commands).toHaveLength(0);
  });

  it('prints a sanitised table, narrowed to --clusters', async () => {
    h = await startHarness({ fleet: testFleet() });
    const { code, stdout } = await run(['fleet', '--clusters', 'auto,gone']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^CLUSTER\s+INSTANCE\s+GROUP\s+PLATFORM\s+SCAN\s+WHY/);
    expect(stdout).toContain('Clusters not found: gone');
    expect(stdout).toContain('1 nodes in 1 clusters; 0 would be scanned.');
    expect(stdout).not.toContain(h.fleet.order[0]!.instanceId);
  });

  it('--collect without --document says where to find the document and calls nothing', async () => {
    h = await startHarness({ fleet: testFleet() });
    const { code, stderr } = await run(['fleet', '--collect']);
    expect(code).toBe(2);
    expect(stderr).toContain('CollectorDocumentName');
    expect(stderr).toContain('describe-stacks');
    expect(Object.values(h.emulator.calls).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it('--collect prints the verdicts the Lambda scan reports, and writes nothing', async () => {
    h = await startHarness({ fleet: testFleet() });
    const args = ['fleet', '--collect', '--document', DEFAULT_DOCUMENT.name, '--format', 'json'];
    const { code, stdout } = await run(args);
    expect(code).toBe(0);
    const entries = JSON.parse(stdout) as { instanceId: string; controlId: string; status: string }[];
    expect(entries).toHaveLength(6 * controls.length);
    const cli = new Map(entries.map((e) => [`${e.instanceId} ${e.controlId}`, e.status]));
    // Independent expectations for the presets.
    for (const node of h.fleet.order) {
      for (const control of controls) {
        expect(cli.get(`${node.instanceId} ${control.id}`), `${node.instanceId} ${control.id}`).toBe(
          expectedStatus(node, control.id),
        );
      }
    }
    expect(new Set(entries.map((e) => e.status))).toContain('FAILED');
    // Sent (to the two online, managed nodes, pinned to version 1) but nothing written.
    const sent = h.emulator.ssm.commands.commands;
    expect(sent.flatMap((c) => c.instanceIds).sort()).toEqual(
      [h.fleet.order[0]!.instanceId, h.fleet.order[1]!.instanceId].sort(),
    );
    expect(new Set(sent.map((c) => c.documentVersion))).toEqual(new Set(['1']));
    const { 'ssm:SendCommand': sends, ...rest } = writes();
    expect(sends).toBeGreaterThan(0);
    expect(rest).toEqual({});
    // The Lambda's scan of the same fleet reports the same status per node and control.
    await h.scanAll(scanRequested({ clusters: ['c', 'auto'] }));
    const lambda = new Map(active(h.emulator).map((f) => [`${instanceOf(f)} ${controlOf(f)}`, statusOf(f)]));
    expect(lambda).toEqual(cli);
  });
});

describe('archive', () => {
  async function scanAndAddForeign() {
    await h.scanAll(scanRequested({ clusters: ['c', 'auto'] }));
    await h.scanAll(scanRequested({ instanceIds: [h.fleet.order[0]!.instanceId] }));
    const template = active(h.emulator)[0]!;
    // Another product's finding whose GeneratorId looks like ours: never ours to archive.
    const foreignArn = `arn:aws:securityhub:${h.fleet.region}::product/example/other`;
    h.emulator.securityHub.store.import({
      ...structuredClone(template),
      Id: 'other-1',
      ProductArn: foreignArn,
    });
    return foreignArn;
  }

  it('--all --yes archives every ACTIVE finding of ours, clears the state table, leaves others alone', async () => {
    h = await startHarness({ fleet: testFleet() });
    const foreignArn = await scanAndAddForeign();
    const before = active(h.emulator).length;
    expect(before).toBe(6 * controls.length);
    expect(await stateKeys()).toEqual(
      expect.arrayContaining(['cluster#c', 'cluster#auto', `node#${h.fleet.order[0]!.instanceId}`]),
    );
    const { code, stdout } = await run(['archive', '--all', '--yes', '--state-table', h.emulator.stateTable]);
    expect(code).toBe(0);
    expect(stdout).toContain(`Archived ${before} findings of every cluster`);
    expect(active(h.emulator)).toEqual([]);
    expect(await stateKeys()).toEqual([]);
    const foreign = h.emulator.securityHub.store.all().find((f) => f.ProductArn === foreignArn);
    expect(foreign?.RecordState).toBe('ACTIVE');
  });

  it('--clusters archives only those clusters; declining the question changes nothing', async () => {
    h = await startHarness({ fleet: testFleet() });
    await scanAndAddForeign();
    const declined = await run(['archive', '--clusters', 'auto', '--state-table', h.emulator.stateTable]);
    expect(declined.code).toBe(1);
    expect(active(h.emulator)).toHaveLength(6 * controls.length);
    const { code } = await run([
      'archive',
      '--clusters',
      'auto',
      '--yes',
      '--state-table',
      h.emulator.stateTable,
    ]);
    expect(code).toBe(0);
    const left = active(h.emulator);
    expect(left).toHaveLength(5 * controls.length);
    expect(
      left.every((f) => (f.ProductFields as Record<string, string>)['eks-kubelet-audit/cluster'] === 'c'),
    ).toBe(true);
    expect(await stateKeys()).not.toContain('cluster#auto');
    expect(await stateKeys()).toContain('cluster#c');
    // The finding records of the archived cluster go too (the next scan rebuilds them), the others stay.
    const keys = await stateKeys();
    expect(keys.filter((k) => k === 'clusterstate#auto' || k.startsWith('nodestate#auto#'))).toEqual([]);
    expect(keys).toContain('clusterstate#c');
  });

  it('needs --state-table and one of --all or --clusters', async () => {
    h = await startHarness({ fleet: testFleet() });
    expect((await run(['archive', '--all'])).stderr).toContain('StateTableName');
    expect((await run(['archive', '--state-table', 't'])).code).toBe(2);
    expect((await run(['archive', '--all', '--clusters', 'c', '--state-table', 't'])).code).toBe(2);
  });
});
