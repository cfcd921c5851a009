/** Counts every API call by "service:Operation" (throttled and failed attempts included). */
export interface CallCounter {
  readonly calls: Record<string, number>;
  count(key: string): void;
  reset(): void;
}

export function createCallCounter(): CallCounter {
  const calls: Record<string, number> = {};
  return {
    calls,
    count(key) {
      calls[key] = (calls[key] ?? 0) + 1;
    },
    // Clear in place: callers hold a reference to `calls`.
    reset() {
      for (const key of Object.keys(calls)) delete calls[key];
    },
  };
}
