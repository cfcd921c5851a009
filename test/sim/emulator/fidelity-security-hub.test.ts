/**
 * What Security Hub refuses, the emulator refuses: each modelled limit and error stated once through
 * the real SDK client, with its source, and the scanner's workflow update shown to cope.
 */
import {
  type AwsSecurityFinding,
  BatchImportFindingsCommand,
  BatchUpdateFindingsCommand,
  GetFindingsCommand,
  InvalidInputException,
  LimitExceededException,
  type MapFilterComparison,
  type SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resolveFindings } from '../../../functions/aws/security-hub.ts';
import { type Emulator, startEmulator } from './index.ts';
import { asffFinding, fakeCollectorScript, sdkClients } from './test-support.ts';

const PROCESSING_MS = 1_000;
let emulator: Emulator;
let hub: SecurityHubClient;

beforeAll(async () => {
  emulator = await startEmulator({
    rateLimits: false,
    securityHubProcessingMs: PROCESSING_MS,
    collector: { scriptPath: fakeCollectorScript() },
  });
  ({ securityHub: hub } = sdkClients(emulator.endpoint));
});
afterAll(() => emulator.stop());
beforeEach(() => {
  emulator.faults.clear();
  emulator.securityHub.store.clear();
  emulator.resetCalls();
});

const importOne = (id: string) =>
  hub.send(new BatchImportFindingsCommand({ Findings: [asffFinding(id) as unknown as AwsSecurityFinding] }));
const target = () => ({
  productArn: emulator.securityHub.productArn,
  region: emulator.fleet.region,
  accountId: emulator.fleet.accountId,
});

describe('throttling: LimitExceededException, HTTP 429', () => {
  // Source: securityhub service-2.json, LimitExceededException (httpStatusCode 429), the error every
  // operation lists for "throttling limits". The SDK retries it as throttling (429).
  it('answers a throttled call with LimitExceededException 429, which the SDK retries', async () => {
    emulator.faults.throttle('securityhub:BatchImportFindings', 1);
    const out = await importOne('t');
    expect(out.$metadata.attempts).toBe(2);
    const { securityHub: noRetry } = sdkClients(emulator.endpoint, 1);
    emulator.faults.throttle('securityhub:GetFindings', 1);
    const refused = noRetry.send(new GetFindingsCommand({}));
    await expect(refused).rejects.toBeInstanceOf(LimitExceededException);
    await expect(refused).rejects.toMatchObject({ $metadata: { httpStatusCode: 429 } });
  });
});

describe('GetFindings: comparisons of automation rules are refused', () => {
  // Source: StringFilter.Comparison / MapFilter.Comparison in the securityhub API model: CONTAINS and
  // NOT_CONTAINS are for automation rules, CONTAINS_WORD for the V2 finding APIs.
  it.each([
    'CONTAINS',
    'NOT_CONTAINS',
    'CONTAINS_WORD',
  ] as const)('refuses %s on string and map filters', async (comparison) => {
    await expect(
      hub.send(
        new GetFindingsCommand({ Filters: { Title: [{ Value: 'kubelet', Comparison: comparison }] } }),
      ),
    ).rejects.toBeInstanceOf(InvalidInputException);
    await expect(
      hub.send(
        new GetFindingsCommand({
          Filters: {
            ProductFields: [
              { Key: 'eks-kubelet-audit/cluster', Value: 'x', Comparison: comparison as MapFilterComparison },
            ],
          },
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidInputException);
  });

  it('takes EQUALS, PREFIX, NOT_EQUALS and PREFIX_NOT_EQUALS', async () => {
    await importOne('kept');
    const out = await hub.send(
      new GetFindingsCommand({
        Filters: {
          Id: [{ Value: 'kept', Comparison: 'EQUALS' }],
          GeneratorId: [{ Value: 'eks-kubelet-audit/', Comparison: 'PREFIX' }],
          Title: [
            { Value: 'nothing', Comparison: 'NOT_EQUALS' },
            { Value: 'zz', Comparison: 'PREFIX_NOT_EQUALS' },
          ],
        },
      }),
    );
    expect(out.Findings?.map((f) => f.Id)).toEqual(['kept']);
  });
});

describe('BatchUpdateFindings right after the import: ConcurrentUpdateError', () => {
  // Source: BatchUpdateFindingsUnprocessedFinding.ErrorCode: "ConcurrentUpdateError - Another request
  // attempted to update the finding while this request was being processed. This error may also occur
  // if you call BatchUpdateFindings and BatchImportFindings at the same time." How long processing
  // takes is undocumented: the emulator takes securityHubProcessingMs.
  it('leaves a finding imported less than the processing time ago unprocessed, then applies it', async () => {
    await importOne('a');
    const update = () =>
      hub.send(
        new BatchUpdateFindingsCommand({
          FindingIdentifiers: [{ Id: 'a', ProductArn: emulator.securityHub.productArn }],
          Workflow: { Status: 'RESOLVED' },
        }),
      );
    const early = await update();
    expect(early.ProcessedFindings).toEqual([]);
    expect(early.UnprocessedFindings).toEqual([
      {
        FindingIdentifier: { Id: 'a', ProductArn: emulator.securityHub.productArn },
        ErrorCode: 'ConcurrentUpdateError',
        ErrorMessage: 'Concurrent finding updates detected',
      },
    ]);
    emulator.clock.advance(PROCESSING_MS);
    expect((await update()).ProcessedFindings).toHaveLength(1);
  });

  it('the scanner asks again after a pause, and reports what still did not land', async () => {
    await importOne('b');
    await importOne('c');
    // Without pauses: nothing lands, both are reported (the scan leaves them pending on the finding).
    const none = await resolveFindings(hub, target(), ['b', 'c'], { retryDelaysMs: [] });
    expect(none.updated).toBe(0);
    expect(none.unprocessed.map((u) => u.errorCode)).toEqual([
      'ConcurrentUpdateError',
      'ConcurrentUpdateError',
    ]);
    // With its pauses (on the emulator's clock here), the second attempt lands.
    const slept: number[] = [];
    const done = await resolveFindings(hub, target(), ['b', 'c'], {
      sleep: async (ms) => {
        slept.push(ms);
        emulator.clock.advance(ms);
      },
    });
    expect(done).toEqual({ updated: 2, unprocessed: [] });
    expect(slept.length).toBeGreaterThanOrEqual(1);
    const stored = emulator.securityHub.store.get(emulator.securityHub.productArn, 'b');
    expect(stored?.Workflow).toEqual({ Status: 'RESOLVED' });
  });
});
