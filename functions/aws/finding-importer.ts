/**
 * BatchImportFindings for findings that become ready one by one while a scan runs: each request goes
 * out as soon as it is full (100 findings or 6 MB), a few at a time, and only the remainder waits for
 * `finish()`. So the number of requests is the same as importing everything at the end (the batches
 * are the same greedy cut of the same sequence), but most of them overlap the scan instead of queueing
 * behind it. A finding may come as the function that builds it (`addLazy`): it is built only when its
 * batch is sent, so a scan that answers faster than Security Hub's 10 imports a second holds a queue of
 * small builders rather than of ASFF documents (about 5 KB each; a 5,000-node first scan queued tens
 * of thousands). FailedFindings (HTTP 200, partial success) are re-sent up to twice; a request that fails
 * outright after the SDK's retries marks its findings failed (and re-sent) and the rest go on. Only
 * "Security Hub not enabled" stops the import, since no request can succeed.
 */

import {
  type AwsSecurityFinding,
  BatchImportFindingsCommand,
  type SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { batchesOf } from './batches.ts';
import { awsErrorName, errorMessage, SecurityHubNotEnabledError } from './errors.ts';
import { notEnabledOr, type SecurityHubTarget } from './security-hub-target.ts';

export const IMPORT_MAX_FINDINGS = 100;
/**
 * 6 MB per BatchImportFindings request (https://docs.aws.amazon.com/securityhub/latest/userguide/finding-update-batchimportfindings.html), less headroom for the
 * request envelope.
 */
export const IMPORT_MAX_BYTES = 6 * 1024 * 1024 - 64 * 1024;
/** FailedFindings are re-sent this many more times before they count as not delivered. */
const IMPORT_RESENDS = 2;
/**
 * Import requests in flight at once. BatchImportFindings allows 10/s (burst 30) and one request takes
 * 150–400 ms, so one at a time reaches only 3–6/s; four keep the quota busy without queueing far
 * ahead of it (the SDK's retry absorbs a throttle).
 */
export const IMPORT_CONCURRENCY = 4;

export interface FailedFinding {
  readonly id: string;
  readonly errorCode: string;
  readonly errorMessage: string;
}

export interface ImportResult {
  readonly succeeded: number;
  readonly failed: FailedFinding[];
  readonly requests: number;
}

function sizeOf(finding: AwsSecurityFinding): number {
  return Buffer.byteLength(JSON.stringify(finding), 'utf8') + 1;
}

/** Splits findings into requests of ≤ 100 findings and ≤ IMPORT_MAX_BYTES of JSON. */
export function importBatches(findings: readonly AwsSecurityFinding[]): AwsSecurityFinding[][] {
  return batchesOf(findings, IMPORT_MAX_FINDINGS, IMPORT_MAX_BYTES, sizeOf);
}

interface Failure {
  readonly failure: FailedFinding;
  /** The finding to re-send; absent when the service named an Id that was not in the request. */
  readonly finding?: AwsSecurityFinding;
}

/** A finding, or the function that builds it when its batch is sent. */
type Entry = AwsSecurityFinding | (() => AwsSecurityFinding);

export class FindingImporter {
  private open: Entry[] = [];
  /** Bytes of the open batch's built findings (a lazy one is measured when it is built). */
  private openBytes = 0;
  /** Full batches waiting for a request slot. */
  private readonly ready: Entry[][] = [];
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];
  private failures: Failure[] = [];
  private succeeded = 0;
  private requests = 0;
  private notEnabled: SecurityHubNotEnabledError | undefined;
  private closed = false;

  constructor(
    private readonly client: SecurityHubClient,
    private readonly target: SecurityHubTarget,
  ) {}

  /** Whether Security Hub answered that it is not enabled (nothing more is sent). */
  get disabled(): boolean {
    return this.notEnabled !== undefined;
  }

  /** Queues one finding; a batch that is full goes out at once (or as soon as a request slot frees). */
  add(finding: AwsSecurityFinding): void {
    if (this.closed) throw new Error('FindingImporter.add after finish');
    // Nothing can be delivered any more; finish() reports why.
    if (this.notEnabled) return;
    const size = sizeOf(finding);
    if (this.open.length > 0 && this.openBytes + size > IMPORT_MAX_BYTES) this.seal();
    this.open.push(finding);
    this.openBytes += size;
    if (this.open.length >= IMPORT_MAX_FINDINGS) this.seal();
  }

  /**
   * Queues one finding that `build` makes when its batch is sent (with the time of sending, so an
   * UpdatedAt taken from the clock is the latest it can be). A batch whose built findings exceed
   * IMPORT_MAX_BYTES goes out as several requests.
   */
  addLazy(build: () => AwsSecurityFinding): void {
    if (this.closed) throw new Error('FindingImporter.addLazy after finish');
    if (this.notEnabled) return;
    this.open.push(build);
    if (this.open.length >= IMPORT_MAX_FINDINGS) this.seal();
  }

  /**
   * Sends the remainder, waits for every request, re-sends FailedFindings, and returns the totals.
   * Throws SecurityHubNotEnabledError if Security Hub said so.
   */
  async finish(): Promise<ImportResult> {
    this.closed = true;
    if (this.open.length > 0) this.seal();
    await this.idle();
    for (let round = 1; round <= IMPORT_RESENDS && !this.notEnabled; round++) {
      const again = this.failures.filter((f) => f.finding !== undefined);
      if (again.length === 0) break;
      this.failures = this.failures.filter((f) => f.finding === undefined);
      for (const batch of importBatches(again.map((f) => f.finding as AwsSecurityFinding))) {
        this.ready.push(batch);
      }
      this.pump();
      await this.idle();
    }
    if (this.notEnabled) throw this.notEnabled;
    return {
      succeeded: this.succeeded,
      failed: this.failures.map((f) => f.failure),
      requests: this.requests,
    };
  }

  /** Sends nothing more and waits for the requests in flight (a scan that fails for another reason). */
  async abandon(): Promise<void> {
    this.closed = true;
    this.open = [];
    this.ready.length = 0;
    await this.idle();
  }

  private seal(): void {
    this.ready.push(this.open);
    this.open = [];
    this.openBytes = 0;
    this.pump();
  }

  private pump(): void {
    while (this.inFlight < IMPORT_CONCURRENCY && this.ready.length > 0 && !this.notEnabled) {
      const batch = this.ready.shift() as Entry[];
      this.inFlight++;
      void this.sendEntries(batch).finally(() => {
        this.inFlight--;
        this.pump();
        if (this.inFlight === 0 && this.ready.length === 0) {
          const waiters = this.idleWaiters;
          this.idleWaiters = [];
          for (const resolve of waiters) resolve();
        }
      });
    }
  }

  private idle(): Promise<void> {
    if (this.inFlight === 0 && (this.ready.length === 0 || this.notEnabled)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Builds the batch's lazy findings and sends it, cut by size if they made it too large. */
  private async sendEntries(batch: Entry[]): Promise<void> {
    let lazy = false;
    const findings: AwsSecurityFinding[] = [];
    for (const entry of batch) {
      if (typeof entry !== 'function') {
        findings.push(entry);
        continue;
      }
      lazy = true;
      try {
        findings.push(entry());
      } catch (error) {
        // A finding that cannot be built is not delivered; the rest of the batch still goes.
        this.failures.push({
          failure: { id: '', errorCode: 'FindingNotBuilt', errorMessage: errorMessage(error) },
        });
      }
    }
    for (const part of lazy ? importBatches(findings) : [findings]) {
      if (this.notEnabled) return;
      await this.send(part);
    }
  }

  /** Never rejects: every outcome is recorded on the importer. */
  private async send(batch: AwsSecurityFinding[]): Promise<void> {
    this.requests++;
    try {
      const out = await this.client.send(new BatchImportFindingsCommand({ Findings: batch }));
      const rejected = out.FailedFindings ?? [];
      this.succeeded += out.SuccessCount ?? batch.length - rejected.length;
      if (rejected.length === 0) return;
      const byId = new Map(batch.map((f) => [f.Id ?? '', f]));
      for (const f of rejected) {
        const id = f.Id ?? '';
        const finding = byId.get(id);
        this.failures.push({
          failure: { id, errorCode: f.ErrorCode ?? 'Unknown', errorMessage: f.ErrorMessage ?? '' },
          ...(finding ? { finding } : {}),
        });
      }
    } catch (error) {
      const translated = notEnabledOr(error, this.target);
      if (translated instanceof SecurityHubNotEnabledError) {
        this.notEnabled ??= translated;
        this.ready.length = 0;
        this.open = [];
        return;
      }
      for (const finding of batch) {
        this.failures.push({
          failure: {
            id: finding.Id ?? '',
            errorCode: awsErrorName(error),
            errorMessage: errorMessage(error),
          },
          finding,
        });
      }
    }
  }
}

/** Imports everything it can (see FindingImporter), all findings known up front. */
export async function importFindings(
  client: SecurityHubClient,
  target: SecurityHubTarget,
  findings: readonly AwsSecurityFinding[],
): Promise<ImportResult> {
  const importer = new FindingImporter(client, target);
  for (const finding of findings) importer.add(finding);
  return importer.finish();
}
