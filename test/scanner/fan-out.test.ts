import 'aws-sdk-client-mock-vitest/extend';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { type OfflineInstance, offlineReachability } from '../../functions/aws/discovery.ts';
import { MAX_OFFLINE_HINT_INSTANCES } from '../../functions/scanner/events.ts';
import {
  type OfflineListing,
  offlineFromHint,
  offlineHint,
  PUT_EVENTS_MAX_BYTES,
  putEvents,
  putEventsBatches,
  workItemEntries,
} from '../../functions/scanner/fan-out.ts';
import { parseInvocation } from '../../functions/scanner/internal-events.ts';

/** An entry as the internal rule delivers it, parsed by the function's own parser. */
function delivered(e: PutEventsRequestEntry) {
  const ruleArn = `arn:aws:events:eu-west-1:111122223333:rule/${e.EventBusName}/WorkItemRule`;
  const event = { source: e.Source, 'detail-type': e.DetailType, detail: JSON.parse(e.Detail ?? '') };
  return parseInvocation({ channel: 'internal', ruleArn, event }, e.EventBusName).request;
}

const eb = mockClient(EventBridgeClient);
const noSleep = async () => {};

beforeEach(() => eb.reset());

describe('workItemEntries', () => {
  it('makes one single-cluster work item per cluster, carrying scanId, reason and instanceIds', () => {
    const entries = workItemEntries(
      [{ cluster: 'a' }, { cluster: 'b', instanceIds: ['i-0123456789abcdef0'] }],
      { eventBus: 'audit', trigger: 'on-demand', scanId: 's-1', reason: 'nightly' },
    );
    expect(entries).toHaveLength(2);
    expect(entries.map((e) => JSON.parse(e.Detail ?? '{}'))).toEqual([
      { clusters: ['a'], reason: 'nightly', scanId: 's-1', trigger: 'on-demand', concurrentScans: 2 },
      {
        clusters: ['b'],
        instanceIds: ['i-0123456789abcdef0'],
        reason: 'nightly',
        scanId: 's-1',
        trigger: 'on-demand',
        concurrentScans: 2,
      },
    ]);
    for (const e of entries) {
      expect(e).toMatchObject({
        Source: 'eks-kubelet-audit',
        DetailType: 'Scan Work',
        EventBusName: 'audit',
      });
    }
  });

  it('splits a huge instance list so each event stays far below 256 KB', () => {
    const ids = Array.from({ length: 4500 }, (_, i) => `i-${i.toString(16).padStart(17, '0')}`);
    const entries = workItemEntries([{ cluster: 'a', instanceIds: ids }], {
      eventBus: 'default',
      trigger: 'on-demand',
      scanId: 's',
    });
    expect(entries).toHaveLength(3);
    for (const e of entries) expect(Buffer.byteLength(e.Detail ?? '')).toBeLessThan(64 * 1024);
    expect(entries.flatMap((e) => JSON.parse(e.Detail ?? '{}').instanceIds)).toEqual(ids);
  });

  it('tells every scan how many start together, counting each event of a split cluster', () => {
    // Prepare: cluster a split into 3 events, plus b and c.
    const ids = Array.from({ length: 4500 }, (_, i) => `i-${i.toString(16).padStart(17, '0')}`);
    // Act
    const entries = workItemEntries(
      [{ cluster: 'a', instanceIds: ids }, { cluster: 'b' }, { cluster: 'c' }],
      { eventBus: 'default', trigger: 'on-demand', scanId: 's' },
    );
    // Assess: the details parse as Scan Requested and each carries 5.
    const shares = entries.map((e) => delivered(e).work?.concurrentScans);
    expect(shares).toEqual([5, 5, 5, 5, 5]);
  });
});

const id = (n: number) => `i-${n.toString(16).padStart(17, '0')}`;
const LISTED_AT = new Date('2026-11-28T09:00:00.123Z');

function listing(count: number, start = 0): OfflineListing {
  const instances: OfflineInstance[] = Array.from({ length: count }, (_, k) => {
    const n = start + k;
    // Mixed statuses, and a last ping with milliseconds (or none), as SSM reports them.
    return n % 3 === 2
      ? { instanceId: id(n), pingStatus: 'Inactive' }
      : { instanceId: id(n), pingStatus: 'ConnectionLost', lastPingAt: new Date(1_764_000_000_123 + n) };
  });
  return { listedAt: LISTED_AT, instances };
}

