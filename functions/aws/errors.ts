/**
 * Errors of the AWS layer: reading an SDK v3 error, and the errors the adapters raise themselves.
 * Each keeps the underlying `cause` so the log shows the AWS error (name, request id) behind our message.
 */

/** Security Hub CSPM answered InvalidAccessException: it is not enabled for this account and Region. */
export class SecurityHubNotEnabledError extends Error {
  constructor(
    readonly region: string,
    readonly accountId: string,
    options?: { cause?: unknown },
  ) {
    super(
      `Security Hub CSPM is not enabled in ${region} for account ${accountId}: enable it with ` +
        `\`aws securityhub enable-security-hub --region ${region}\` or in the console`,
      options,
    );
    this.name = new.target.name;
  }
}

/** The name an AWS SDK v3 error carries (`name`, or `Code`/`__type` on a generic service exception). */
export function awsErrorName(error: unknown): string {
  if (error && typeof error === 'object') {
    const e = error as { name?: unknown; Code?: unknown; __type?: unknown };
    if (typeof e.name === 'string' && e.name !== 'Error') return e.name;
    if (typeof e.Code === 'string') return e.Code;
    if (typeof e.__type === 'string') return e.__type.split('#').pop() ?? e.__type;
  }
  return 'Error';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
