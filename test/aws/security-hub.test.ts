import 'aws-sdk-client-mock-vitest/extend';
import {
  type AwsSecurityFinding,
  BatchImportFindingsCommand,
  BatchUpdateFindingsCommand,
  GetFindingsCommand,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SecurityHubNotEnabledError } from '../../functions/aws/errors.ts';
import {
  findArchivedFindings,
  IMPORT_CONCURRENCY,
  importBatches,
  importFindings,
  listActiveFindings,
  listFindingsOutsideClusters,
  resolveFindings,
} from '../../functions/aws/security-hub.ts';
import { finding, target } from './security-hub-fixtures.ts';

const sh = mockClient(SecurityHubClient);

beforeEach(() => sh.reset());

describe('reading', () => {
  it('lists the cluster ACTIVE findings of our product across pages, 100 a page', async () => {
    sh.on(GetFindingsCommand)
      .resolvesOnce({ Findings: [finding(1), finding(2)], NextToken: 't' })
      .resolvesOnce({ Findings: [finding(3)] });
    const active = await listActiveFindings(new SecurityHubClient({}), target, 'prod');
    expect([...active.keys()]).toHaveLength(3);
    expect(sh).toHaveReceivedCommandWith(GetFindingsCommand, {
      MaxResults: 100,
      Filters: {
        ProductArn: [{ Value: target.productArn, Comparison: 'EQUALS' }],
        GeneratorId: [{ Value: 'eks-kubelet-audit/', Comparison: 'PREFIX' }],
        ProductFields: [{ Key: 'eks-kubelet-audit/cluster', Value: 'prod', Comparison: 'EQUALS' }],
        RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }],
      },
    });
  });

  it('keeps a projection of each finding, and the whole finding only where keepWhole says so', async () => {
    // Prepare: two findings with everything a stored finding carries; only the second is to be kept whole.
    const full = (n: number) =>
      finding(n, {
        CreatedAt: '2026-01-01T00:00:00.000Z',
        UpdatedAt: '2026-01-02T00:00:00.000Z',
        RecordState: 'ACTIVE',
        Compliance: { Status: 'FAILED', RelatedRequirements: ['CIS 3.2.8'] },
        Workflow: { Status: 'NEW' },
        Resources: [{ Type: 'AwsEc2Instance', Id: `i-${n}` }],
        Description: 'x'.repeat(1000),
        ProductFields: {
          'eks-kubelet-audit/cluster': 'prod',
          'eks-kubelet-audit/instance': `i-${n}`,
          'eks-kubelet-audit/reason-code': 'SSM_UNMANAGED',
          'eks-kubelet-audit/evidence': 'y'.repeat(1000),
        },
      });
    sh.on(GetFindingsCommand).resolves({ Findings: [full(1), full(2)] });
    let decided = false;
    const keepWhole = new Promise<(f: { ProductFields?: Record<string, string> }) => boolean>((resolve) =>
      setTimeout(() => {
        decided = true;
        resolve((f) => f.ProductFields?.['eks-kubelet-audit/instance'] === 'i-2');
      }, 10),
    );
    // Act
    const active = await listActiveFindings(new SecurityHubClient({}), target, 'prod', keepWhole);
    // Assess
    expect(decided).toBe(true);
    expect(active.get(full(1).Id as string)).toEqual({
      Id: full(1).Id,
      CreatedAt: '2026-01-01T00:00:00.000Z',
      UpdatedAt: '2026-01-02T00:00:00.000Z',
      RecordState: 'ACTIVE',
      GeneratorId: 'eks-kubelet-audit/c',
      Compliance: { Status: 'FAILED' },
      Workflow: { Status: 'NEW' },
      ProductFields: {
        'eks-kubelet-audit/instance': 'i-1',
        'eks-kubelet-audit/reason-code': 'SSM_UNMANAGED',
      },
    });
    expect(active.get(full(2).Id as string)).toEqual(full(2));
  });

  it('hands each page over as projections while the read goes on', async () => {
    // Prepare: two pages; note how many GetFindings calls were made when each page was handed over.
    sh.on(GetFindingsCommand)
      .resolvesOnce({
        Findings: [finding(1, { Description: 'x'.repeat(500) }), finding(2)],
        NextToken: 't',
      })
      .resolvesOnce({ Findings: [finding(3)] });
    const handed: { ids: (string | undefined)[]; callsSoFar: number; description: unknown }[] = [];
    // Act
    const active = await listActiveFindings(new SecurityHubClient({}), target, 'prod', undefined, (page) =>
      handed.push({
        ids: page.map((f) => f.Id),
        callsSoFar: sh.commandCalls(GetFindingsCommand).length,
        description: (page[0] as AwsSecurityFinding | undefined)?.Description,
      }),
    );
    // Assess: the first page came before the second was asked for; the page holds projections only.
    expect(handed).toEqual([
      { ids: [finding(1).Id, finding(2).Id], callsSoFar: 1, description: undefined },
      { ids: [finding(3).Id], callsSoFar: 2, description: undefined },
    ]);
    expect(active.size).toBe(3);
  });

  it('finds archived findings with one listing call when the cluster has few', async () => {
    sh.on(GetFindingsCommand).resolves({ Findings: [finding(2, { RecordState: 'ARCHIVED' }), finding(99)] });
    const ids = Array.from({ length: 45 }, (_, i) => finding(i).Id as string);
    const found = await findArchivedFindings(new SecurityHubClient({}), target, 'prod', ids);
    expect([...found.keys()]).toEqual([finding(2).Id]);
    expect(sh).toHaveReceivedCommandTimes(GetFindingsCommand, 1);
    expect(await findArchivedFindings(new SecurityHubClient({}), target, 'prod', [])).toEqual(new Map());
    expect(sh).toHaveReceivedCommandTimes(GetFindingsCommand, 1);
  });

  it('falls back to lookups by Id (≤ 20 a filter) when the archived listing is longer than that would cost', async () => {
    // Prepare: 25 missing ids → budget of 2 listing pages; the listing has more pages.
    sh.on(GetFindingsCommand).callsFake((input) => {
      if (input.Filters.Id) {
        return {
          Findings: input.Filters.Id.filter((_: unknown, i: number) => i === 0).map(
            (f: { Value: string }) => ({ Id: f.Value }),
          ),
        };
      }
      return { Findings: [finding(1000)], NextToken: 'more' };
    });
    const ids = Array.from({ length: 25 }, (_, i) => finding(i).Id as string);
    const found = await findArchivedFindings(new SecurityHubClient({}), target, 'prod', ids);
    const byId = sh.commandCalls(GetFindingsCommand).filter((c) => c.args[0].input.Filters?.Id);
    expect(byId.map((c) => c.args[0].input.Filters?.Id?.length)).toEqual([20, 5]);
    expect(sh).toHaveReceivedCommandTimes(GetFindingsCommand, 4);
    expect(found.size).toBe(2);
  });

  it('lists findings of other clusters with NOT_EQUALS (≤ 20 values) and filters the rest locally', async () => {
    const clusters = Array.from({ length: 25 }, (_, i) => `c${i}`);
    sh.on(GetFindingsCommand).resolves({
      Findings: [
        finding(1, { ProductFields: { 'eks-kubelet-audit/cluster': 'c22' } }),
        finding(2, { ProductFields: { 'eks-kubelet-audit/cluster': 'deleted' } }),
      ],
    });
    const stale = await listFindingsOutsideClusters(new SecurityHubClient({}), target, clusters);
    expect(stale.map((f) => f.ProductFields?.['eks-kubelet-audit/cluster'])).toEqual(['deleted']);
    const filter = sh.commandCalls(GetFindingsCommand)[0]?.args[0].input.Filters?.ProductFields;
    expect(filter).toHaveLength(20);
    expect(filter?.every((f) => f.Comparison === 'NOT_EQUALS')).toBe(true);
  });

  it('turns InvalidAccessException into a clear "not enabled" error', async () => {
    sh.on(GetFindingsCommand).rejects(
      Object.assign(new Error('Account is not subscribed to AWS Security Hub'), {
        name: 'InvalidAccessException',
      }),
    );
    const promise = listActiveFindings(new SecurityHubClient({}), target, 'prod');
    await expect(promise).rejects.toBeInstanceOf(SecurityHubNotEnabledError);
    await expect(promise).rejects.toThrow(
      'Security Hub CSPM is not enabled in eu-west-1 for account 111122223333: enable it with `aws securityhub enable-security-hub --region eu-west-1`',
    );
  });
});

