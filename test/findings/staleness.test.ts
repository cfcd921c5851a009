import { describe, expect, it } from 'vitest';
import type { ControlResult } from '../../functions/controls/control.ts';
import type { NodeState } from '../../functions/findings/finding-state.ts';
import { staleResults, unreachableFrom } from '../../functions/findings/staleness.ts';

const HOUR = 3_600_000;
const NOW = Date.parse('2026-12-07T12:00:00.000Z');
const offline: ControlResult[] = [
  { controlId: 'a', status: 'NOT_AVAILABLE', reason: 'SSM agent offline', evidence: { code: 'SSM_OFFLINE' } },
  { controlId: 'b', status: 'NOT_AVAILABLE', reason: 'SSM agent offline', evidence: { code: 'SSM_OFFLINE' } },
  { controlId: 'c', status: 'NOT_AVAILABLE', reason: 'SSM agent offline', evidence: { code: 'SSM_OFFLINE' } },
];
const record = (extra: Partial<NodeState> = {}): NodeState => ({
  cluster: 'prod',
  instanceId: 'i-1',
  observedAt: NOW - 24 * HOUR,
  reachedAt: NOW - 24 * HOUR,
  findings: {
    a: { fp: 'x', status: 'FAILED', createdAt: 'c', importedAt: 0 },
    b: { fp: 'y', status: 'PASSED', createdAt: 'c', importedAt: 0 },
  },
  ...extra,
});

describe('unreachableFrom', () => {
  it('a node reachable at its last write was reached by the last full scan too', () => {
    expect(unreachableFrom(record(), { cluster: 'prod', lastScanAt: NOW - 12 * HOUR }, NOW)).toEqual({
      since: NOW,
      lastReachedAt: NOW - 12 * HOUR,
    });
  });

  it('a node already unreachable keeps since when, and when it was last reached', () => {
    const r = record({ unreachableSince: NOW - 5 * HOUR, reachedAt: NOW - 30 * HOUR });
    expect(unreachableFrom(r, { cluster: 'prod', lastScanAt: NOW - 1 * HOUR }, NOW)).toEqual({
      since: NOW - 5 * HOUR,
      lastReachedAt: NOW - 30 * HOUR,
    });
  });

  it('a node never seen was never reached', () => {
    expect(unreachableFrom(undefined, undefined, NOW)).toEqual({ since: NOW });
  });
});

describe('staleResults', () => {
  const unreachable = { since: NOW - HOUR, lastReachedAt: NOW - 24 * HOUR };

  it('keeps each last status within staleAfter, saying when it was assessed and since when unreachable', () => {
    const out = staleResults({
      results: offline,
      previous: record(),
      unreachable,
      now: NOW,
      staleAfterMs: 72 * HOUR,
    });
    expect(out.stale).toBe(true);
    expect(out.results.map((r) => r.status)).toEqual(['FAILED', 'PASSED', 'NOT_AVAILABLE']);
    expect(out.results[0]?.reason).toMatch(
      /^Last assessed FAILED at 2026-12-06T12:00:00\.000Z; the node has not been reachable since 2026-12-07T11:00:00\.000Z \(SSM agent offline\)/,
    );
    expect(out.results[0]?.evidence).toEqual({
      code: 'SSM_OFFLINE',
      lastAssessedAt: '2026-12-06T12:00:00.000Z',
      unreachableSince: '2026-12-07T11:00:00.000Z',
    });
    // A control never assessed stays as it came.
    expect(out.results[2]).toBe(offline[2]);
  });

  it('past staleAfter, or with no time it was reached, the results are NOT_AVAILABLE as they came', () => {
    const late = staleResults({
      results: offline,
      previous: record(),
      unreachable,
      now: NOW,
      staleAfterMs: 23 * HOUR,
    });
    expect(late).toEqual({ results: offline, stale: false });
    const never = staleResults({
      results: offline,
      previous: record(),
      unreachable: { since: NOW },
      now: NOW,
      staleAfterMs: 72 * HOUR,
    });
    expect(never.stale).toBe(false);
  });
});
