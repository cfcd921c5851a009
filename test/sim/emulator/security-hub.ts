/**
 * AWS Security Hub CSPM (restJson1): BatchImportFindings, GetFindings, BatchUpdateFindings over a
 * FindingsStore, with per-finding ASFF validation (partial success: HTTP 200 with FailedFindings),
 * request-level limits, and the caller-account rule for the default product ARN (Security Hub API
 * reference: BatchImportFindings, AwsSecurityFinding, GetFindings;
 * https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub_limits.html).
 */

import { validateFinding, WORKFLOW_STATUSES } from './asff-validation.ts';
import type { Faults } from './faults.ts';
import { compileFilters } from './findings-filter.ts';
import type { FindingsStore } from './findings-store.ts';
import { AwsError, decodeToken, encodeToken } from './protocols.ts';
import type { Service, ServiceRequest, ServiceResult } from './service.ts';

type Json = Record<string, unknown>;
const MAX_BATCH_BYTES = 6 * 1024 * 1024;

export function routeSecurityHub(
  method: string,
  pathname: string,
): { operation: string; params: Record<string, string> } | undefined {
  if (method === 'POST' && pathname === '/findings/import')
    return { operation: 'BatchImportFindings', params: {} };
  if (method === 'POST' && pathname === '/findings') return { operation: 'GetFindings', params: {} };
  if (method === 'PATCH' && pathname === '/findings/batchupdate')
    return { operation: 'BatchUpdateFindings', params: {} };
  return undefined;
}

export function createSecurityHub(deps: {
  store: FindingsStore;
  faults: Faults;
  accountId: string;
  region: string;
  partition?: string;
}): Service {
  const { store, faults, accountId, region } = deps;
  const productArn = `arn:${deps.partition ?? 'aws'}:securityhub:${region}:${accountId}:product/${accountId}/default`;

  function batchImport(input: Json, rawBytes: number): ServiceResult {
    const findings = input.Findings;
    if (!Array.isArray(findings) || findings.length < 1)
      throw new AwsError('InvalidInputException', 'Findings must contain at least 1 finding');
    if (findings.length > 100) {
      throw new AwsError(
        'InvalidInputException',
        `Findings must contain at most 100 findings, got ${findings.length}`,
      );
    }
    if (rawBytes > MAX_BATCH_BYTES)
      throw new AwsError('InvalidInputException', 'The request is larger than 6 MB');
    // Only the caller's own account and default product may be imported to (prowler#867: AccessDenied).
    for (const f of findings as Json[]) {
      const arn = f?.ProductArn;
      const account = f?.AwsAccountId;
      if (typeof arn === 'string' && /^arn:[^:]+:securityhub:/.test(arn) && arn !== productArn) {
        throw new AwsError(
          'AccessDeniedException',
          `User is not authorized to perform: securityhub:BatchImportFindings on resource: ${arn}`,
          403,
        );
      }
      if (typeof account === 'string' && /^\d{12}$/.test(account) && account !== accountId) {
        throw new AwsError(
          'AccessDeniedException',
          `User is not authorized to perform: securityhub:BatchImportFindings for account ${account}`,
          403,
        );
      }
    }
    const failed: { Id: string; ErrorCode: string; ErrorMessage: string }[] = [];
    let success = 0;
    for (const f of findings as Json[]) {
      const id = typeof f?.Id === 'string' ? f.Id : '';
      const problem = validateFinding(f);
      if (problem) {
        failed.push({ Id: id, ErrorCode: 'InvalidInput', ErrorMessage: problem });
        continue;
      }
      const injected = faults.takeFindingFailure(id);
      if (injected) {
        failed.push({ Id: id, ErrorCode: injected.errorCode, ErrorMessage: injected.message });
        continue;
      }
      store.import(f);
      success++;
    }
    return { json: { FailedCount: failed.length, SuccessCount: success, FailedFindings: failed } };
  }

  function getFindings(input: Json): ServiceResult {
    const maxResults = input.MaxResults ?? 100;
    if (
      typeof maxResults !== 'number' ||
      !Number.isInteger(maxResults) ||
      maxResults < 1 ||
      maxResults > 100
    ) {
      throw new AwsError('InvalidInputException', 'MaxResults must be between 1 and 100');
    }
    const keep = compileFilters(input.Filters);
    // Filtered before sorted (the order of sortFindings, for the cost of sorting the matches only): an
    // account holds 100,000s of findings, and the emulator's CPU must not become its callers' latency.
    const ordered = sortFindings(
      store.ordered.flatMap((s) => (keep(s.finding) ? [s.finding] : [])),
      input.SortCriteria,
    );
    const scope = `sh:gf:${JSON.stringify([input.Filters ?? null, input.SortCriteria ?? null])}`;
    const start = decodeToken(input.NextToken, scope, 'InvalidInputException');
    const end = Math.min(ordered.length, start + maxResults);
    const page = ordered.slice(start, end).map((f) => structuredClone(f));
    const more = end < ordered.length;
    return { json: { Findings: page, ...(more ? { NextToken: encodeToken(scope, end) } : {}) } };
  }

  function batchUpdate(input: Json): ServiceResult {
    const ids = input.FindingIdentifiers;
    if (!Array.isArray(ids) || ids.length < 1 || ids.length > 100) {
      throw new AwsError('InvalidInputException', 'FindingIdentifiers must contain 1 to 100 identifiers');
    }
    const workflow = input.Workflow as Json | undefined;
    if (workflow?.Status !== undefined && !WORKFLOW_STATUSES.has(workflow.Status as string)) {
      throw new AwsError('InvalidInputException', `Invalid Workflow.Status ${String(workflow.Status)}`);
    }
    const processed: Json[] = [];
    const unprocessed: Json[] = [];
    for (const ident of ids as Json[]) {
      const outcome = store.customerUpdate(String(ident.ProductArn), String(ident.Id), input);
      if (outcome === 'updated') processed.push({ Id: ident.Id, ProductArn: ident.ProductArn });
      else
        unprocessed.push({
          FindingIdentifier: { Id: ident.Id, ProductArn: ident.ProductArn },
          // Codes and messages as BatchUpdateFindingsUnprocessedFinding lists them.
          ...(outcome === 'concurrent'
            ? { ErrorCode: 'ConcurrentUpdateError', ErrorMessage: 'Concurrent finding updates detected' }
            : { ErrorCode: 'FindingNotFound', ErrorMessage: 'Finding Not Found' }),
        });
    }
    return { json: { ProcessedFindings: processed, UnprocessedFindings: unprocessed } };
  }

  return {
    name: 'securityhub',
    protocol: 'restJson1',
    operations: new Set(['BatchImportFindings', 'GetFindings', 'BatchUpdateFindings']),
    handle(request: ServiceRequest): ServiceResult {
      if (faults.securityHubDisabled) {
        throw new AwsError(
          'InvalidAccessException',
          `Account ${accountId} is not subscribed to AWS Security Hub`,
          401,
        );
      }
      switch (request.operation) {
        case 'BatchImportFindings':
          return batchImport(request.json, Number(request.params.bodyBytes ?? 0));
        case 'GetFindings':
          return getFindings(request.json);
        default:
          return batchUpdate(request.json);
      }
    },
  };
}

