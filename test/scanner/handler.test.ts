import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const saved = { ...process.env };
beforeAll(() => {
  process.env.KUBELET_AUDIT_DOCUMENT_NAME = 'eks-kubelet-audit-collector';
  process.env.AWS_REGION = 'eu-west-1';
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
});
afterAll(() => {
  process.env = saved;
});

describe('handler', () => {
  it('wires config, clients and scanner at cold start and rejects a bad event before any AWS call, without throwing', async () => {
    // Prepare: importing the module reads the configuration and creates the clients.
    const { handler } = await import('../../functions/scanner/handler.ts');
    const context = {
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:scanner',
      getRemainingTimeInMillis: () => 900_000,
      functionName: 'scanner',
      awsRequestId: 'r-1',
    } as unknown as Parameters<typeof handler>[1];
    // Act
    const malformed = await handler(
      { source: 'eks-kubelet-audit', 'detail-type': 'Scan Requested', detail: { clusters: 'x' } },
      context,
    );
    const forged = await handler(
      { source: 'eks-kubelet-audit', 'detail-type': 'Scan Requested', detail: { concurrentScans: 1000 } },
      context,
    );
    // Assess: answered (so Lambda's async retry does not run the same event again), field named.
    expect(malformed).toMatchObject({ kind: 'rejected', field: 'detail.clusters', forgedFields: [] });
    expect(malformed).toHaveProperty(
      'message',
      expect.stringContaining('Invalid scan event: detail.clusters'),
    );
    expect(forged).toMatchObject({ kind: 'rejected', forgedFields: ['detail.concurrentScans'] });
  });
});
