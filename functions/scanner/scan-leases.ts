/**
 * Flood guard: the scanner's state table holds one lease item per cluster and, for node-scoped scans,
 * one item per node. A cluster scan starts only if it wins the cluster's lease with a conditional
 * UpdateItem: no unexpired lease, and the last finished scan older than the minimum interval. So a
 * flood of Scan Requested events, or two scans of one cluster side by side, runs the collector on a
 * node once. The lease expires by itself after the invocation's time (a crashed scan never holds a
 * cluster for longer than the function could have run).
 */
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
  type UpdateItemCommandInput,
  type UpdateItemCommandOutput,
} from '@aws-sdk/client-dynamodb';

/** Attribute names of the state table (the stack creates it with `pk` as the partition key). */
export const STATE_KEY = 'pk' as const;
/** The table's TTL attribute (epoch seconds): DynamoDB deletes an item some time after it. */
export const STATE_TTL = 'expiresAt' as const;

/** Items outlive the interval by a day: long enough to read, short enough not to pile up. */
const TTL_MARGIN_S = 24 * 3600;

export const SkipReason = {
  RUNNING: 'running',
  RECENTLY_SCANNED: 'recently-scanned',
} as const;
export type SkipReason = (typeof SkipReason)[keyof typeof SkipReason];

export interface LeaseOptions {
  readonly client: DynamoDBClient;
  readonly table: string;
  /** Minimum time between two scans of a cluster (or node), ms. */
  readonly minIntervalMs: number;
  readonly now: () => Date;
}

export type LeaseOutcome =
  | {
      readonly acquired: true;
      /**
       * Running nodes the cluster's last finished scan found (absent: none recorded). Read back with
       * the lease at no extra cost (UpdateItem ReturnValues), so an invocation knows its fleet's size
       * before it discovers it (scope-plan.ts: whether a grouped query can hold the clusters).
       */
      readonly lastNodes?: number;
    }
  | { readonly acquired: false; readonly reason: SkipReason; readonly lastFinishedAt?: string };

const clusterKey = (cluster: string) => ({ [STATE_KEY]: { S: `cluster#${cluster}` } });
const nodeKey = (instanceId: string) => ({ [STATE_KEY]: { S: `node#${instanceId}` } });
const num = (n: number) => ({ N: String(Math.floor(n)) });

/** The cluster and node leases of the scanner's state table. */
export class ScanLeases {
  constructor(private readonly options: LeaseOptions) {}

  /**
   * Takes the cluster's lease for `owner` (the scanId) until `leaseMs` from now (the invocation's
   * remaining time), unless another scan holds it or one finished less than the interval ago.
   */
  async acquireCluster(cluster: string, owner: string, leaseMs: number): Promise<LeaseOutcome> {
    const now = this.options.now().getTime();
    const written = await this.conditionalUpdate({
      Key: clusterKey(cluster),
      UpdateExpression: 'SET leaseOwner = :owner, leaseExpiresAt = :expires, #ttl = :ttl',
      ReturnValues: 'ALL_OLD',
      ConditionExpression:
        '(attribute_not_exists(leaseExpiresAt) OR leaseExpiresAt <= :now) AND ' +
        '(attribute_not_exists(lastFinishedAt) OR lastFinishedAt <= :cutoff)',
      ExpressionAttributeNames: { '#ttl': STATE_TTL },
      ExpressionAttributeValues: {
        ':owner': { S: owner },
        ':expires': num(now + leaseMs),
        ':now': num(now),
        ':cutoff': num(now - this.options.minIntervalMs),
        ':ttl': num((now + leaseMs + this.options.minIntervalMs) / 1000 + TTL_MARGIN_S),
      },
    });
    if (written) {
      const lastNodes = Number(written.Attributes?.lastNodes?.N ?? Number.NaN);
      return Number.isSafeInteger(lastNodes) && lastNodes >= 0
        ? { acquired: true, lastNodes }
        : { acquired: true };
    }
    const why = await this.whyNot(cluster, now);
    // Free again by the time of the read: another scan just finished (or gave up) in between.
    return why.acquired ? { acquired: false, reason: SkipReason.RUNNING } : why;
  }

