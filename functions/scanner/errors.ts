/**
 * Every error the scanner raises on purpose. Each keeps the underlying `cause` so the log shows the
 * AWS error (name, request id) behind our message. Errors the AWS adapters raise, and the helpers that
 * read an SDK error, are aws/errors.ts.
 */

export class ScannerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The invocation's event is not one we accept; nothing was scanned. */
export class InvalidEventError extends ScannerError {
  constructor(
    readonly field: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`Invalid scan event: ${field}: ${message}`, options);
  }
}

/**
 * A public Scan Requested event carries fields only the scanner's internal channel may carry
 * (`offline`, `concurrentScans`, ...): someone tried to steer how nodes are judged or paced.
 */
export class ForgedInternalFieldError extends InvalidEventError {
  constructor(readonly fields: readonly string[]) {
    super(
      fields[0] ?? 'detail',
      `internal field(s) ${fields.join(', ')} not accepted on the public bus (accepted: clusters, instanceIds, reason, scanId)`,
    );
  }
}

/** The Lambda's environment is incomplete or malformed (read once at cold start). */
export class ConfigError extends ScannerError {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`Invalid configuration: ${variable}: ${message}`);
  }
}

/**
 * Raised at the very end of an invocation, after everything deliverable was delivered and the summary
 * was reported, so that Lambda's asynchronous retry and the on-failure destination see the failure.
 */
export class FindingsNotDeliveredError extends ScannerError {
  constructor(
    readonly failedCount: number,
    readonly errorCodes: Readonly<Record<string, number>>,
    options?: { cause?: unknown },
  ) {
    super(
      `${failedCount} finding(s) could not be delivered to Security Hub (${formatCodes(errorCodes)})`,
      options,
    );
  }
}

/** PutEvents entries that still failed after the bounded retries (fan-out or Scan Completed). */
export class EventDeliveryError extends ScannerError {
  constructor(
    readonly failedCount: number,
    readonly errorCodes: Readonly<Record<string, number>>,
    options?: { cause?: unknown },
  ) {
    super(`${failedCount} EventBridge event(s) could not be put (${formatCodes(errorCodes)})`, options);
  }
}

/**
 * Cluster scans run side by side in one invocation that failed; the others were scanned and reported.
 * `summary` is the invocation's summary (logged before the throw), for callers that want it.
 */
export class ClusterScansFailedError extends ScannerError {
  constructor(
    readonly clusters: readonly string[],
    options?: { cause?: unknown },
    readonly summary?: unknown,
  ) {
    super(`${clusters.length} cluster scan(s) failed: ${clusters.slice(0, 10).join(', ')}`, options);
  }
}

/** "InvalidInput×2, InternalException×1": error codes with their counts, for messages. */
function formatCodes(errorCodes: Readonly<Record<string, number>>): string {
  return Object.entries(errorCodes)
    .map(([code, n]) => `${code}×${n}`)
    .join(', ');
}
