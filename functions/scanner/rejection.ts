/**
 * A malformed or forged event: logged with the field at fault, counted, and answered with a summary
 * instead of an error, because Lambda's asynchronous retry of the same event cannot succeed.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { ForgedInternalFieldError, type InvalidEventError } from './errors.ts';

export interface RejectedSummary {
  readonly kind: 'rejected';
  /** The field at fault, e.g. "detail.offline" or "detail.clusters[0]". */
  readonly field: string;
  readonly message: string;
  /** Internal fields a public event tried to set (empty for an event that is only malformed). */
  readonly forgedFields: readonly string[];
}

export function rejected(
  error: InvalidEventError,
  deps: { logger: Logger; metrics: Metrics },
): RejectedSummary {
  const forgedFields = error instanceof ForgedInternalFieldError ? error.fields : [];
  if (forgedFields.length > 0) {
    deps.logger.warn('Event rejected: internal fields on the public bus', {
      field: error.field,
      forgedFields,
      error: error.message,
    });
    deps.metrics.addMetric('ForgedInternalFields', MetricUnit.Count, 1);
  } else {
    deps.logger.warn('Event rejected: malformed', { field: error.field, error: error.message });
  }
  deps.metrics.addMetric('RejectedEvents', MetricUnit.Count, 1);
  deps.metrics.publishStoredMetrics();
  return { kind: 'rejected', field: error.field, message: error.message, forgedFields };
}