describe('importing', () => {
  it('batches by 100 findings and by 6 MB', () => {
    const small = Array.from({ length: 250 }, (_, i) => finding(i));
    expect(importBatches(small).map((b) => b.length)).toEqual([100, 100, 50]);
    const big = Array.from({ length: 30 }, (_, i) => finding(i, { Description: 'd'.repeat(230_000) }));
    const batches = importBatches(big);
    expect(batches.length).toBeGreaterThan(1);
    for (const b of batches) expect(Buffer.byteLength(JSON.stringify(b))).toBeLessThan(6 * 1024 * 1024);
    expect(batches.flat()).toHaveLength(30);
  });

  it('re-sends FailedFindings and succeeds when they go through', async () => {
    let calls = 0;
    sh.on(BatchImportFindingsCommand).callsFake((input) => {
      calls++;
      if (calls === 1) {
        return {
          SuccessCount: input.Findings.length - 1,
          FailedCount: 1,
          FailedFindings: [
            { Id: input.Findings[3].Id, ErrorCode: 'InternalError', ErrorMessage: 'try again' },
          ],
        };
      }
      return { SuccessCount: input.Findings.length, FailedCount: 0, FailedFindings: [] };
    });
    const findings = Array.from({ length: 10 }, (_, i) => finding(i));
    const result = await importFindings(new SecurityHubClient({}), target, findings);
    expect(result).toEqual({ succeeded: 10, failed: [], requests: 2 });
    expect(sh.commandCalls(BatchImportFindingsCommand)[1]?.args[0].input.Findings?.map((f) => f.Id)).toEqual([
      finding(3).Id,
    ]);
  });

  it('gives up after two re-sends and reports each lost finding with its error code', async () => {
    sh.on(BatchImportFindingsCommand).callsFake((input) => ({
      SuccessCount: input.Findings.length - 1,
      FailedCount: 1,
      FailedFindings: [
        {
          Id: finding(0).Id,
          ErrorCode: 'InvalidInput',
          ErrorMessage: 'data.Remediation.Recommendation.Text should NOT be longer than 512 characters',
        },
      ],
    }));
    const result = await importFindings(new SecurityHubClient({}), target, [finding(0), finding(1)]);
    expect(sh).toHaveReceivedCommandTimes(BatchImportFindingsCommand, 3);
    expect(result.succeeded).toBe(1);
    expect(result.failed).toEqual([
      {
        id: finding(0).Id,
        errorCode: 'InvalidInput',
        errorMessage: 'data.Remediation.Recommendation.Text should NOT be longer than 512 characters',
      },
    ]);
  });

  it('counts a batch whose request fails outright and goes on with the others', async () => {
    sh.on(BatchImportFindingsCommand)
      .rejectsOnce(Object.assign(new Error('boom'), { name: 'InternalException' }))
      .callsFake((input) => ({ SuccessCount: input.Findings.length, FailedCount: 0, FailedFindings: [] }));
    const findings = Array.from({ length: 150 }, (_, i) => finding(i));
    const result = await importFindings(new SecurityHubClient({}), target, findings);
    // First round: batch 1 (100) fails outright, batch 2 (50) goes through; the re-send of the 100 succeeds.
    expect(result.failed).toEqual([]);
    expect(result.succeeded).toBe(150);
    expect(sh).toHaveReceivedCommandTimes(BatchImportFindingsCommand, 3);
  });

  it('keeps a few imports in flight, never more than IMPORT_CONCURRENCY', async () => {
    // Prepare: 1,000 findings = 10 requests; each takes a while to answer.
    let inFlight = 0;
    let most = 0;
    sh.on(BatchImportFindingsCommand).callsFake(async (input) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 10));
      inFlight--;
      return { SuccessCount: input.Findings.length, FailedCount: 0, FailedFindings: [] };
    });
    const findings = Array.from({ length: 1000 }, (_, i) => finding(i));
    // Act
    const result = await importFindings(new SecurityHubClient({}), target, findings);
    // Assess
    expect(result).toEqual({ succeeded: 1000, failed: [], requests: 10 });
    expect(most).toBe(IMPORT_CONCURRENCY);
    const sent = sh.commandCalls(BatchImportFindingsCommand).flatMap((c) => c.args[0].input.Findings ?? []);
    expect(new Set(sent.map((f) => f.Id)).size).toBe(1000);
  });

  it('stops at once when Security Hub is not enabled', async () => {
    sh.on(BatchImportFindingsCommand).rejects(
      Object.assign(new Error('not subscribed'), { name: 'InvalidAccessException' }),
    );
    await expect(importFindings(new SecurityHubClient({}), target, [finding(1)])).rejects.toBeInstanceOf(
      SecurityHubNotEnabledError,
    );
    expect(sh).toHaveReceivedCommandTimes(BatchImportFindingsCommand, 1);
  });
});

describe('workflow', () => {
  it('sets RESOLVED in batches of 100 and reports unprocessed findings', async () => {
    sh.on(BatchUpdateFindingsCommand).callsFake((input) => ({
      ProcessedFindings: input.FindingIdentifiers.slice(1),
      UnprocessedFindings: [
        { FindingIdentifier: input.FindingIdentifiers[0], ErrorCode: 'FindingNotFound', ErrorMessage: 'x' },
      ],
    }));
    const ids = Array.from({ length: 150 }, (_, i) => `id-${i}`);
    const result = await resolveFindings(new SecurityHubClient({}), target, ids);
    expect(sh).toHaveReceivedCommandTimes(BatchUpdateFindingsCommand, 2);
    expect(sh).toHaveReceivedCommandWith(BatchUpdateFindingsCommand, { Workflow: { Status: 'RESOLVED' } });
    expect(result.updated).toBe(148);
    expect(result.unprocessed.map((u) => u.id)).toEqual(['id-0', 'id-100']);
  });
});