function detailOf(entry: { Detail?: string | undefined }) {
  return JSON.parse(entry.Detail ?? '{}');
}

describe('offline hint', () => {
  it('groups the listing by PingStatus with the last ping, and gives back the very same reasons', () => {
    // Prepare
    const offline = listing(5);
    // Act
    const hint = offlineHint(offline);
    // Assess: compact, and what a cluster scan builds from it is what listing itself would give.
    expect(hint).toEqual({
      listedAt: '2026-11-28T09:00:00.123Z',
      byPingStatus: {
        ConnectionLost: [
          [id(0), 1_764_000_000_123],
          [id(1), 1_764_000_000_124],
          [id(3), 1_764_000_000_126],
          [id(4), 1_764_000_000_127],
        ],
        Inactive: [[id(2), null]],
      },
    });
    const fromHint = offlineReachability(offlineFromHint(hint!));
    expect(fromHint).toEqual(offlineReachability(offline.instances));
    expect(fromHint.get(id(0))).toEqual({
      reachable: false,
      code: 'SSM_OFFLINE',
      reason: 'SSM agent offline (ConnectionLost) since 2025-11-24T16:00:00.123Z',
    });
    expect(fromHint.get(id(2))).toEqual({
      reachable: false,
      code: 'SSM_INACTIVE',
      reason: 'SSM agent Inactive (last ping an unknown time)',
    });
  });

  it(`carries at most ${MAX_OFFLINE_HINT_INSTANCES} instances; 10 events at the cap stay far below 256 KB`, () => {
    // Prepare
    const atCap = listing(MAX_OFFLINE_HINT_INSTANCES);
    const overCap = listing(MAX_OFFLINE_HINT_INSTANCES + 1);
    const clusters = Array.from({ length: 10 }, (_, i) => ({ cluster: `cluster-${i}` }));
    // Act
    const full = workItemEntries(clusters, {
      eventBus: 'default',
      trigger: 'on-demand',
      scanId: 's',
      offline: atCap,
    });
    const over = workItemEntries(clusters, {
      eventBus: 'default',
      trigger: 'on-demand',
      scanId: 's',
      offline: overCap,
    });
    // Assess: at the cap every event carries all of it, and one PutEvents call holds all ten.
    for (const e of full)
      expect(offlineFromHint(detailOf(e).offline)).toHaveLength(MAX_OFFLINE_HINT_INSTANCES);
    const bytes = full.reduce((n, e) => n + Buffer.byteLength(JSON.stringify(e)), 0);
    expect(bytes).toBeLessThan(0.8 * PUT_EVENTS_MAX_BYTES);
    expect(putEventsBatches(full)).toHaveLength(1);
    // Over the cap no event carries it: each scan lists offline instances itself.
    expect(offlineHint(overCap)).toBeUndefined();
    for (const e of over) expect(detailOf(e)).not.toHaveProperty('offline');
  });

  it('leaves out a listing the event schema would reject rather than break every cluster scan', () => {
    // A PingStatus the listing does not ask for, and an id that is no EC2 instance id.
    expect(
      offlineHint({ listedAt: LISTED_AT, instances: [{ instanceId: id(1), pingStatus: 'Online' }] }),
    ).toBeUndefined();
    expect(offlineHint({ listedAt: LISTED_AT, instances: [{ instanceId: id(1) }] })).toBeUndefined();
    expect(
      offlineHint({
        listedAt: LISTED_AT,
        instances: [{ instanceId: 'mi-0123456789abcdef0', pingStatus: 'Inactive' }],
      }),
    ).toBeUndefined();
    // No offline instance at all is a hint too (the scan then lists nothing).
    expect(offlineHint({ listedAt: LISTED_AT, instances: [] })).toEqual({
      listedAt: LISTED_AT.toISOString(),
      byPingStatus: {},
    });
  });

  it('puts the hint in every event, narrowed to the instances of an event that names some', () => {
    // Prepare: 600 offline in the account (over the cap), two of them requested in cluster b.
    const offline = listing(600);
    // Act
    const entries = workItemEntries(
      [{ cluster: 'a' }, { cluster: 'b', instanceIds: [id(1), id(2), id(9999)] }],
      { eventBus: 'default', trigger: 'on-demand', scanId: 's', offline },
    );
    // Assess: the whole-cluster event has none (over the cap); the narrowed one only its own.
    const [a, b] = entries.map(detailOf);
    expect(a).not.toHaveProperty('offline');
    expect(b.offline).toEqual({
      listedAt: LISTED_AT.toISOString(),
      byPingStatus: { ConnectionLost: [[id(1), 1_764_000_000_124]], Inactive: [[id(2), null]] },
    });
    // Every detail passes the scanner's own event parser.
    for (const e of entries) {
      const request = delivered(e);
      expect(request.clusters).toHaveLength(1);
    }
  });
});

