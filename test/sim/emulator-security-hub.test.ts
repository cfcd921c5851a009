import {
  type AwsSecurityFinding,
  BatchImportFindingsCommand,
  BatchUpdateFindingsCommand,
  GetFindingsCommand,
  InvalidAccessException,
  InvalidInputException,
  paginateGetFindings,
  type SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from './emulator/index.ts';
import { asffFinding, fakeCollectorScript, sdkClients } from './emulator/test-support.ts';

let emulator: Emulator;
let hub: SecurityHubClient;
const scriptPath = fakeCollectorScript();

beforeEach(async () => {
  emulator = await startEmulator({ rateLimits: false, collector: { scriptPath } });
  ({ securityHub: hub } = sdkClients(emulator.endpoint));
  return () => emulator.stop();
});

const importFindings = (findings: Record<string, unknown>[]) =>
  hub.send(new BatchImportFindingsCommand({ Findings: findings as unknown as AwsSecurityFinding[] }));
const stored = (id: string) => emulator.securityHub.store.get(emulator.securityHub.productArn, id);

describe('BatchImportFindings', () => {
  it('stores valid findings with Security Hub defaults (ACTIVE, Workflow NEW, severity from FindingProviderFields)', async () => {
    const out = await importFindings([asffFinding('a'), asffFinding('b')]);

    expect(out).toMatchObject({ SuccessCount: 2, FailedCount: 0, FailedFindings: [] });
    expect(stored('a')).toMatchObject({
      RecordState: 'ACTIVE',
      Workflow: { Status: 'NEW' },
      Severity: { Label: 'INFORMATIONAL' },
      ProductFields: { 'aws/securityhub/ProductName': 'Default', 'eks-kubelet-audit/cluster': 'prod-eu' },
    });
  });

  it('rejects more than 100 findings for the whole call with InvalidInputException', async () => {
    const findings = Array.from({ length: 101 }, (_, i) => asffFinding(`f-${i}`));

    await expect(importFindings(findings)).rejects.toBeInstanceOf(InvalidInputException);
    expect(emulator.securityHub.store.size()).toBe(0);
  });

  it('fails invalid findings individually in FailedFindings (HTTP 200) with ASFF messages', async () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['title', { Title: 't'.repeat(257) }, /data\.Title should NOT be longer than 256 characters/],
      ['description', { Description: 'd'.repeat(1025) }, /Description should NOT be longer than 1024/],
      [
        'remediation',
        { Remediation: { Recommendation: { Text: 'r'.repeat(513) } } },
        /Recommendation\.Text should NOT be longer than 512/,
      ],
      ['no-severity', { FindingProviderFields: {} }, /required property 'Severity'/],
      ['bad-date', { UpdatedAt: '2026-11-01 00:00:00' }, /UpdatedAt should match format "date-time"/],
      ['no-resources', { Resources: [] }, /Resources should NOT have fewer than 1 items/],
      ['reserved-key', { ProductFields: { 'aws/securityhub/x': 'y' } }, /reserved prefix aws\//],
      ['long-value', { ProductFields: { k: 'v'.repeat(2049) } }, /should NOT be longer than 2048/],
      [
        'many-fields',
        { ProductFields: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) },
        /more than 50 properties/,
      ],
      [
        'compliance',
        { Compliance: { Status: 'OK' } },
        /Compliance\.Status should be equal to one of the allowed values/,
      ],
      [
        'requirements',
        { Compliance: { Status: 'FAILED', RelatedRequirements: Array.from({ length: 33 }, () => 'r') } },
        /RelatedRequirements should NOT have more than 32/,
      ],
      ['schema', { SchemaVersion: '2020-01-01' }, /SchemaVersion/],
      ['long-id'.padEnd(513, 'x'), {}, /data\.Id should NOT be longer than 512/],
    ];

    const out = await importFindings([asffFinding('good'), ...cases.map(([id, o]) => asffFinding(id, o))]);

    expect(out.SuccessCount).toBe(1);
    expect(out.FailedCount).toBe(cases.length);
    for (const [i, [id, , message]] of cases.entries()) {
      expect(out.FailedFindings?.[i]).toMatchObject({
        Id: id,
        ErrorCode: 'InvalidInput',
        ErrorMessage: expect.stringMatching(message),
      });
    }
    const missing = { ...asffFinding('no-title') };
    delete missing.Title;
    const second = await importFindings([missing]);
    expect(second.FailedFindings?.[0]?.ErrorMessage).toMatch(/should have required property 'Title'/);
  });

  it('refuses a finding for another account with AccessDeniedException', async () => {
    await expect(importFindings([asffFinding('x', { AwsAccountId: '999999999999' })])).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
  });

  it('ignores an update whose UpdatedAt is not newer (still a success) and applies a newer one', async () => {
    await importFindings([asffFinding('a', { Title: 'first' })]);

    const same = await importFindings([asffFinding('a', { Title: 'same time' })]);
    const older = await importFindings([
      asffFinding('a', { Title: 'older', UpdatedAt: '2026-10-01T00:00:00Z' }),
    ]);
    const afterIgnored = stored('a')?.Title;
    await importFindings([asffFinding('a', { Title: 'newer', UpdatedAt: '2026-11-02T00:00:00Z' })]);

    expect(same.SuccessCount).toBe(1);
    expect(older.SuccessCount).toBe(1);
    expect(afterIgnored).toBe('first');
    expect(stored('a')?.Title).toBe('newer');
    expect(emulator.securityHub.store.outcomes).toEqual({ created: 1, updated: 1, ignored: 2 });
  });

  it('keeps Workflow from creation: an import cannot change it later', async () => {
    await importFindings([asffFinding('a', { Workflow: { Status: 'RESOLVED' } })]);
    await importFindings([
      asffFinding('a', { Workflow: { Status: 'NEW' }, UpdatedAt: '2026-11-02T00:00:00Z' }),
    ]);

    expect(stored('a')?.Workflow).toEqual({ Status: 'RESOLVED' });
  });

  it('resets RESOLVED to NEW when Compliance goes PASSED → FAILED, and NOTIFIED to NEW on ARCHIVED → ACTIVE', async () => {
    await importFindings([asffFinding('c'), asffFinding('r', { RecordState: 'ARCHIVED' })]);
    // Past Security Hub's processing of the import (else ConcurrentUpdateError, fidelity-security-hub).
    emulator.clock.advance(1_000);
    await hub.send(
      new BatchUpdateFindingsCommand({
        FindingIdentifiers: [{ Id: 'c', ProductArn: emulator.securityHub.productArn }],
        Workflow: { Status: 'RESOLVED' },
      }),
    );
    await hub.send(
      new BatchUpdateFindingsCommand({
        FindingIdentifiers: [{ Id: 'r', ProductArn: emulator.securityHub.productArn }],
        Workflow: { Status: 'NOTIFIED' },
      }),
    );
    const resolved = stored('c')?.Workflow;

    await importFindings([
      asffFinding('c', { Compliance: { Status: 'FAILED' }, UpdatedAt: '2026-11-02T00:00:00Z' }),
      asffFinding('r', { RecordState: 'ACTIVE', UpdatedAt: '2026-11-02T00:00:00Z' }),
    ]);

    expect(resolved).toEqual({ Status: 'RESOLVED' });
    expect(stored('c')?.Workflow).toEqual({ Status: 'NEW' });
    expect(stored('r')?.Workflow).toEqual({ Status: 'NEW' });
  });

  it('reports injected FailedFindings for chosen ids, then accepts them on retry', async () => {
    emulator.faults.failFindings(['b'], { times: 1 });

    const first = await importFindings([asffFinding('a'), asffFinding('b')]);
    const retry = await importFindings([asffFinding('b')]);

    expect(first.FailedFindings).toEqual([
      { Id: 'b', ErrorCode: 'InternalFailure', ErrorMessage: expect.any(String) },
    ]);
    expect(retry.SuccessCount).toBe(1);
  });

  it('answers every call with InvalidAccessException (401) when Security Hub is not enabled', async () => {
    emulator.faults.disableSecurityHub();

    await expect(importFindings([asffFinding('a')])).rejects.toBeInstanceOf(InvalidAccessException);
    await expect(hub.send(new GetFindingsCommand({}))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 401 },
    });
  });

  it('throttles with a 429 LimitExceededException that the SDK retries', async () => {
    emulator.faults.throttle('securityhub:BatchImportFindings', 1);

    const out = await importFindings([asffFinding('a')]);

    expect(out.$metadata.attempts).toBe(2);
    expect(emulator.calls['securityhub:BatchImportFindings']).toBe(2);
  });

  it('applies the published BatchImportFindings rate (10/s, burst 30) by default', async () => {
    const limited = await startEmulator({ collector: { scriptPath } });
    try {
      const { securityHub: client } = sdkClients(limited.endpoint, 1);
      const results = await Promise.allSettled(
        Array.from({ length: 35 }, (_, i) =>
          client.send(
            new BatchImportFindingsCommand({
              Findings: [asffFinding(`t${i}`) as unknown as AwsSecurityFinding],
            }),
          ),
        ),
      );

      const rejected = results.filter((r) => r.status === 'rejected');
      expect(rejected.length).toBeGreaterThanOrEqual(4);
      expect(rejected.length).toBeLessThanOrEqual(5);
      expect((rejected[0] as PromiseRejectedResult).reason).toMatchObject({
        name: 'LimitExceededException',
        $metadata: { httpStatusCode: 429 },
      });
    } finally {
      await limited.stop();
    }
  });
});

