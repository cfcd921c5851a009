/**
 * The cluster lease and node claims of the flood guard: against dynalite (the DynamoDB wire protocol
 * in memory) for the conditions themselves, and with a mocked client for the failures DynamoDB can
 * answer that dynalite will not produce on demand.
 */
import 'aws-sdk-client-mock-vitest/extend';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ScanLeases } from '../../functions/scanner/scan-leases.ts';
import { DEFAULT_STATE_TABLE, startDynamoDb } from '../sim/emulator/dynamodb.ts';

const MINUTE = 60_000;
const LEASE_MS = 15 * MINUTE;

describe('ScanLeases against dynalite', () => {
  let backend: Awaited<ReturnType<typeof startDynamoDb>>;
  let client: DynamoDBClient;
  let nowMs = Date.parse('2026-12-01T10:00:00Z');
  let cluster = 0;
  const leases = () =>
    new ScanLeases({
      client,
      table: DEFAULT_STATE_TABLE,
      minIntervalMs: 10 * MINUTE,
      now: () => new Date(nowMs),
    });

  beforeAll(async () => {
    backend = await startDynamoDb({ region: 'eu-west-1' });
    client = new DynamoDBClient({
      endpoint: backend.endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' },
    });
  });
  afterAll(async () => {
    client.destroy();
    await backend.stop();
  });
  beforeEach(() => {
    cluster++;
  });
  const name = () => `c${cluster}`;

  it('gives a cluster to one scan at a time, and says why to the other', async () => {
    const l = leases();
    expect(await l.acquireCluster(name(), 'scan-a', LEASE_MS)).toEqual({ acquired: true });
    expect(await l.acquireCluster(name(), 'scan-b', LEASE_MS)).toEqual({
      acquired: false,
      reason: 'running',
    });
    // Not even the same scanId twice: a sender choosing a running scan's id gains nothing.
    expect(await l.acquireCluster(name(), 'scan-a', LEASE_MS)).toMatchObject({ acquired: false });
  });

  it('holds a finished cluster for the interval, then lets the next scan in', async () => {
    const l = leases();
    await l.acquireCluster(name(), 'scan-a', LEASE_MS);
    expect(await l.releaseCluster(name(), 'scan-a', true)).toBe(true);
    nowMs += 2 * MINUTE;
    expect(await l.acquireCluster(name(), 'scan-b', LEASE_MS)).toEqual({
      acquired: false,
      reason: 'recently-scanned',
      lastFinishedAt: new Date(nowMs - 2 * MINUTE).toISOString(),
    });
    nowMs += 9 * MINUTE;
    expect(await l.acquireCluster(name(), 'scan-b', LEASE_MS)).toEqual({ acquired: true });
  });

  it('keeps the nodes a finished scan found and hands them to the next lease, not those of a failed one', async () => {
    const l = leases();
    await l.acquireCluster(name(), 'scan-a', LEASE_MS);
    expect(await l.releaseCluster(name(), 'scan-a', true, 1_234)).toBe(true);
    nowMs += 11 * MINUTE;
    expect(await l.acquireCluster(name(), 'scan-b', LEASE_MS)).toEqual({ acquired: true, lastNodes: 1_234 });
    // A failed scan, and a finished one that counted nothing, leave the last count as it was.
    expect(await l.releaseCluster(name(), 'scan-b', false, 5)).toBe(true);
    expect(await l.acquireCluster(name(), 'scan-c', LEASE_MS)).toEqual({ acquired: true, lastNodes: 1_234 });
    expect(await l.releaseCluster(name(), 'scan-c', true)).toBe(true);
    nowMs += 11 * MINUTE;
    expect(await l.acquireCluster(name(), 'scan-d', LEASE_MS)).toEqual({ acquired: true, lastNodes: 1_234 });
  });

  it('a failed scan gives the lease back without starting the interval (Lambda retries it)', async () => {
    const l = leases();
    await l.acquireCluster(name(), 'scan-a', LEASE_MS);
    expect(await l.releaseCluster(name(), 'scan-a', false)).toBe(true);
    expect(await l.acquireCluster(name(), 'scan-a-retry', LEASE_MS)).toEqual({ acquired: true });
  });

  it('a lease whose scan died expires by itself, and the late release of it changes nothing', async () => {
    const l = leases();
    await l.acquireCluster(name(), 'dead', LEASE_MS);
    nowMs += LEASE_MS - 1;
    expect(await l.acquireCluster(name(), 'next', LEASE_MS)).toMatchObject({
      acquired: false,
      reason: 'running',
    });
    nowMs += 1;
    expect(await l.acquireCluster(name(), 'next', LEASE_MS)).toEqual({ acquired: true });
    // The dead scan's release is refused (the lease is another's now): no interval starts from it.
    expect(await l.releaseCluster(name(), 'dead', true)).toBe(false);
    expect(await l.acquireCluster(name(), 'third', LEASE_MS)).toMatchObject({ reason: 'running' });
  });

  it('claims a node once per interval; a node-scoped scan waits for its cluster', async () => {
    const l = leases();
    const node = `i-${String(cluster).padStart(17, '0')}`;
    expect(await l.claimNode(node, 'rescan-1')).toBe(true);
    expect(await l.claimNode(node, 'rescan-2')).toBe(false);
    nowMs += 10 * MINUTE;
    expect(await l.claimNode(node, 'rescan-3')).toBe(true);
    await l.acquireCluster(name(), 'full', LEASE_MS);
    expect(await l.clusterOutcome(name())).toEqual({ acquired: false, reason: 'running' });
    expect(await l.clusterOutcome('never-scanned')).toEqual({ acquired: true });
  });

  it('many scans racing for one cluster: exactly one wins', async () => {
    const l = leases();
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, k) => l.acquireCluster(name(), `scan-${k}`, LEASE_MS)),
    );
    expect(outcomes.filter((o) => o.acquired)).toHaveLength(1);
  });
});

