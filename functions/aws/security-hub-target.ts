/**
 * The Security Hub CSPM hub one scan reads and writes, and the one error every call to it translates.
 * Shared by the reads and updates (security-hub.ts) and the imports (finding-importer.ts), which
 * otherwise need nothing from each other.
 */
import { awsErrorName, SecurityHubNotEnabledError } from './errors.ts';

export interface SecurityHubTarget {
  readonly productArn: string;
  readonly region: string;
  readonly accountId: string;
}

/** InvalidAccessException means Security Hub is not enabled: the caller gets a clear error. */
export function notEnabledOr(error: unknown, target: SecurityHubTarget): unknown {
  return awsErrorName(error) === 'InvalidAccessException'
    ? new SecurityHubNotEnabledError(target.region, target.accountId, { cause: error })
    : error;
}