describe('GetFindings', () => {
  beforeEach(async () => {
    const findings = Array.from({ length: 30 }, (_, i) =>
      asffFinding(`n-${String(i).padStart(2, '0')}`, {
        Compliance: { Status: i % 3 === 0 ? 'FAILED' : 'PASSED' },
        RecordState: i >= 25 ? 'ARCHIVED' : 'ACTIVE',
        ProductFields: { 'eks-kubelet-audit/cluster': i % 2 === 0 ? 'prod-eu' : 'legacy-al2' },
        Resources: [
          {
            Type: 'AwsEc2Instance',
            Id: `arn:aws:ec2:eu-west-1:123456789012:instance/i-${String(i).padStart(17, '0')}`,
          },
        ],
      }),
    );
    await importFindings(findings);
  });

  const ids = async (Filters: Record<string, unknown>) => {
    const out: string[] = [];
    for await (const page of paginateGetFindings({ client: hub, pageSize: 7 }, { Filters })) {
      for (const f of page.Findings ?? []) out.push(f.Id!);
    }
    return out;
  };

  it('pages with MaxResults and NextToken', async () => {
    const all = await ids({});

    expect(all).toHaveLength(30);
    expect(new Set(all).size).toBe(30);
    expect(emulator.calls['securityhub:GetFindings']).toBe(5);
  });

  it('orders by least recently updated by default, or as SortCriteria ask; offsets shift when findings change', async () => {
    // Prepare: n-05 is updated after the others were created.
    const n05 = asffFinding('n-05', {
      UpdatedAt: new Date(Date.parse('2030-01-01T00:00:00.000Z')).toISOString(),
      ProductFields: { 'eks-kubelet-audit/cluster': 'legacy-al2' },
    });
    await importFindings([n05]);
    const first = async (SortCriteria?: { Field: string; SortOrder: 'asc' | 'desc' }[]) =>
      (
        await hub.send(new GetFindingsCommand({ MaxResults: 30, ...(SortCriteria ? { SortCriteria } : {}) }))
      ).Findings?.map((f) => f.Id) ?? [];
    // Act
    const byDefault = await first();
    const byCreation = await first([{ Field: 'CreatedAt', SortOrder: 'asc' }]);
    const unsupported = hub.send(
      new GetFindingsCommand({ SortCriteria: [{ Field: 'Title', SortOrder: 'asc' }] }),
    );
    // Assess
    expect(byDefault.at(-1)).toBe('n-05');
    expect(byCreation.indexOf('n-05')).toBe(5);
    await expect(unsupported).rejects.toMatchObject({ name: 'InvalidInputException' });
  });

  it('ANDs attributes and ORs positive values of one attribute', async () => {
    const failedActive = await ids({
      ComplianceStatus: [{ Value: 'FAILED', Comparison: 'EQUALS' }],
      RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }],
    });
    const either = await ids({
      Id: [
        { Value: 'n-01', Comparison: 'EQUALS' },
        { Value: 'n-02', Comparison: 'EQUALS' },
      ],
    });

    expect(failedActive).toEqual(['n-00', 'n-03', 'n-06', 'n-09', 'n-12', 'n-15', 'n-18', 'n-21', 'n-24']);
    expect(either).toEqual(['n-01', 'n-02']);
  });

  it('ANDs negative comparisons and applies them after PREFIX', async () => {
    const out = await ids({
      Id: [
        { Value: 'n-2', Comparison: 'PREFIX' },
        { Value: 'n-21', Comparison: 'NOT_EQUALS' },
        { Value: 'n-22', Comparison: 'NOT_EQUALS' },
      ],
      ResourceId: [
        {
          Value: 'arn:aws:ec2:eu-west-1:123456789012:instance/i-00000000000000023',
          Comparison: 'PREFIX_NOT_EQUALS',
        },
      ],
    });

    expect(out).toEqual(['n-20', 'n-24', 'n-25', 'n-26', 'n-27', 'n-28', 'n-29']);
  });

  it('filters on ProductFields map entries, GeneratorId, ProductArn, ResourceType and WorkflowStatus', async () => {
    const out = await ids({
      ProductFields: [{ Key: 'eks-kubelet-audit/cluster', Value: 'prod-eu', Comparison: 'EQUALS' }],
      GeneratorId: [{ Value: 'eks-kubelet-audit/', Comparison: 'PREFIX' }],
      ProductArn: [{ Value: emulator.securityHub.productArn, Comparison: 'EQUALS' }],
      ResourceType: [{ Value: 'AwsEc2Instance', Comparison: 'EQUALS' }],
      WorkflowStatus: [{ Value: 'NEW', Comparison: 'EQUALS' }],
      RecordState: [{ Value: 'ARCHIVED', Comparison: 'NOT_EQUALS' }],
    });

    expect(out).toEqual([
      'n-00',
      'n-02',
      'n-04',
      'n-06',
      'n-08',
      'n-10',
      'n-12',
      'n-14',
      'n-16',
      'n-18',
      'n-20',
      'n-22',
      'n-24',
    ]);
  });

  it('rejects EQUALS with NOT_EQUALS on one attribute, more than 10 attributes, and MaxResults above 100', async () => {
    await expect(
      hub.send(
        new GetFindingsCommand({
          Filters: {
            Id: [
              { Value: 'a', Comparison: 'EQUALS' },
              { Value: 'b', Comparison: 'NOT_EQUALS' },
            ],
          },
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidInputException);
    const eleven = Object.fromEntries(
      [
        'Id',
        'ProductArn',
        'GeneratorId',
        'AwsAccountId',
        'Title',
        'Description',
        'RecordState',
        'ComplianceStatus',
        'WorkflowStatus',
        'SeverityLabel',
        'ResourceId',
      ].map((k) => [k, [{ Value: 'x', Comparison: 'EQUALS' }]]),
    );
    await expect(hub.send(new GetFindingsCommand({ Filters: eleven }))).rejects.toBeInstanceOf(
      InvalidInputException,
    );
    await expect(hub.send(new GetFindingsCommand({ MaxResults: 101 }))).rejects.toBeInstanceOf(
      InvalidInputException,
    );
  });
});

describe('BatchUpdateFindings', () => {
  it('updates workflow of known findings and reports unknown ones as unprocessed', async () => {
    await importFindings([asffFinding('a')]);
    emulator.clock.advance(1_000);

    const out = await hub.send(
      new BatchUpdateFindingsCommand({
        FindingIdentifiers: [
          { Id: 'a', ProductArn: emulator.securityHub.productArn },
          { Id: 'zz', ProductArn: emulator.securityHub.productArn },
        ],
        Workflow: { Status: 'SUPPRESSED' },
      }),
    );

    expect(out.ProcessedFindings).toEqual([{ Id: 'a', ProductArn: emulator.securityHub.productArn }]);
    expect(out.UnprocessedFindings?.[0]).toMatchObject({
      FindingIdentifier: { Id: 'zz' },
      ErrorCode: 'FindingNotFound',
    });
    expect(stored('a')?.Workflow).toEqual({ Status: 'SUPPRESSED' });
  });
});
