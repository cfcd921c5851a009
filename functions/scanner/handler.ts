/**
 * Lambda entry point: wiring only. Configuration, clients, logger and metrics are built once per
 * container (cold start); each invocation runs the scanner.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { createClients } from '../aws/clients.ts';
import { readConfig } from './config.ts';
import { createScanner } from './scanner.ts';
import type { ScanSummary } from './summary.ts';

const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'eks-kubelet-audit' });
const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'EksKubeletAudit',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'eks-kubelet-audit',
});
const scanner = createScanner({ clients: createClients(), config: readConfig(), logger, metrics });

export async function handler(event: unknown, context: Context): Promise<ScanSummary> {
  logger.addContext(context);
  try {
    return await scanner.scan(event, context);
  } catch (error) {
    logger.error('Scan failed', error as Error);
    throw error;
  }
}