describe('ScanLeases with DynamoDB errors', () => {
  // Mocked only here: mockClient replaces send on every DynamoDBClient, the dynalite ones included.
  let ddb: ReturnType<typeof mockClient>;
  beforeAll(() => {
    ddb = mockClient(DynamoDBClient);
  });
  afterAll(() => ddb.restore());
  const now = new Date('2026-12-01T10:00:00Z');
  const l = new ScanLeases({
    client: new DynamoDBClient({ region: 'eu-west-1' }),
    table: 'state',
    minIntervalMs: 10 * MINUTE,
    now: () => now,
  });
  beforeEach(() => ddb.reset());
  const conditionFailed = () =>
    new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

  it('writes the lease with the conditions on expiry and the interval', async () => {
    ddb.on(UpdateItemCommand).resolves({});
    await l.acquireCluster('prod', 'scan-a', LEASE_MS);
    expect(ddb).toHaveReceivedCommandWith(UpdateItemCommand, {
      TableName: 'state',
      Key: { pk: { S: 'cluster#prod' } },
      ConditionExpression:
        '(attribute_not_exists(leaseExpiresAt) OR leaseExpiresAt <= :now) AND ' +
        '(attribute_not_exists(lastFinishedAt) OR lastFinishedAt <= :cutoff)',
    });
    const values = ddb.commandCalls(UpdateItemCommand)[0]!.args[0].input.ExpressionAttributeValues!;
    expect(values[':expires']).toEqual({ N: String(now.getTime() + LEASE_MS) });
    expect(values[':cutoff']).toEqual({ N: String(now.getTime() - 10 * MINUTE) });
  });

  it('a lease freed between the failed condition and the read is still not taken', async () => {
    ddb.on(UpdateItemCommand).rejects(conditionFailed());
    ddb.on(GetItemCommand).resolves({});
    expect(await l.acquireCluster('prod', 'scan-a', LEASE_MS)).toEqual({
      acquired: false,
      reason: 'running',
    });
  });

  it('throws what is not a failed condition (throttled past retries): the invocation is retried', async () => {
    ddb
      .on(UpdateItemCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'throttled', $metadata: {} }));
    await expect(l.acquireCluster('prod', 'scan-a', LEASE_MS)).rejects.toThrow('throttled');
    await expect(l.claimNode('i-0123456789abcdef0', 'scan-a')).rejects.toThrow('throttled');
    await expect(l.releaseCluster('prod', 'scan-a', true)).rejects.toThrow('throttled');
  });
});
