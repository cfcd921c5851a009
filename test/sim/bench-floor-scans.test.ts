/**
 * The floor is a lower bound: on small fleets of each bench shape (several clusters side by side; one
 * large cluster alone), the real scanner bundle scanning the emulator with AWS-like timing and rate
 * limits never ends sooner than the floor computed from the same run's fleet and drawn node times.
 */
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controls } from '../../functions/controls/index.ts';
import { type BundleResult, bundleHandler, constructMemoryMb } from './bench/bundle.ts';
import { fleetScans } from './bench/measure.ts';
import { parseOptions } from './bench/options.ts';

let bundle: BundleResult;

beforeAll(async () => {
  bundle = await bundleHandler();
}, 120_000);

afterAll(() => {
  if (bundle) rmSync(dirname(bundle.path), { recursive: true, force: true });
});

const SHAPES = [
  { name: 'several clusters side by side', nodes: 240, clusters: 4 },
  { name: 'one cluster alone', nodes: 400, clusters: 1 },
] as const;

describe('the floor never exceeds a measured scan', () => {
  for (const shape of SHAPES) {
    it(`${shape.name}: ${shape.nodes} nodes, first and steady-state scans`, async () => {
      const options = {
        ...parseOptions(['--nodes', String(shape.nodes), '--clusters', String(shape.clusters)]),
        ssmRates: [],
      };

      const scans = await fleetScans(
        options,
        {
          nodes: shape.nodes,
          memoryMb: constructMemoryMb(),
          controls: controls.length,
          bundlePath: bundle.path,
        },
        () => undefined,
      );

      for (const scan of [scans.first, scans.steady]) {
        expect(scan.failedInvocations).toEqual([]);
        expect(scan.floor.seconds).toBeGreaterThan(0);
        expect(scan.floor.seconds).toBeLessThanOrEqual(scan.wallSeconds);
        // Every call the floor counts is one a scan cannot do without.
        expect(scan.floor.totalCalls).toBeLessThanOrEqual(scan.apiCallsTotal);
      }
    }, 300_000);
  }
});
