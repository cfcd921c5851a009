/**
 * The account's offline managed instances, listed once per fan-out and handed to each cluster scan
 * in its internal work item, so each scan need not page the same account-wide listing again.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { AwsClients } from '../aws/clients.ts';
import { describeOfflineInstances, offlineReachability, type Reachability } from '../aws/discovery.ts';
import { awsErrorName, errorMessage } from '../aws/errors.ts';
import type { OfflineHint } from './events.ts';
import { type OfflineListing, offlineFromHint } from './fan-out.ts';

/**
 * A work item's offline listing older than this is listed again: normally it is seconds old, but an
 * event may wait (throttled or retried asynchronous invocation), and a node back online since would
 * go unassessed. Longer than one Lambda run.
 */
export const OFFLINE_HINT_MAX_AGE_MS = 15 * 60_000;

/** The fan-out's offline listing; undefined (and logged) when it failed: each cluster scan lists it itself. */
export async function listOfflineOnce(
  clients: AwsClients,
  now: () => Date,
  log: Logger,
): Promise<OfflineListing | undefined> {
  const listedAt = now();
  try {
    return { listedAt, instances: await describeOfflineInstances(clients.ssm) };
  } catch (error) {
    log.warn('Offline instances not listed; each cluster scan lists them itself', {
      errorCode: awsErrorName(error),
      error: errorMessage(error),
    });
    return undefined;
  }
}

/** A work item's offline listing, unless it is too old to trust. */
export function offlineFromWorkItem(
  hint: OfflineHint | undefined,
  now: Date,
  log: Logger,
): Map<string, Reachability> | undefined {
  if (!hint) return undefined;
  const ageMs = now.getTime() - Date.parse(hint.listedAt);
  if (ageMs > OFFLINE_HINT_MAX_AGE_MS) {
    log.warn('Offline listing of the work item is too old; listing offline instances again', {
      listedAt: hint.listedAt,
      ageMs,
    });
    return undefined;
  }
  const offline = offlineReachability(offlineFromHint(hint));
  log.info('Offline instances from the fan-out', {
    listedAt: hint.listedAt,
    ageMs,
    offlineInstances: offline.size,
  });
  return offline;
}
