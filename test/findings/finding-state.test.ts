import { describe, expect, it } from 'vitest';
import { buildFinding } from '../../functions/findings/asff.ts';
import { fingerprint, NEW_FAILED_FIELD, refreshDue } from '../../functions/findings/finding-state.ts';
import { cluster, control, node, result, scope } from './fixtures.ts';

const DAY = 86_400_000;
const T0 = Date.parse('2026-12-01T00:00:00Z');

function finding(
  overrides: { status?: 'PASSED' | 'FAILED'; reason?: string; at?: string; scanId?: string } = {},
) {
  const at = overrides.at ?? '2026-12-01T00:00:00.000Z';
  return buildFinding({
    scope,
    cluster,
    node,
    control,
    result: result(overrides.status ?? 'FAILED', overrides.reason ? { reason: overrides.reason } : {}),
    scanId: overrides.scanId ?? 'scan-1',
    createdAt: at,
    updatedAt: at,
  });
}

describe('fingerprint', () => {
  it('ignores what changes on every import: timestamps, Workflow, scan id, the new-FAILED marker', () => {
    const base = fingerprint(finding());
    const later = finding({ at: '2026-12-09T12:00:00.000Z', scanId: 'scan-2' });
    expect(fingerprint(later)).toBe(base);
    expect(fingerprint({ ...later, Workflow: { Status: 'RESOLVED' } })).toBe(base);
    expect(
      fingerprint({ ...later, ProductFields: { ...later.ProductFields, [NEW_FAILED_FIELD]: 'true' } }),
    ).toBe(base);
  });

  it("ignores the moving columns of the kubelet's ps line (C, STIME, TIME), not its PID or command", () => {
    const f = finding();
    const ps = (line: string) => ({
      ...f,
      ProductFields: { ...f.ProductFields, 'eks-kubelet-audit/evidence/kubeletCommand': line },
    });
    const base = fingerprint(
      ps('root        3187       1  1 Nov26 ?        00:32:45 /usr/bin/kubelet --config=/etc/k.json'),
    );
    expect(
      fingerprint(
        ps('root        3187       1  2 Dec01 ?     1-02:03:04 /usr/bin/kubelet --config=/etc/k.json'),
      ),
    ).toBe(base);
    expect(
      fingerprint(
        ps('root        4242       1  1 Nov26 ?        00:32:45 /usr/bin/kubelet --config=/etc/k.json'),
      ),
    ).not.toBe(base);
    expect(
      fingerprint(
        ps('root        3187       1  1 Nov26 ?        00:32:45 /usr/bin/kubelet --config=/etc/x.json'),
      ),
    ).not.toBe(base);
  });

  it('changes with the status, the reason and the evidence', () => {
    const base = fingerprint(finding());
    expect(fingerprint(finding({ status: 'PASSED' }))).not.toBe(base);
    expect(fingerprint(finding({ reason: 'another reason' }))).not.toBe(base);
    const f = finding();
    expect(
      fingerprint({ ...f, ProductFields: { ...f.ProductFields, 'eks-kubelet-audit/evidence/x': 'y' } }),
    ).not.toBe(base);
  });
});

describe('refreshDue', () => {
  const ids = Array.from({ length: 10_000 }, (_, i) => `i-${i.toString(16).padStart(17, '0')}`);

  it('spreads a fleet imported at once over the period: ≈ 1/14 of the nodes a 12-hour scan', () => {
    const due = ids.filter((instanceId) =>
      refreshDue({ instanceId, importedAt: T0, now: T0 + DAY / 2, periodMs: 7 * DAY }),
    ).length;
    expect(due / ids.length).toBeGreaterThan(1 / 14 - 0.01);
    expect(due / ids.length).toBeLessThan(1 / 14 + 0.01);
  });

  it('refreshes each node once a period, whatever the scan cadence', () => {
    for (const instanceId of ids.slice(0, 200)) {
      let importedAt = T0;
      let refreshes = 0;
      for (let now = T0 + 3_600_000; now <= T0 + 14 * DAY; now += 3_600_000) {
        if (refreshDue({ instanceId, importedAt, now, periodMs: 7 * DAY })) {
          refreshes++;
          importedAt = now;
        }
      }
      expect(refreshes).toBe(2);
    }
  });

  it('is always due once a whole period has passed, and never right after an import', () => {
    for (const instanceId of ids.slice(0, 100)) {
      expect(refreshDue({ instanceId, importedAt: T0, now: T0 + 7 * DAY, periodMs: 7 * DAY })).toBe(true);
      expect(refreshDue({ instanceId, importedAt: T0, now: T0, periodMs: 7 * DAY })).toBe(false);
    }
  });
});
