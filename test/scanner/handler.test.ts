import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidEventError } from '../../functions/scanner/errors.ts';

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
  it('wires config, clients and scanner at cold start and rejects a bad event before any AWS call', async () => {
    // Prepare: importing the module reads the configuration and creates the clients.
    const { handler } = await import('../../functions/scanner/handler.ts');
    const context = {
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:scanner',
      getRemainingTimeInMillis: () => 900_000,
      functionName: 'scanner',
      awsRequestId: 'r-1',
    } as unknown as Parameters<typeof handler>[1];
    // Act
    const result = handler(
      { source: 'eks-kubelet-audit', 'detail-type': 'Scan Requested', detail: { clusters: 'x' } },
      context,
    );
    // Assess
    await expect(result).rejects.toBeInstanceOf(InvalidEventError);
    await expect(result).rejects.toThrow('Invalid scan event: detail.clusters');
  });
});
