import 'aws-sdk-client-mock-vitest/extend';
import {
  BatchImportFindingsCommand,
  type BatchImportFindingsCommandInput,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SecurityHubNotEnabledError } from '../../functions/aws/errors.ts';
import {
  FindingImporter,
  IMPORT_CONCURRENCY,
  IMPORT_MAX_BYTES,
  importBatches,
} from '../../functions/aws/finding-importer.ts';
import { finding, target } from './security-hub-fixtures.ts';

const sh = mockClient(SecurityHubClient);

const accepted = (input: BatchImportFindingsCommandInput) => ({
  SuccessCount: input.Findings?.length ?? 0,
  FailedCount: 0,
  FailedFindings: [],
});

/** Lets the importer's pending sends reach the mock (they start on a resolved promise chain). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

const sentIds = () =>
  sh.commandCalls(BatchImportFindingsCommand).map((c) => (c.args[0].input.Findings ?? []).map((f) => f.Id));

beforeEach(() => sh.reset());

describe('FindingImporter', () => {
  it('sends only full batches of 100 while findings come in, and the remainder at finish()', async () => {
    // Prepare
    sh.on(BatchImportFindingsCommand).callsFake(accepted);
    const importer = new FindingImporter(new SecurityHubClient({}), target);
    // Act: 250 findings, one at a time, with the event loop turning in between.
    for (let i = 0; i < 250; i++) {
      importer.add(finding(i));
      if (i % 10 === 0) await settle();
    }
    await settle();
    const beforeFinish = sentIds().map((ids) => ids.length);
    const result = await importer.finish();
    // Assess
    expect(beforeFinish).toEqual([100, 100]);
    expect(sentIds().map((ids) => ids.length)).toEqual([100, 100, 50]);
    expect(sentIds().flat()).toEqual(Array.from({ length: 250 }, (_, i) => finding(i).Id));
    expect(result).toEqual({ succeeded: 250, failed: [], requests: 3 });
  });

  it('closes a batch before 6 MB, and cuts the same batches as importing everything at once', async () => {
    // Prepare: findings of ~230 KB each, so about 27 fit in a request.
    sh.on(BatchImportFindingsCommand).callsFake(accepted);
    const big = Array.from({ length: 60 }, (_, i) => finding(i, { Description: 'd'.repeat(230_000) }));
    const importer = new FindingImporter(new SecurityHubClient({}), target);
    // Act
    for (const f of big) importer.add(f);
    await settle();
    const beforeFinish = sentIds().length;
    const result = await importer.finish();
    // Assess
    const expected = importBatches(big).map((b) => b.map((f) => f.Id));
    expect(expected.length).toBeGreaterThan(2);
    expect(beforeFinish).toBe(expected.length - 1);
    expect(sentIds()).toEqual(expected);
    for (const call of sh.commandCalls(BatchImportFindingsCommand)) {
      expect(Buffer.byteLength(JSON.stringify(call.args[0].input.Findings))).toBeLessThanOrEqual(
        IMPORT_MAX_BYTES,
      );
    }
    expect(result.requests).toBe(expected.length);
  });

  it('re-sends FailedFindings of streamed batches at finish(), up to twice, and reports what is still lost', async () => {
    // Prepare: finding 3 fails once (then goes through), finding 150 fails for good.
    const failures = new Map([
      [finding(3).Id, 1],
      [finding(150).Id, Number.POSITIVE_INFINITY],
    ]);
    sh.on(BatchImportFindingsCommand).callsFake((input: BatchImportFindingsCommandInput) => {
      const failed = (input.Findings ?? []).filter((f) => {
        const left = failures.get(f.Id) ?? 0;
        if (left > 0) failures.set(f.Id, left - 1);
        return left > 0;
      });
      return {
        SuccessCount: (input.Findings?.length ?? 0) - failed.length,
        FailedCount: failed.length,
        FailedFindings: failed.map((f) => ({
          Id: f.Id,
          ErrorCode: 'InternalFailure',
          ErrorMessage: 'retry',
        })),
      };
    });
    const importer = new FindingImporter(new SecurityHubClient({}), target);
    // Act
    for (let i = 0; i < 201; i++) importer.add(finding(i));
    await settle();
    const result = await importer.finish();
    // Assess: 3 first-round requests (ceil(201/100)), then one re-send of both, then one of the lost one.
    expect(sentIds().map((ids) => ids.length)).toEqual([100, 100, 1, 2, 1]);
    expect(sentIds()[3]?.sort()).toEqual([finding(3).Id, finding(150).Id].sort());
    expect(sentIds()[4]).toEqual([finding(150).Id]);
    expect(result.succeeded).toBe(200);
    expect(result.requests).toBe(5);
    expect(result.failed).toEqual([
      { id: finding(150).Id, errorCode: 'InternalFailure', errorMessage: 'retry' },
    ]);
  });

  it('keeps at most IMPORT_CONCURRENCY requests in flight while findings stream in', async () => {
    // Prepare: slow answers, 1,000 findings.
    let inFlight = 0;
    let most = 0;
    sh.on(BatchImportFindingsCommand).callsFake(async (input: BatchImportFindingsCommandInput) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 10));
      inFlight--;
      return accepted(input);
    });
    const importer = new FindingImporter(new SecurityHubClient({}), target);
    // Act
    for (let i = 0; i < 1000; i++) importer.add(finding(i));
    const result = await importer.finish();
    // Assess
    expect(most).toBe(IMPORT_CONCURRENCY);
    expect(result).toEqual({ succeeded: 1000, failed: [], requests: 10 });
  });

  it('stops on InvalidAccessException: nothing more is sent, finish() says Security Hub is not enabled', async () => {
    // Prepare
    sh.on(BatchImportFindingsCommand).rejects(
      Object.assign(new Error('not subscribed'), { name: 'InvalidAccessException' }),
    );
    const importer = new FindingImporter(new SecurityHubClient({}), target);
    // Act: 10 full batches queued, then more findings after the refusal.
    for (let i = 0; i < 1000; i++) importer.add(finding(i));
    await settle();
    const disabled = importer.disabled;
    for (let i = 1000; i < 1300; i++) importer.add(finding(i));
    const outcome = importer.finish();
    // Assess: only the requests already in flight went out.
    expect(disabled).toBe(true);
    await expect(outcome).rejects.toBeInstanceOf(SecurityHubNotEnabledError);
    expect(sh.commandCalls(BatchImportFindingsCommand).length).toBeLessThanOrEqual(IMPORT_CONCURRENCY);
  });

  it('counts a request that fails outright as failed findings and re-sends them', async () => {
    // Prepare
    sh.on(BatchImportFindingsCommand)
      .rejectsOnce(Object.assign(new Error('boom'), { name: 'InternalException' }))
      .callsFake(accepted);
    const importer = new FindingImporter(new SecurityHubClient({}), target);
    // Act
    for (let i = 0; i < 120; i++) importer.add(finding(i));
    const result = await importer.finish();
    // Assess
    expect(sentIds().map((ids) => ids.length)).toEqual([100, 20, 100]);
    expect(result).toEqual({ succeeded: 120, failed: [], requests: 3 });
  });

  it('abandon() sends nothing more and waits for the requests in flight', async () => {
    // Prepare
    let answered = 0;
    sh.on(BatchImportFindingsCommand).callsFake(async (input: BatchImportFindingsCommandInput) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      answered++;
      return accepted(input);
    });
    const importer = new FindingImporter(new SecurityHubClient({}), target);
    for (let i = 0; i < 950; i++) importer.add(finding(i));
    // Act
    await importer.abandon();
    // Assess
    expect(sh.commandCalls(BatchImportFindingsCommand)).toHaveLength(IMPORT_CONCURRENCY);
    expect(answered).toBe(IMPORT_CONCURRENCY);
    expect(() => importer.add(finding(2000))).toThrow(/after finish/);
  });

  it('builds a lazy finding only when its batch is sent, and holds no more built findings than the requests in flight', async () => {
    // Prepare: requests that take a while, so full batches queue behind the four in flight.
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    sh.on(BatchImportFindingsCommand).callsFake(async (input: BatchImportFindingsCommandInput) => {
      await gate;
      return accepted(input);
    });
    const importer = new FindingImporter(new SecurityHubClient({}), target);
    let built = 0;
    // Act: 1,000 findings come in while the first requests are still out.
    for (let i = 0; i < 1000; i++) {
      importer.addLazy(() => {
        built++;
        return finding(i);
      });
    }
    await settle();
    const builtWhileWaiting = built;
    release();
    const result = await importer.finish();
    // Assess: only the batches in flight were built; every finding went out once, in order.
    expect(builtWhileWaiting).toBe(IMPORT_CONCURRENCY * 100);
    expect(built).toBe(1000);
    expect(sentIds().flat()).toEqual(Array.from({ length: 1000 }, (_, i) => finding(i).Id));
    expect(result).toEqual({ succeeded: 1000, failed: [], requests: 10 });
  });

  it('sends a lazy batch that is built too large for one request as several, each under 6 MB', async () => {
    // Prepare: 60 findings of ~230 KB, known only once built.
    sh.on(BatchImportFindingsCommand).callsFake(accepted);
    const big = Array.from({ length: 60 }, (_, i) => finding(i, { Description: 'd'.repeat(230_000) }));
    const importer = new FindingImporter(new SecurityHubClient({}), target);
    // Act
    for (const f of big) importer.addLazy(() => f);
    const result = await importer.finish();
    // Assess: the same cut as importing them all at once.
    expect(sentIds()).toEqual(importBatches(big).map((b) => b.map((f) => f.Id)));
    for (const call of sh.commandCalls(BatchImportFindingsCommand)) {
      expect(Buffer.byteLength(JSON.stringify(call.args[0].input.Findings))).toBeLessThanOrEqual(
        IMPORT_MAX_BYTES,
      );
    }
    expect(result).toEqual({ succeeded: 60, failed: [], requests: importBatches(big).length });
  });

  it('reports a finding that cannot be built as not delivered and sends the rest of its batch', async () => {
    sh.on(BatchImportFindingsCommand).callsFake(accepted);
    const importer = new FindingImporter(new SecurityHubClient({}), target);
    importer.addLazy(() => finding(1));
    importer.addLazy(() => {
      throw new Error('no such control');
    });
    importer.addLazy(() => finding(3));
    const result = await importer.finish();
    expect(sentIds()).toEqual([[finding(1).Id, finding(3).Id]]);
    expect(result.succeeded).toBe(2);
    expect(result.failed).toEqual([
      { id: '', errorCode: 'FindingNotBuilt', errorMessage: 'no such control' },
    ]);
  });
});
