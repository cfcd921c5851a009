/**
 * Fan-out: one work item per cluster (or group of clusters) on the internal bus, so each runs in its
 * own invocation (well inside Lambda's 15 minutes, in parallel), each carrying the account's offline
 * instances listed once here. Plus, on a full scan, archiving the findings of clusters that no longer exist.
 */

import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import type { AwsSecurityFinding, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { batchesOf } from '../aws/batches.ts';
import type { OfflineInstance } from '../aws/discovery.ts';
import { awsErrorName, errorMessage } from '../aws/errors.ts';
import { importFindings, listFindingsOutsideClusters, type SecurityHubTarget } from '../aws/security-hub.ts';
import { archivedCopy } from '../findings/lifecycle.ts';
import {
  DetailType,
  EVENT_SOURCE,
  MAX_CONCURRENT_SCANS,
  MAX_OFFLINE_HINT_INSTANCES,
  type OfflineHint,
  offlineHintSchema,
  type Trigger,
  type WorkItemDetail,
} from './events.ts';

/** PutEvents takes at most 10 entries (EventBridge API reference, PutEvents Entries). */
export const PUT_EVENTS_MAX = 10;
/** PutEvents rejects a call whose entries total 256 KB or more (EventBridge User Guide,
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html). */
export const PUT_EVENTS_MAX_BYTES = 256 * 1024;
/** Keeps one event's detail far below the 256 KB PutEvents limit (≈ 22 bytes per id). */
export const INSTANCE_IDS_PER_EVENT = 2_000;
const PUT_EVENTS_RESENDS = 3;

export interface FailedEntry {
  readonly entry: PutEventsRequestEntry;
  readonly errorCode: string;
  readonly errorMessage: string;
}

export interface PutEventsResult {
  readonly put: number;
  readonly failed: FailedEntry[];
}

/**
 * An entry's size as its JSON (Detail escaped, keys and bus name included): more than EventBridge
 * counts (Source, DetailType, Detail, Resources in UTF-8), so batches under the limit by this measure
 * are under it however the request is encoded.
 */
function entryBytes(entry: PutEventsRequestEntry): number {
  return Buffer.byteLength(JSON.stringify(entry));
}

/** Consecutive batches of at most 10 entries and, leaving 1 KB for the request around them, < 256 KB. */
export function putEventsBatches(entries: readonly PutEventsRequestEntry[]): PutEventsRequestEntry[][] {
  return batchesOf(entries, PUT_EVENTS_MAX, PUT_EVENTS_MAX_BYTES - 1024, entryBytes);
}

/**
 * Puts entries in batches of 10 (fewer when they are large). PutEvents is partial success (FailedEntryCount, per-entry ErrorCode),
 * so failed entries are re-sent a bounded number of times; throttling of the call itself is the SDK's.
 */
export async function putEvents(
  client: EventBridgeClient,
  entries: readonly PutEventsRequestEntry[],
  sleep: (ms: number) => Promise<void>,
): Promise<PutEventsResult> {
  let put = 0;
  let queue = [...entries];
  let failed: FailedEntry[] = [];
  for (let round = 0; round <= PUT_EVENTS_RESENDS && queue.length > 0; round++) {
    if (round > 0) await sleep(100 * 2 ** (round - 1));
    const roundFailed: FailedEntry[] = [];
    // The calls side by side: the last cluster scans of an invocation end on them (20 clusters' Scan
    // Completed events are two calls), and PutEvents allows hundreds a second.
    const counts = await Promise.all(
      putEventsBatches(queue).map((chunk) => putChunk(client, chunk, roundFailed)),
    );
    put += counts.reduce((a, b) => a + b, 0);
    failed = roundFailed;
    queue = failed.map((f) => f.entry);
  }
  return { put, failed };
}

/** One PutEvents call; returns how many entries were put and adds the others to `failed`. */
async function putChunk(
  client: EventBridgeClient,
  chunk: PutEventsRequestEntry[],
  failed: FailedEntry[],
): Promise<number> {
  try {
    const out = await client.send(new PutEventsCommand({ Entries: chunk }));
    const results = out.Entries ?? [];
    let put = 0;
    chunk.forEach((entry, k) => {
      const r = results[k];
      // Result entries are positional; one with an ErrorCode (or missing) failed.
      if (r?.EventId && !r.ErrorCode) put++;
      else {
        failed.push({
          entry,
          errorCode: r?.ErrorCode ?? 'NoResult',
          errorMessage: r?.ErrorMessage ?? 'PutEvents returned no result for this entry',
        });
      }
    });
    return put;
  } catch (error) {
    for (const entry of chunk) {
      failed.push({ entry, errorCode: awsErrorName(error), errorMessage: errorMessage(error) });
    }
    return 0;
  }
}

export interface ClusterTarget {
  readonly cluster: string;
  /** Narrowed scope; absent = every node. */
  readonly instanceIds?: readonly string[];
}

/** The account's offline managed instances, listed once by the fan-out. */
export interface OfflineListing {
  /** When the listing started. */
  readonly listedAt: Date;
  readonly instances: readonly OfflineInstance[];
}

/**
 * The offline hint of one event: the listing, narrowed to the event's instances when it names some.
 * Undefined when it would not fit (more than MAX_OFFLINE_HINT_INSTANCES) or would not pass the
 * event's own schema (a PingStatus or id the event cannot carry): that scan then lists them itself,
 * as it would without a fan-out, rather than fail on its own event.
 */
export function offlineHint(listing: OfflineListing, scope?: readonly string[]): OfflineHint | undefined {
  const wanted = scope ? new Set(scope) : undefined;
  const instances = wanted ? listing.instances.filter((i) => wanted.has(i.instanceId)) : listing.instances;
  if (instances.length > MAX_OFFLINE_HINT_INSTANCES) return undefined;
  const byPingStatus: Record<string, [string, number | null][]> = {};
  for (const i of instances) {
    const entry: [string, number | null] = [i.instanceId, i.lastPingAt ? i.lastPingAt.getTime() : null];
    const status = i.pingStatus ?? 'unknown';
    const list = byPingStatus[status] ?? [];
    list.push(entry);
    byPingStatus[status] = list;
  }
  const parsed = offlineHintSchema.safeParse({ listedAt: listing.listedAt.toISOString(), byPingStatus });
  return parsed.success ? parsed.data : undefined;
}

/** The instances an event's offline hint carries (inverse of offlineHint). */
export function offlineFromHint(hint: OfflineHint): OfflineInstance[] {
  const out: OfflineInstance[] = [];
  for (const pingStatus of ['ConnectionLost', 'Inactive'] as const) {
    for (const [instanceId, lastPing] of hint.byPingStatus[pingStatus] ?? []) {
      out.push({ instanceId, pingStatus, ...(lastPing !== null ? { lastPingAt: new Date(lastPing) } : {}) });
    }
  }
  return out;
}

/**
 * One work item per invocation to start, on the internal bus: whole clusters `clustersPerEvent` to
 * an item (scanned side by side by its invocation), a cluster narrowed to some instances alone in its
 * items. Only these carry the offline listing and the pacing share (internal-events.ts).
 */
export function workItemEntries(
  targets: readonly ClusterTarget[],
  options: {
    eventBus: string;
    trigger: Trigger;
    scanId: string;
    reason?: string;
    resync?: boolean;
    offline?: OfflineListing;
    clustersPerEvent?: number;
  },
): PutEventsRequestEntry[] {
  const perEvent = Math.max(1, options.clustersPerEvent ?? 1);
  const scans: { clusters: string[]; ids: readonly string[] | undefined }[] = [];
  const whole = targets.filter((t) => !t.instanceIds).map((t) => t.cluster);
  for (let i = 0; i < whole.length; i += perEvent) {
    scans.push({ clusters: whole.slice(i, i + perEvent), ids: undefined });
  }
  for (const target of targets) {
    if (!target.instanceIds) continue;
    for (let i = 0; i < target.instanceIds.length; i += INSTANCE_IDS_PER_EVENT) {
      scans.push({
        clusters: [target.cluster],
        ids: target.instanceIds.slice(i, i + INSTANCE_IDS_PER_EVENT),
      });
    }
  }
  // Every item is one invocation, all started together: each takes 1/N of the account-wide quotas.
  const concurrentScans = Math.min(MAX_CONCURRENT_SCANS, Math.max(1, scans.length));
  const listing = options.offline;
  const wholeClusterHint = listing ? offlineHint(listing) : undefined;
  return scans.map(({ clusters, ids }) => {
    const offline = listing && ids ? offlineHint(listing, ids) : wholeClusterHint;
    const detail: WorkItemDetail = {
      clusters,
      ...(ids ? { instanceIds: [...ids] } : {}),
      ...(options.reason ? { reason: options.reason.slice(0, 256) } : {}),
      scanId: options.scanId,
      ...(options.resync ? { resync: true } : {}),
      trigger: options.trigger,
      concurrentScans,
      ...(offline ? { offline } : {}),
    };
    return {
      Source: EVENT_SOURCE,
      DetailType: DetailType.SCAN_WORK,
      Detail: JSON.stringify(detail),
      EventBusName: options.eventBus,
    };
  });
}

export interface VanishedClustersResult {
  readonly archived: number;
  readonly failed: number;
  readonly failedByCode: Record<string, number>;
  readonly clusters: string[];
}

/** Archives ACTIVE findings of clusters outside `liveClusters` (normally 1 call, 0 results). */
export async function archiveVanishedClusters(
  client: SecurityHubClient,
  target: SecurityHubTarget,
  liveClusters: readonly string[],
  now: Date,
): Promise<VanishedClustersResult> {
  const stale = await listFindingsOutsideClusters(client, target, liveClusters);
  if (stale.length === 0) return { archived: 0, failed: 0, failedByCode: {}, clusters: [] };
  const copies: AwsSecurityFinding[] = stale.map((f) => archivedCopy(f, now));
  const result = await importFindings(client, target, copies);
  const failedByCode: Record<string, number> = {};
  for (const f of result.failed) failedByCode[f.errorCode] = (failedByCode[f.errorCode] ?? 0) + 1;
  const clusters = [
    ...new Set(stale.map((f) => f.ProductFields?.['eks-kubelet-audit/cluster'] ?? '').filter(Boolean)),
  ];
  return {
    archived: copies.length - result.failed.length,
    failed: result.failed.length,
    failedByCode,
    clusters,
  };
}
