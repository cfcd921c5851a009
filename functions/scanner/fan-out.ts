/**
 * Fan-out: one "Scan Requested" event per cluster, so each cluster runs in its own invocation (well
 * inside Lambda's 15 minutes, in parallel). Plus, on a full scan, archiving the findings of clusters
 * that no longer exist.
 */

import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import type { AwsSecurityFinding, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { importFindings, listFindingsOutsideClusters, type SecurityHubTarget } from '../aws/security-hub.ts';
import { archivedCopy } from '../findings/lifecycle.ts';
import { awsErrorName, errorMessage } from './errors.ts';
import { DetailType, EVENT_SOURCE, MAX_CONCURRENT_SCANS, type ScanRequestedDetail } from './events.ts';

/** PutEvents takes at most 10 entries (events PutEventsRequestEntryList). */
export const PUT_EVENTS_MAX = 10;
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
 * Puts entries 10 at a time. PutEvents is partial success (FailedEntryCount, per-entry ErrorCode),
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
    failed = [];
    for (let i = 0; i < queue.length; i += PUT_EVENTS_MAX) {
      const chunk = queue.slice(i, i + PUT_EVENTS_MAX);
      try {
        const out = await client.send(new PutEventsCommand({ Entries: chunk }));
        const results = out.Entries ?? [];
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
      } catch (error) {
        for (const entry of chunk) {
          failed.push({ entry, errorCode: awsErrorName(error), errorMessage: errorMessage(error) });
        }
      }
    }
    queue = failed.map((f) => f.entry);
  }
  return { put, failed };
}

export interface ClusterTarget {
  readonly cluster: string;
  /** Narrowed scope; absent = every node. */
  readonly instanceIds?: readonly string[];
}

export function scanRequestedEntries(
  targets: readonly ClusterTarget[],
  options: { eventBus: string; scanId: string; reason?: string },
): PutEventsRequestEntry[] {
  const scans: { cluster: string; ids: readonly string[] | undefined }[] = [];
  for (const target of targets) {
    if (!target.instanceIds) scans.push({ cluster: target.cluster, ids: undefined });
    else {
      for (let i = 0; i < target.instanceIds.length; i += INSTANCE_IDS_PER_EVENT) {
        scans.push({ cluster: target.cluster, ids: target.instanceIds.slice(i, i + INSTANCE_IDS_PER_EVENT) });
      }
    }
  }
  // Every event is one invocation, all started together: each takes 1/N of the account-wide quotas.
  const concurrentScans = Math.min(MAX_CONCURRENT_SCANS, Math.max(1, scans.length));
  return scans.map(({ cluster, ids }) => {
    const detail: ScanRequestedDetail = {
      clusters: [cluster],
      ...(ids ? { instanceIds: [...ids] } : {}),
      ...(options.reason ? { reason: options.reason.slice(0, 256) } : {}),
      scanId: options.scanId,
      concurrentScans,
    };
    return {
      Source: EVENT_SOURCE,
      DetailType: DetailType.SCAN_REQUESTED,
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