describe('putEventsBatches', () => {
  it('keeps each PutEvents call under 256 KB when events are large, not only at 10 entries', () => {
    // Prepare: 12 events of 2,000 instance ids each (≈ 44 KB apiece).
    const ids = Array.from({ length: 24_000 }, (_, i) => id(i));
    const entries = workItemEntries([{ cluster: 'a', instanceIds: ids }], {
      eventBus: 'default',
      trigger: 'on-demand',
      scanId: 's',
    });
    // Act
    const batches = putEventsBatches(entries);
    // Assess: order kept, nothing lost, each batch within both limits.
    expect(entries).toHaveLength(12);
    expect(batches.flat()).toEqual(entries);
    expect(batches.length).toBeGreaterThan(2);
    for (const batch of batches) {
      expect(batch.length).toBeLessThanOrEqual(10);
      const bytes = Buffer.byteLength(JSON.stringify({ Entries: batch }));
      expect(bytes).toBeLessThan(PUT_EVENTS_MAX_BYTES);
    }
  });
});

describe('putEvents', () => {
  it('puts at most 10 entries a call, the calls side by side', async () => {
    // Prepare: each call takes 20 ms.
    let inFlight = 0;
    let most = 0;
    eb.on(PutEventsCommand).callsFake(async (input) => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 20));
      inFlight--;
      return {
        FailedEntryCount: 0,
        Entries: input.Entries.map((_: unknown, i: number) => ({ EventId: `e${i}` })),
      };
    });
    const entries = workItemEntries(
      Array.from({ length: 23 }, (_, i) => ({ cluster: `c${i}` })),
      { eventBus: 'default', trigger: 'on-demand', scanId: 's' },
    );
    // Act
    const result = await putEvents(new EventBridgeClient({}), entries, noSleep);
    // Assess
    expect(result).toEqual({ put: 23, failed: [] });
    expect(most).toBe(3);
    expect(eb.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries?.length)).toEqual([
      10, 10, 3,
    ]);
  });

  it('re-sends only the failed entries', async () => {
    eb.on(PutEventsCommand)
      .callsFakeOnce((input) => ({
        FailedEntryCount: 1,
        Entries: input.Entries.map((_: unknown, i: number) =>
          i === 1 ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' } : { EventId: `e${i}` },
        ),
      }))
      .callsFake((input) => ({ FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: 'x' })) }));
    const entries = workItemEntries([{ cluster: 'a' }, { cluster: 'b' }, { cluster: 'c' }], {
      eventBus: 'default',
      trigger: 'on-demand',
      scanId: 's',
    });
    const result = await putEvents(new EventBridgeClient({}), entries, noSleep);
    expect(result.put).toBe(3);
    expect(
      JSON.parse(eb.commandCalls(PutEventsCommand)[1]?.args[0].input.Entries?.[0]?.Detail ?? ''),
    ).toMatchObject({
      clusters: ['b'],
    });
  });

  it('reports entries that keep failing, with their error code', async () => {
    eb.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'x' }],
    });
    const entries = workItemEntries([{ cluster: 'a' }], {
      eventBus: 'default',
      trigger: 'on-demand',
      scanId: 's',
    });
    const result = await putEvents(new EventBridgeClient({}), entries, noSleep);
    expect(result.put).toBe(0);
    expect(result.failed.map((f) => f.errorCode)).toEqual(['InternalFailure']);
    expect(eb).toHaveReceivedCommandTimes(PutEventsCommand, 4);
  });
});
