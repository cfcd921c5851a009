/**
 * The emulator's notion of time. AWS-side durations (node execution, delivery time-outs, per-call
 * latency, token-bucket refills) run on this clock so a bench can compress minutes of fleet time
 * into seconds of wall time (`scale` simulated ms per real ms) and tests can jump ahead (`advance`).
 */
export interface SimClock {
  /** Simulated epoch milliseconds. */
  now(): number;
  /** Resolve after `simMs` simulated milliseconds (scaled down to real time). */
  sleep(simMs: number): Promise<void>;
  /** Jump the simulated clock forward without waiting (tests). */
  advance(simMs: number): void;
  readonly scale: number;
}

export function createClock(options: { scale?: number; startMs?: number } = {}): SimClock {
  const scale = options.scale ?? 1;
  if (!(scale > 0)) throw new Error(`clock scale must be > 0, got ${scale}`);
  const startMs = options.startMs ?? Date.now();
  const realStart = performance.now();
  let offset = 0;
  return {
    scale,
    now: () => startMs + (performance.now() - realStart) * scale + offset,
    sleep: (simMs) =>
      simMs <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, simMs / scale)),
    advance: (simMs) => {
      offset += simMs;
    },
  };
}
