/**
 * Reads and writes of the finding state (state-items.ts) in the scanner's state table.
 *
 * Calls per 1,000 nodes, measured with 13 controls (a node item ≈ 1.3 KB): the read is one paged
 * Query of the by-cluster index, 1 MB a page, ≈ 2 calls; BatchGetItem would take 10 (100 keys a call)
 * and could not list the records of nodes that are gone. Writes go only for nodes whose record
 * changed: BatchWriteItem, 25 a call, so a first scan writes 1,000 records in 40 calls and a steady
 * scan (1/14 of the nodes refreshed, a few changed) in 3-4, where per-item conditional writes would
 * take 1,000 and ~75. A full scan writes unconditionally: it holds the cluster's lease, so no other
 * full scan of the cluster writes at the same time. A node-scoped scan (a handful of nodes, which may
 * overlap another node-scoped scan) writes each record with a condition on its `observedAt`: the
 * write of a scan that started earlier than the record's loses and is logged.
 */
import {
  type AttributeValue,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  PutItemCommand,
  paginateQuery,
  UpdateItemCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import type { ClusterState, NodeState } from '../findings/finding-state.ts';
import { mapLimit } from './run-command/map-limit.ts';
import {
  clusterStateKey,
  clusterStateOf,
  nodeStateOf,
  STATE_CLUSTER,
  STATE_CLUSTER_INDEX,
} from './state-items.ts';

export class StateWriteError extends Error {
  constructor(
    readonly unwritten: number,
    options?: { cause?: unknown },
  ) {
    super(`${unwritten} finding-state records not written to the state table`, options);
    this.name = new.target.name;
  }
}

/**
 * Capacity units the calls consumed (ReturnConsumedCapacity TOTAL: the table and its index), added
 * up for the scan's summary: on-demand tables are billed by them.
 */
export interface ConsumedUnits {
  read: number;
  write: number;
}

const units = (c: { CapacityUnits?: number } | undefined) => c?.CapacityUnits ?? 0;

export interface ClusterStateRead {
  readonly cluster?: ClusterState;
  /** Node records by instance id. */
  readonly nodes: Map<string, NodeState>;
}

/** Every finding-state item of one cluster (paged Query of the by-cluster index). */
export async function readClusterState(
  client: DynamoDBClient,
  table: string,
  cluster: string,
  consumed?: ConsumedUnits,
): Promise<ClusterStateRead> {
  const nodes = new Map<string, NodeState>();
  let clusterState: ClusterState | undefined;
  const pages = paginateQuery(
    { client },
    {
      TableName: table,
      IndexName: STATE_CLUSTER_INDEX,
      KeyConditionExpression: '#c = :c',
      ExpressionAttributeNames: { '#c': STATE_CLUSTER },
      ExpressionAttributeValues: { ':c': { S: cluster } },
      ReturnConsumedCapacity: 'TOTAL',
    },
  );
  for await (const page of pages) {
    if (consumed) consumed.read += units(page.ConsumedCapacity);
    for (const item of page.Items ?? []) {
      const node = nodeStateOf(item);
      if (node) nodes.set(node.instanceId, node);
      else clusterState = clusterStateOf(item) ?? clusterState;
    }
  }
  return { ...(clusterState ? { cluster: clusterState } : {}), nodes };
}

export interface WriteOptions {
  readonly client: DynamoDBClient;
  readonly table: string;
  readonly sleep: (ms: number) => Promise<void>;
  readonly consumed?: ConsumedUnits;
}

/** BatchWriteItem takes at most 25 requests. */
const BATCH_WRITE_MAX = 25;
const WRITES_IN_FLIGHT = 4;
/**
 * UnprocessedItems (throttling of a partition, not an error) are sent again after these pauses, as the
 * DynamoDB developer guide asks ("Batch operations": retry with exponential backoff); the SDK retries
 * a throttled call itself.
 */
const UNPROCESSED_RETRY_MS = [50, 100, 200, 400, 800, 1_600] as const;

/** Puts items, 25 a call, a few calls in flight; returns how many could not be written. */
export async function batchPut(
  options: WriteOptions,
  items: readonly Record<string, AttributeValue>[],
): Promise<number> {
  const chunks: WriteRequest[][] = [];
  for (let i = 0; i < items.length; i += BATCH_WRITE_MAX) {
    chunks.push(items.slice(i, i + BATCH_WRITE_MAX).map((Item) => ({ PutRequest: { Item } })));
  }
  const left = await mapLimit(chunks, WRITES_IN_FLIGHT, (chunk) => writeChunk(options, chunk));
  return left.reduce((a, b) => a + b, 0);
}

async function writeChunk(options: WriteOptions, chunk: WriteRequest[]): Promise<number> {
  let pending = chunk;
  for (let attempt = 0; ; attempt++) {
    const out = await options.client.send(
      new BatchWriteItemCommand({
        RequestItems: { [options.table]: pending },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    if (options.consumed)
      options.consumed.write += (out.ConsumedCapacity ?? []).reduce((n, c) => n + units(c), 0);
    pending = out.UnprocessedItems?.[options.table] ?? [];
    const delay = UNPROCESSED_RETRY_MS[attempt];
    if (pending.length === 0 || delay === undefined) return pending.length;
    await options.sleep(delay);
  }
}

/**
 * Puts one node record unless the table holds one written by a scan that started later; false when
 * that newer record wins.
 */
export async function putIfNewer(
  options: WriteOptions,
  item: Record<string, AttributeValue>,
): Promise<boolean> {
  try {
    const out = await options.client.send(
      new PutItemCommand({
        TableName: options.table,
        Item: item,
        ConditionExpression: 'attribute_not_exists(pk) OR observedAt <= :mine',
        ExpressionAttributeValues: { ':mine': item.observedAt as AttributeValue },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    if (options.consumed) options.consumed.write += units(out.ConsumedCapacity);
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * Records a completed full scan of the cluster: its start (the time an unreachable node was last
 * reached, staleness.ts) and, once every node has a record, that the cluster's state is built (later
 * scans go change-only). A scan that started before the recorded one leaves it alone.
 */
export async function markClusterScanned(
  options: WriteOptions,
  record: { cluster: string; scanStartedAt: number; built: boolean; expiresAt: number },
): Promise<void> {
  try {
    const out = await options.client.send(
      new UpdateItemCommand({
        TableName: options.table,
        Key: { pk: { S: clusterStateKey(record.cluster) } },
        UpdateExpression: `SET #c = :c, kind = :kind, lastScanAt = :t, expiresAt = :ttl${record.built ? ', builtAt = :t' : ''}`,
        ConditionExpression: 'attribute_not_exists(lastScanAt) OR lastScanAt <= :t',
        ExpressionAttributeNames: { '#c': STATE_CLUSTER },
        ExpressionAttributeValues: {
          ':c': { S: record.cluster },
          ':kind': { S: 'cluster' },
          ':t': { N: String(record.scanStartedAt) },
          ':ttl': { N: String(Math.floor(record.expiresAt)) },
        },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    if (options.consumed) options.consumed.write += units(out.ConsumedCapacity);
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}
