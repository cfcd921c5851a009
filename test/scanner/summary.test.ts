import 'aws-sdk-client-mock-vitest/extend';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClusterScanSummary } from '../../functions/scanner/summary.ts';
import { emptyStatusCounts, putScanCompleted } from '../../functions/scanner/summary.ts';

const eb = mockClient(EventBridgeClient);
beforeEach(() => eb.reset());

function summary(cluster: string): ClusterScanSummary {
  return {
    kind: 'cluster-scan',
    scanId: 's-1',
    trigger: 'scheduled',
    cluster,
    clusterFound: true,
    startedAt: '2026-11-28T00:00:00.000Z',
    finishedAt: '2026-11-28T00:00:30.000Z',
    durationMs: 30_000,
    nodes: { inScope: 2, inCluster: 2, sentCommand: 2, byStatus: emptyStatusCounts(), notAssessedByCode: {} },
    findings: {
      byStatus: emptyStatusCounts(),
      created: 2,
      updated: 0,
      reactivated: 0,
      archived: 0,
      resolved: 0,
      imported: 2,
      failed: 0,
      failedByCode: {},
      workflowUpdateFailed: 0,
      resolvePending: 0,
      refreshed: 0,
      unchanged: 0,
      stale: 0,
      resolveRetried: 0,
    },
    notANodeIds: [],
    deadlineReached: false,
    pollRounds: 1,
    apiCalls: {},
    apiCallsTotal: 0,
  };
}

describe('putScanCompleted', () => {
  it('puts one event per cluster in one call, and names the cluster whose event EventBridge refused', async () => {
    // Prepare: EventBridge refuses the second entry every time.
    eb.on(PutEventsCommand).callsFake((input) => ({
      FailedEntryCount: 1,
      Entries: input.Entries.map((entry: { Detail?: string }, i: number) =>
        JSON.parse(entry.Detail ?? '{}').cluster === 'b'
          ? { ErrorCode: 'InternalFailure', ErrorMessage: 'try later' }
          : { EventId: `e${i}` },
      ),
    }));
    const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
    const error = vi.spyOn(logger, 'error');
    // Act
    const failed = await putScanCompleted(
      {
        events: new EventBridgeClient({}),
        eventBus: 'default',
        logger,
        metrics: new Metrics({ namespace: 'Test', serviceName: 'test' }),
        sleep: async () => {},
      },
      [summary('a'), summary('b'), summary('c')],
    );
    // Assess: the first call carried all three; only b was re-sent, and then reported.
    expect(failed).toBe(1);
    const calls = eb.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries ?? []);
    expect(calls[0]?.map((e) => JSON.parse(e.Detail ?? '{}').cluster)).toEqual(['a', 'b', 'c']);
    expect(calls.slice(1).every((entries) => entries.length === 1)).toBe(true);
    expect(error).toHaveBeenCalledWith(
      'Scan Completed event could not be put',
      expect.objectContaining({ cluster: 'b', errorCode: 'InternalFailure' }),
    );
  });
});
