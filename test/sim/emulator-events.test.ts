import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BridgeEvent, type Emulator, startEmulator } from './emulator/index.ts';
import { fakeCollectorScript, sdkClients } from './emulator/test-support.ts';

let emulator: Emulator;
let events: EventBridgeClient;

beforeAll(async () => {
  emulator = await startEmulator({ rateLimits: false, collector: { scriptPath: fakeCollectorScript() } });
  ({ events } = sdkClients(emulator.endpoint));
});
afterAll(() => emulator.stop());

const entry = (detail: object, detailType = 'Scan Requested') => ({
  Source: 'eks-kubelet-audit',
  DetailType: detailType,
  Detail: JSON.stringify(detail),
});

describe('EventBridge PutEvents', () => {
  it('refuses more than 10 entries with ValidationException', async () => {
    const entries = Array.from({ length: 11 }, (_, i) => entry({ clusters: [`c${i}`] }));

    await expect(events.send(new PutEventsCommand({ Entries: entries }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('fails bad entries individually and counts them in FailedEntryCount', async () => {
    const out = await events.send(
      new PutEventsCommand({
        Entries: [
          entry({ ok: true }),
          { Source: 'eks-kubelet-audit', DetailType: 'x', Detail: '[1,2]' },
          { DetailType: 'x', Detail: '{}' },
        ],
      }),
    );

    expect(out.FailedEntryCount).toBe(2);
    expect(out.Entries?.[0]?.EventId).toEqual(expect.any(String));
    expect(out.Entries?.[1]).toMatchObject({ ErrorCode: 'MalformedDetail' });
    expect(out.Entries?.[2]).toMatchObject({ ErrorCode: 'InvalidArgument' });
  });

  it('delivers matching events asynchronously to subscribers in the Lambda event shape, and only those', async () => {
    const received: BridgeEvent[] = [];
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const stop = emulator.events.subscribe(
      'scanner',
      { source: ['eks-kubelet-audit'], 'detail-type': ['Scan Requested'] },
      async (event) => {
        received.push(event);
        await gate;
        // A target may put events itself (fan-out): deliveries it causes are awaited by idle().
        if (event.detail.fanOut)
          await events.send(new PutEventsCommand({ Entries: [entry({ clusters: ['b'] })] }));
      },
    );

    await events.send(
      new PutEventsCommand({
        Entries: [entry({ clusters: ['a'], fanOut: true }), entry({ n: 1 }, 'Scan Completed')],
      }),
    );
    // PutEvents answered although the target has not finished: delivery is asynchronous.
    const finishedBeforeRelease = emulator.events.deliveries.length;
    release();
    await emulator.events.idle();
    stop();

    expect(finishedBeforeRelease).toBe(0);
    expect(received.map((e) => e.detail)).toEqual([{ clusters: ['a'], fanOut: true }, { clusters: ['b'] }]);
    expect(received[0]).toMatchObject({
      version: '0',
      source: 'eks-kubelet-audit',
      'detail-type': 'Scan Requested',
      account: '123456789012',
      region: 'eu-west-1',
      resources: [],
    });
    expect(emulator.events.deliveries.every((d) => d.ok)).toBe(true);
  });

  it('records a subscriber failure without failing PutEvents', async () => {
    const stop = emulator.events.subscribe('broken', { 'detail-type': ['Boom'] }, () => {
      throw new Error('handler failed');
    });

    const out = await events.send(new PutEventsCommand({ Entries: [entry({}, 'Boom')] }));
    await emulator.events.idle();
    stop();

    expect(out.FailedEntryCount).toBe(0);
    expect(emulator.events.deliveries.at(-1)).toMatchObject({ subscription: 'broken', ok: false });
  });
});
