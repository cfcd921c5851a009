/**
 * SendCommand by id under the stack's tag-conditioned IAM policy (run-command/access-denied.ts), against
 * the emulator (which authorises SendCommand like IAM, FIDELITY.md) through the real SDK.
 */
import type { SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runCollector } from '../../../functions/aws/run-command/index.ts';
import type { RunCommandOptions } from '../../../functions/aws/run-command/types.ts';
import { sendCommandTagConditions } from '../../../functions/aws/send-command-policy.ts';
import {
  createCollectorRunner,
  DEFAULT_DOCUMENT,
  type Emulator,
  startEmulator,
} from '../../sim/emulator/index.ts';
import { fakeCollectorScript, sdkClients } from '../../sim/emulator/test-support.ts';
import { Fleet, sampleFleet } from '../../sim/fleet.ts';

const collector = createCollectorRunner({ scriptPath: fakeCollectorScript() });
let emulator: Emulator;
let ssm: SSMClient;
afterEach(() => emulator?.stop());
afterAll(() => collector.close());

async function start(fleet: Fleet = sampleFleet()): Promise<void> {
  // No allow-list: nodes tagged only kubernetes.io/cluster/<name> (self-managed) are denied.
  emulator = await startEmulator({
    fleet,
    rateLimits: false,
    collector,
    clock: { scale: 20 },
    runCommand: { sendCommandPolicy: sendCommandTagConditions() },
  });
  ({ ssm } = sdkClients(emulator.endpoint));
}

function options(extra: Partial<RunCommandOptions> = {}): RunCommandOptions {
  const deadline = emulator.clock.now() + 120_000;
  return {
    documentName: DEFAULT_DOCUMENT.name,
    deliveryTimeoutSeconds: 30,
    pollInitialDelayMs: 300,
    pollIntervalMs: 250,
    remainingMs: () => deadline - emulator.clock.now(),
    now: () => new Date(emulator.clock.now()),
    sleep: (ms) => emulator.clock.sleep(ms),
    ...extra,
  };
}

function legacy(group: string): string[] {
  return [...emulator.fleet.nodes.values()]
    .filter((n) => n.cluster === 'legacy-al2' && n.group === group && n.ssm === 'online')
    .map((n) => n.instanceId);
}

describe('a SendCommand by id that IAM denies', () => {
  it('without access classes, halves the chunk until the denied ids stand alone', async () => {
    await start();
    const allowed = legacy('ng-al2');
    const denied = legacy('legacy-asg');
    const ids = [...allowed.slice(0, 2), denied[0]!, ...allowed.slice(2), ...denied.slice(1)];

    const result = await runCollector(ssm, ids, options());

    for (const id of denied) {
      expect(result.outcomes.get(id)).toMatchObject({ kind: 'not-assessed', code: 'SSM_ACCESSDENIED' });
      expect((result.outcomes.get(id) as { reason: string }).reason).toMatch(/allow-list/);
    }
    for (const id of allowed) expect(result.outcomes.get(id)?.kind).toBe('output');
    expect(result.sentTo).toBe(allowed.length);
  });

  it('with access classes, splits a denied chunk by class: one call per class, each class decided as a whole', async () => {
    await start();
    const allowed = legacy('ng-al2');
    const denied = legacy('legacy-asg');
    const classOf = (id: string) => emulator.fleet.get(id)?.provisioner;
    emulator.resetCalls();

    const result = await runCollector(ssm, [...denied, ...allowed], options({ accessClass: classOf }));

    for (const id of denied) expect(result.outcomes.get(id)).toMatchObject({ code: 'SSM_ACCESSDENIED' });
    for (const id of allowed) expect(result.outcomes.get(id)?.kind).toBe('output');
    // One denied call (both classes), then one per class (not one per node, nor a bisection).
    expect(emulator.calls['ssm:SendCommand']).toBe(3);
    expect(result.sentTo).toBe(allowed.length);
  });

  it('answers the rest of a denied class in later chunks without sending them', async () => {
    const fleet = new Fleet({ clusters: [{ name: 'c' }], nodes: [] });
    for (let i = 0; i < 110; i++) fleet.addNode({ cluster: 'c', provisioner: 'self-managed', os: 'al2023' });
    for (let i = 0; i < 5; i++)
      fleet.addNode({ cluster: 'c', provisioner: 'managed-node-group', os: 'al2023' });
    await start(fleet);
    const ids = fleet.order.map((n) => n.instanceId);
    const classOf = (id: string) => emulator.fleet.get(id)?.provisioner;
    emulator.resetCalls();

    const result = await runCollector(ssm, ids, options({ accessClass: classOf }));

    // Chunks 1 and 2 (50 self-managed each, sent side by side) are denied; chunk 3, sent once one of
    // them was answered, goes to its 5 managed nodes only.
    expect(emulator.calls['ssm:SendCommand']).toBe(3);
    const codes = ids.map((id) => result.outcomes.get(id));
    expect(codes.filter((o) => o?.kind === 'not-assessed' && o.code === 'SSM_ACCESSDENIED')).toHaveLength(
      110,
    );
    expect(codes.filter((o) => o?.kind === 'output')).toHaveLength(5);
  });
});
