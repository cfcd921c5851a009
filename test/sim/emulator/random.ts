/**
 * Seeded randomness and duration distributions, so fleets, node execution times and latencies
 * are reproducible run to run (the bench compares runs; tests must not flake).
 */
export type Rng = () => number;

/** mulberry32: small, fast, good enough for simulation. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed for one node's n-th run: FNV-1a over the emulator seed, the instance id and n. */
export function nodeSeed(seed: number, instanceId: string, run: number): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (const ch of `${instanceId}#${run}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return h >>> 0;
}

/** A duration in simulated milliseconds, drawn per use. */
export type Distribution = (rng: Rng) => number;

export const fixed =
  (ms: number): Distribution =>
  () =>
    ms;

export const uniform =
  (minMs: number, maxMs: number): Distribution =>
  (rng) =>
    minMs + (maxMs - minMs) * rng();

const Z_99 = 2.326_347_874;

/**
 * Lognormal given its median and 99th percentile: sigma = ln(p99/median) / z(0.99).
 * Heavy right tail like real SSM Run Command turnaround (agent poll + bash + upload).
 */
export function lognormal(medianMs: number, p99Ms: number): Distribution {
  const mu = Math.log(medianMs);
  const sigma = Math.log(p99Ms / medianMs) / Z_99;
  return (rng) => {
    // Box-Muller; 1 - rng() avoids log(0).
    const z = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    return Math.exp(mu + sigma * z);
  };
}
