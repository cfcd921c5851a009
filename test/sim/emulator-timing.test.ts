import { ListCommandInvocationsCommand, SendCommandCommand } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { awsLikeTiming, DEFAULT_DOCUMENT, lognormal, seededRng, startEmulator } from './emulator/index.ts';
import { fakeCollectorScript, sdkClients, waitFor } from './emulator/test-support.ts';
import { syntheticFleet } from './fleet.ts';

describe('timing', () => {
  it('draws node execution times with the configured median and p99', () => {
    const draw = lognormal(1500, 8000);
    const rng = seededRng(11);
    const samples = Array.from({ length: 20_000 }, () => draw(rng)).sort((a, b) => a - b);

    expect(samples[10_000]).toBeGreaterThan(1400);
    expect(samples[10_000]).toBeLessThan(1600);
    expect(samples[19_800]).toBeGreaterThan(7000);
    expect(samples[19_800]).toBeLessThan(9000);
  });

  it('runs AWS-like timing on a scaled clock: seconds of fleet time in milliseconds of wall time', async () => {
    const emulator = await startEmulator({
      fleet: syntheticFleet({ nodes: 200, clusters: 1, seed: 5 }),
      clock: { scale: 200 },
      rateLimits: false,
      collector: { scriptPath: fakeCollectorScript() },
      ...awsLikeTiming(),
    });
    try {
      const { ssm } = sdkClients(emulator.endpoint);
      const ids = [...emulator.fleet.nodes.values()]
        .filter((n) => n.ssm === 'online' && n.os !== 'windows' && n.state === 'running')
        .slice(0, 50)
        .map((n) => n.instanceId);
      const simStart = emulator.clock.now();
      const realStart = performance.now();
      const sent = await ssm.send(
        new SendCommandCommand({ DocumentName: DEFAULT_DOCUMENT.name, InstanceIds: ids, MaxErrors: '100%' }),
      );

      await waitFor(async () => {
        const out = await ssm.send(new ListCommandInvocationsCommand({ CommandId: sent.Command!.CommandId }));
        return out.CommandInvocations?.every((i) => i.Status === 'Success') ? true : undefined;
      }, 20_000);
      const simElapsed = emulator.clock.now() - simStart;
      const realElapsed = performance.now() - realStart;

      // The slowest of 50 lognormal draws plus pickup: seconds of simulated time.
      expect(simElapsed).toBeGreaterThan(2000);
      expect(realElapsed).toBeLessThan(simElapsed / 20);
    } finally {
      await emulator.stop();
    }
  });

  it('returns no invocations right after SendCommand when injected (eventual consistency)', async () => {
    const emulator = await startEmulator({
      rateLimits: false,
      collector: { scriptPath: fakeCollectorScript() },
    });
    try {
      const { ssm } = sdkClients(emulator.endpoint);
      const id = [...emulator.fleet.nodes.values()].find(
        (n) => n.ssm === 'online' && n.os === 'al2023',
      )!.instanceId;
      const sent = await ssm.send(
        new SendCommandCommand({ DocumentName: DEFAULT_DOCUMENT.name, InstanceIds: [id] }),
      );
      emulator.faults.invocationsNotYetListed(1);
      const list = () => ssm.send(new ListCommandInvocationsCommand({ CommandId: sent.Command!.CommandId }));

      const first = await list();
      const second = await list();

      expect(first.CommandInvocations).toEqual([]);
      expect(second.CommandInvocations?.map((i) => i.InstanceId)).toEqual([id]);
    } finally {
      await emulator.stop();
    }
  });
});
