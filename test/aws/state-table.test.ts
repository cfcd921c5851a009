/**
 * The finding-state records in a real DynamoDB implementation (dynalite, as the emulator starts it,
 * with the stack's by-cluster index), and BatchWriteItem's UnprocessedItems retried.
 */
import { type BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeItem, nodeStateOf } from '../../functions/aws/state-items.ts';
import {
  batchPut,
  markClusterScanned,
  putIfNewer,
  readClusterState,
} from '../../functions/aws/state-table.ts';
import type { NodeState } from '../../functions/findings/finding-state.ts';
import { DEFAULT_STATE_TABLE, type DynamoDbBackend, startDynamoDb } from '../sim/emulator/dynamodb.ts';
import { FAKE_CREDENTIALS } from '../sim/emulator/index.ts';

const TABLE = DEFAULT_STATE_TABLE;
let db: DynamoDbBackend;
let client: DynamoDBClient;
const sleep = async () => undefined;

const node = (cluster: string, i: number, extra: Partial<NodeState> = {}): NodeState => ({
  cluster,
  instanceId: `i-${String(i).padStart(17, '0')}`,
  observedAt: 1_000,
  reachedAt: 1_000,
  findings: {
    'kubelet-anonymous-auth': {
      fp: 'abc',
      status: 'PASSED',
      createdAt: '2026-12-01T00:00:00.000Z',
      importedAt: 1_000,
    },
    'kubelet-make-iptables-util-chains': {
      fp: 'def',
      status: 'PASSED',
      createdAt: '2026-12-01T00:00:00.000Z',
      importedAt: 1_000,
      resolvePending: true,
    },
  },
  ...extra,
});

beforeAll(async () => {
  db = await startDynamoDb({ region: 'eu-west-1' });
  client = new DynamoDBClient({ endpoint: db.endpoint, region: 'eu-west-1', credentials: FAKE_CREDENTIALS });
});
afterAll(async () => {
  client.destroy();
  await db.stop();
});

describe('node records', () => {
  it('decode as they were written', () => {
    const record = node('a', 1, { unreachableSince: 5, archived: true, reasonCode: 'SSM_UNMANAGED' });
    expect(nodeStateOf(nodeItem(record, 99))).toEqual(record);
  });

  it('are written 25 a call and listed per cluster through the index, with the cluster record', async () => {
    const writer = { client, table: TABLE, sleep };
    const records = Array.from({ length: 60 }, (_, i) => node('east', i));
    expect(
      await batchPut(
        writer,
        records.map((r) => nodeItem(r, 10_000)),
      ),
    ).toBe(0);
    await batchPut(writer, [nodeItem(node('west', 1), 10_000)]);
    await markClusterScanned(writer, {
      cluster: 'east',
      scanStartedAt: 2_000,
      built: true,
      expiresAt: 10_000,
    });
    const east = await readClusterState(client, TABLE, 'east');
    expect(east.nodes.size).toBe(60);
    expect(east.nodes.get(records[7]?.instanceId ?? '')).toEqual(records[7]);
    expect(east.cluster).toEqual({ cluster: 'east', builtAt: 2_000, lastScanAt: 2_000 });
    expect((await readClusterState(client, TABLE, 'west')).cluster).toBeUndefined();
  });

  it('an older scan neither overwrites a node record conditionally nor moves the cluster record back', async () => {
    const writer = { client, table: TABLE, sleep };
    expect(await putIfNewer(writer, nodeItem(node('north', 1, { observedAt: 5_000 }), 10_000))).toBe(true);
    expect(await putIfNewer(writer, nodeItem(node('north', 1, { observedAt: 4_000 }), 10_000))).toBe(false);
    expect(await putIfNewer(writer, nodeItem(node('north', 1, { observedAt: 6_000 }), 10_000))).toBe(true);
    await markClusterScanned(writer, { cluster: 'north', scanStartedAt: 9_000, built: false, expiresAt: 1 });
    await markClusterScanned(writer, { cluster: 'north', scanStartedAt: 8_000, built: true, expiresAt: 1 });
    const north = await readClusterState(client, TABLE, 'north');
    expect(north.nodes.get(node('north', 1).instanceId)?.observedAt).toBe(6_000);
    expect(north.cluster).toEqual({ cluster: 'north', lastScanAt: 9_000 });
  });
});

describe('UnprocessedItems', () => {
  it('are sent again until written, and counted when they never are', async () => {
    const sent: number[] = [];
    let refuse = 2;
    const stub = {
      send: async (command: BatchWriteItemCommand) => {
        const requests = command.input.RequestItems?.[TABLE] ?? [];
        sent.push(requests.length);
        return refuse-- > 0 ? { UnprocessedItems: { [TABLE]: requests.slice(0, 3) } } : {};
      },
    } as unknown as DynamoDBClient;
    const items = Array.from({ length: 10 }, (_, i) => nodeItem(node('s', i), 1));
    expect(await batchPut({ client: stub, table: TABLE, sleep }, items)).toBe(0);
    expect(sent).toEqual([10, 3, 3]);
    const never = {
      send: async (command: BatchWriteItemCommand) => ({ UnprocessedItems: command.input.RequestItems }),
    } as unknown as DynamoDBClient;
    expect(await batchPut({ client: never, table: TABLE, sleep }, items)).toBe(10);
  });
});