  /**
   * Ends the lease `owner` holds. `finished`: the scan completed, so the interval starts now (and the
   * running nodes it found, `nodes`, are kept for the next lease); a failed scan only gives the lease
   * back, so Lambda's retry of it may run at once. A lease taken over since (it had expired) is left
   * alone.
   */
  async releaseCluster(cluster: string, owner: string, finished: boolean, nodes?: number): Promise<boolean> {
    const now = this.options.now().getTime();
    const counted = finished && nodes !== undefined;
    const written = await this.conditionalUpdate({
      Key: clusterKey(cluster),
      UpdateExpression: finished
        ? `SET lastFinishedAt = :now, lastScanId = :owner, #ttl = :ttl${counted ? ', lastNodes = :nodes' : ''} REMOVE leaseOwner, leaseExpiresAt`
        : 'REMOVE leaseOwner, leaseExpiresAt',
      ConditionExpression: 'leaseOwner = :owner',
      ...(finished ? { ExpressionAttributeNames: { '#ttl': STATE_TTL } } : {}),
      ExpressionAttributeValues: {
        ':owner': { S: owner },
        ...(finished
          ? {
              ':now': num(now),
              ':ttl': num((now + this.options.minIntervalMs) / 1000 + TTL_MARGIN_S),
              ...(counted ? { ':nodes': num(nodes) } : {}),
            }
          : {}),
      },
    });
    return written !== undefined;
  }

  /**
   * Whether a node-scoped scan of `cluster` may start: not while a scan of the whole cluster runs,
   * nor within the interval after one finished.
   */
  async clusterOutcome(cluster: string): Promise<LeaseOutcome> {
    return this.whyNot(cluster, this.options.now().getTime());
  }

  /**
   * Claims a node for a node-scoped scan: its last scan (started) must be older than the interval.
   * The claim is the node's scan time, so a second rescan within the interval is skipped.
   */
  async claimNode(instanceId: string, owner: string): Promise<boolean> {
    const now = this.options.now().getTime();
    const written = await this.conditionalUpdate({
      Key: nodeKey(instanceId),
      UpdateExpression: 'SET lastScannedAt = :now, lastScanId = :owner, #ttl = :ttl',
      ConditionExpression: 'attribute_not_exists(lastScannedAt) OR lastScannedAt <= :cutoff',
      ExpressionAttributeNames: { '#ttl': STATE_TTL },
      ExpressionAttributeValues: {
        ':now': num(now),
        ':owner': { S: owner },
        ':cutoff': num(now - this.options.minIntervalMs),
        ':ttl': num((now + this.options.minIntervalMs) / 1000 + TTL_MARGIN_S),
      },
    });
    return written !== undefined;
  }

  /** One conditional write: undefined when its condition failed, any other error thrown. */
  private async conditionalUpdate(
    input: Omit<UpdateItemCommandInput, 'TableName'>,
  ): Promise<UpdateItemCommandOutput | undefined> {
    try {
      return await this.options.client.send(
        new UpdateItemCommand({ TableName: this.options.table, ...input }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /** Why the cluster's lease cannot be taken now (one consistent read); `acquired` if nothing stops it. */
  private async whyNot(cluster: string, now: number): Promise<LeaseOutcome> {
    const out = await this.options.client.send(
      new GetItemCommand({ TableName: this.options.table, Key: clusterKey(cluster), ConsistentRead: true }),
    );
    const leaseExpiresAt = Number(out.Item?.leaseExpiresAt?.N ?? 0);
    const lastFinishedAt = out.Item?.lastFinishedAt?.N ? Number(out.Item.lastFinishedAt.N) : undefined;
    if (leaseExpiresAt > now) return { acquired: false, reason: SkipReason.RUNNING };
    if (lastFinishedAt !== undefined && lastFinishedAt > now - this.options.minIntervalMs) {
      return {
        acquired: false,
        reason: SkipReason.RECENTLY_SCANNED,
        lastFinishedAt: new Date(lastFinishedAt).toISOString(),
      };
    }
    return { acquired: true };
  }
}
