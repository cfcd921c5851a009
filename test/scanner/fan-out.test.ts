import 'aws-sdk-client-mock-vitest/extend';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseScanEvent } from '../../functions/scanner/events.ts';
import { putEvents, scanRequestedEntries } from '../../functions/scanner/fan-out.ts';

const eb = mockClient(EventBridgeClient);
const noSleep = async () => {};

beforeEach(() => eb.reset());

describe('scanRequestedEntries', () => {
  it('makes one single-cluster Scan Requested event per cluster, carrying scanId, reason and instanceIds', () => {
    const entries = scanRequestedEntries(
      [{ cluster: 'a' }, { cluster: 'b', instanceIds: ['i-0123456789abcdef0'] }],
      { eventBus: 'audit', scanId: 's-1', reason: 'nightly' },
    );
    expect(entries).toHaveLength(2);
    expect(entries.map((e) => JSON.parse(e.Detail ?? '{}'))).toEqual([
      { clusters: ['a'], reason: 'nightly', scanId: 's-1', concurrentScans: 2 },
      {
        clusters: ['b'],
        instanceIds: ['i-0123456789abcdef0'],
        reason: 'nightly',
        scanId: 's-1',
        concurrentScans: 2,
      },
    ]);
    for (const e of entries) {
      expect(e).toMatchObject({
        Source: 'eks-kubelet-audit',
        DetailType: 'Scan Requested',
        EventBusName: 'audit',
      });
    }
  });

  it('splits a huge instance list so each event stays far below 256 KB', () => {
    const ids = Array.from({ length: 4500 }, (_, i) => `i-${i.toString(16).padStart(17, '0')}`);
    const entries = scanRequestedEntries([{ cluster: 'a', instanceIds: ids }], {
      eventBus: 'default',
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
    const entries = scanRequestedEntries(
      [{ cluster: 'a', instanceIds: ids }, { cluster: 'b' }, { cluster: 'c' }],
      { eventBus: 'default', scanId: 's' },
    );
    // Assess: the details parse as Scan Requested and each carries 5.
    const shares = entries.map(
      (e) =>
        parseScanEvent({ source: e.Source, 'detail-type': e.DetailType, detail: JSON.parse(e.Detail ?? '') })
          .concurrentScans,
    );
    expect(shares).toEqual([5, 5, 5, 5, 5]);
  });
});

describe('putEvents', () => {
  it('puts at most 10 entries a call', async () => {
    eb.on(PutEventsCommand).callsFake((input) => ({
      FailedEntryCount: 0,
      Entries: input.Entries.map((_: unknown, i: number) => ({ EventId: `e${i}` })),
    }));
    const entries = scanRequestedEntries(
      Array.from({ length: 23 }, (_, i) => ({ cluster: `c${i}` })),
      { eventBus: 'default', scanId: 's' },
    );
    const result = await putEvents(new EventBridgeClient({}), entries, noSleep);
    expect(result).toEqual({ put: 23, failed: [] });
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
    const entries = scanRequestedEntries([{ cluster: 'a' }, { cluster: 'b' }, { cluster: 'c' }], {
      eventBus: 'default',
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
    const entries = scanRequestedEntries([{ cluster: 'a' }], { eventBus: 'default', scanId: 's' });
    const result = await putEvents(new EventBridgeClient({}), entries, noSleep);
    expect(result.put).toBe(0);
    expect(result.failed.map((f) => f.errorCode)).toEqual(['InternalFailure']);
    expect(eb).toHaveReceivedCommandTimes(PutEventsCommand, 4);
  });
});