export function defaultProductArn(accountId: string, region: string, partition = 'aws'): string {
  return `arn:${partition}:securityhub:${region}:${accountId}:product/${accountId}/default`;
}

/** Sort fields the emulator implements (dates compare as instants). */
const SORT_FIELDS = new Set(['CreatedAt', 'UpdatedAt']);

/**
 * GetFindings order. AWS documents neither the default order nor how NextToken behaves when findings
 * change between pages, so the emulator takes the least forgiving plausible model: by default the
 * least recently updated first, and NextToken an offset into the matching findings in that order. A
 * finding updated while a caller pages then moves to the end (one that no longer matches drops out)
 * and shifts the unread ones forward, past the offset, so a caller that imports while it reads must
 * ask for an order its own updates do not change (CreatedAt). Ties keep insertion order.
 */
function sortFindings(findings: Json[], criteria: unknown): Json[] {
  const list = criteria === undefined ? [{ Field: 'UpdatedAt', SortOrder: 'asc' }] : criteria;
  if (!Array.isArray(list) || list.length === 0) {
    throw new AwsError('InvalidInputException', 'SortCriteria must be a non-empty list');
  }
  const keys = (list as Json[]).map((c) => {
    const field = c.Field as string;
    if (!SORT_FIELDS.has(field)) {
      throw new AwsError(
        'InvalidInputException',
        `The emulator does not support sorting by ${String(field)}`,
      );
    }
    if (c.SortOrder !== undefined && c.SortOrder !== 'asc' && c.SortOrder !== 'desc') {
      throw new AwsError('InvalidInputException', `Invalid SortOrder ${String(c.SortOrder)}`);
    }
    return { field, sign: c.SortOrder === 'desc' ? -1 : 1 };
  });
  // Each timestamp parsed once, not in every comparison: an account's findings number 100,000s, and
  // the emulator's own CPU must not become the latency its callers see.
  return findings
    .map((f, index) => ({ f, index, at: keys.map(({ field }) => Date.parse(f[field] as string)) }))
    .sort((a, b) => {
      for (const [k, { sign }] of keys.entries()) {
        const d = (a.at[k] as number) - (b.at[k] as number);
        if (d !== 0) return sign * d;
      }
      return a.index - b.index;
    })
    .map((x) => x.f);
}
