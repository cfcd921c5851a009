/**
 * The emulator runs the REAL collector (functions/collector/collect.sh) with bash against each
 * node's simulated tree, and the output comes back through the real SSM client.
 */
import {
  GetCommandInvocationCommand,
  ListCommandInvocationsCommand,
  SendCommandCommand,
} from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEvidence } from '../../functions/collector/evidence.ts';
import { DEFAULT_DOCUMENT, type Emulator, startEmulator } from './emulator/index.ts';
import { sdkClients, waitFor } from './emulator/test-support.ts';
import { SAMPLE_IDS, sampleFleet } from './fleet.ts';

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ fleet: sampleFleet(), rateLimits: false });
});
afterAll(() => emulator.stop());

describe('SSM Run Command with the real collector', () => {
  it('returns each node’s evidence: flag and drop-in failures visible, Bottlerocket control container blind', async () => {
    const { ssm } = sdkClients(emulator.endpoint);
    const stock = [...emulator.fleet.nodes.values()].find(
      (n) => n.tree?.preset === 'al2023' && !n.tree.options,
    )!;
    const ids = [
      SAMPLE_IDS.failingByFlag,
      SAMPLE_IDS.failingByDropIn,
      SAMPLE_IDS.bottlerocket,
      stock.instanceId,
    ];
    const sent = await ssm.send(
      new SendCommandCommand({
        DocumentName: DEFAULT_DOCUMENT.name,
        InstanceIds: ids,
        MaxErrors: '100%',
        TimeoutSeconds: 60,
      }),
    );
    const commandId = sent.Command!.CommandId!;
    emulator.clock.advance(5_000);
    await waitFor(async () => {
      const out = await ssm.send(new ListCommandInvocationsCommand({ CommandId: commandId }));
      return out.CommandInvocations?.every((i) => i.Status === 'Success') ? true : undefined;
    });

    const evidence = await Promise.all(
      ids.map(async (id) => {
        const got = await ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: id }));
        const parsed = parseEvidence(got.StandardOutputContent ?? '');
        if (!parsed.ok) throw new Error(`${id}: ${parsed.code} ${parsed.reason}`);
        return parsed.evidence;
      }),
    );
    const [flag, dropIn, bottlerocket, plain] = evidence;

    expect(flag?.kubelets[0]?.argv).toContain('--make-iptables-util-chains=false');
    expect(
      dropIn?.files.some(
        (f) => f.roles.includes('config-dir-entry') && /makeIPTablesUtilChains/.test(f.content ?? ''),
      ),
    ).toBe(true);
    expect(bottlerocket?.host.visible).toBe(false);
    expect(plain?.kubelets[0]?.argv).not.toContain('--make-iptables-util-chains=false');
    // One bash run per distinct node tree: the cache keeps large fleets cheap.
    expect(emulator.collector.stats.runs).toBe(4);
  });
});
