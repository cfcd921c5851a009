/**
 * The three event kinds the scanner accepts, parsed into one ScanRequest. Anything else, or any field
 * of the wrong shape, is an InvalidEventError naming the field: a typo such as `cluster` for
 * `clusters` must not silently widen an on-demand scan to the whole account.
 */
// zod/mini (tree-shakable functions): see functions/collector/evidence-schema.ts for why.
import { en } from 'zod/locales';
import * as z from 'zod/mini';
import { CLUSTER_NAME } from './config.ts';
import { InvalidEventError } from './errors.ts';

export const EVENT_SOURCE = 'eks-kubelet-audit' as const;
export const DetailType = {
  SCHEDULED: 'Scheduled Scan',
  SCAN_REQUESTED: 'Scan Requested',
  SCAN_COMPLETED: 'Scan Completed',
  SECURITY_HUB_CUSTOM_ACTION: 'Security Hub Findings - Custom Action',
} as const;

export const Trigger = {
  SCHEDULED: 'scheduled',
  ON_DEMAND: 'on-demand',
  SECURITY_HUB: 'security-hub',
} as const;
export type Trigger = (typeof Trigger)[keyof typeof Trigger];

export interface ScanRequest {
  readonly trigger: Trigger;
  /** Clusters to scan; absent = every cluster (or the configured allow-list). */
  readonly clusters?: readonly string[];
  /** Instances to scan; absent = every node of the clusters in scope. */
  readonly instanceIds?: readonly string[];
  readonly reason?: string;
  readonly scanId?: string;
  /**
   * Cluster scans the fan-out started together (this one included): they share the account-wide
   * quotas, so each paces itself to 1/N of them. Absent = 1.
   */
  readonly concurrentScans?: number;
  /** The account's offline managed instances as the fan-out listed them; absent = the scan lists them. */
  readonly offline?: OfflineHint;
}

// EC2 instance ids: i- followed by 8 or 17 hex characters.
const INSTANCE_ID = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
/** Upper bound of Scan Requested `concurrentScans` (more scans than that still pace to 1/1000). */
export const MAX_CONCURRENT_SCANS = 1000;
const SCAN_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
/**
 * Most offline instances one Scan Requested event carries: an entry is ≤ 38 bytes, so the hint stays
 * under 19 KB and a PutEvents call of 10 such events far below its 256 KB (fan-out.ts).
 */
export const MAX_OFFLINE_HINT_INSTANCES = 500;

// Mini has no messages of its own; the English locale words the ones we do not write (global).
z.config(en());

const clusterName = z.string().check(z.regex(CLUSTER_NAME, 'not an EKS cluster name'));
const instanceId = z.string().check(z.regex(INSTANCE_ID, 'not an EC2 instance id (i-xxxxxxxx)'));

// [instance id, last ping in epoch milliseconds or null]: the reason a scan reports names the time.
const offlineEntry = z.tuple([instanceId, z.nullable(z.int().check(z.nonnegative()))]);
const offlineEntries = z.optional(z.array(offlineEntry).check(z.maxLength(MAX_OFFLINE_HINT_INSTANCES)));
// The PingStatus values the offline listing asks for (discovery.ts describeOfflineInstances).
const byPingStatusSchema = z.strictObject({ ConnectionLost: offlineEntries, Inactive: offlineEntries });

/**
 * The fan-out's listing of the account's offline instances, so each cluster scan need not page the
 * same account-wide listing again. An empty byPingStatus means none was offline.
 */
export const offlineHintSchema = z
  .strictObject({
    listedAt: z.iso.datetime({ message: 'not an ISO 8601 UTC time (toISOString)' }),
    byPingStatus: byPingStatusSchema,
  })
  .check(
    z.refine(
      (h) =>
        (h.byPingStatus.ConnectionLost?.length ?? 0) + (h.byPingStatus.Inactive?.length ?? 0) <=
        MAX_OFFLINE_HINT_INSTANCES,
      `at most ${MAX_OFFLINE_HINT_INSTANCES} instances in all`,
    ),
  );
export type OfflineHint = z.infer<typeof offlineHintSchema>;

export const scanRequestedDetailSchema = z.strictObject({
  clusters: z.optional(
    z
      .array(clusterName)
      .check(z.minLength(1, 'must not be empty (omit it to scan every cluster)'), z.maxLength(1000)),
  ),
  instanceIds: z.optional(
    z
      .array(instanceId)
      .check(z.minLength(1, 'must not be empty (omit it to scan every node)'), z.maxLength(10_000)),
  ),
  reason: z.optional(z.string().check(z.maxLength(256))),
  scanId: z.optional(z.string().check(z.regex(SCAN_ID, 'letters, digits and . _ : - only, at most 128'))),
  concurrentScans: z.optional(z.int().check(z.minimum(1), z.maximum(MAX_CONCURRENT_SCANS))),
  offline: z.optional(offlineHintSchema),
});
export type ScanRequestedDetail = z.infer<typeof scanRequestedDetailSchema>;

const scheduledDetailSchema = z.strictObject({});

const envelopeSchema = z.object({
  source: z.string(),
  'detail-type': z.string(),
  detail: z.unknown(),
});

// Custom action events carry full ASFF findings (sh-ug securityhub-cwe-event-formats); we read only
// the resources and our own cluster product field.
const customActionDetailSchema = z.object({
  actionName: z.optional(z.string()),
  findings: z
    .array(
      z.object({
        Resources: z
          .array(
            z.object({
              Type: z.string(),
              Id: z.string(),
              Details: z.optional(
                z.object({ AwsEksCluster: z.optional(z.object({ Name: z.optional(z.string()) })) }),
              ),
            }),
          )
          .check(z.minLength(1)),
        ProductFields: z.optional(z.record(z.string(), z.string())),
      }),
    )
    .check(z.minLength(1, 'must hold at least one finding')),
});

function fieldPath(prefix: string, path: readonly PropertyKey[]): string {
  return [prefix, ...path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))]
    .join('.')
    .replace(/\.\[/g, '[');
}

// The fields an unknown key is told about, by where it sits.
const ACCEPTED_KEYS: Record<string, string> = {
  '': Object.keys(scanRequestedDetailSchema.shape).join(', '),
  offline: Object.keys(offlineHintSchema.shape).join(', '),
  'offline.byPingStatus': Object.keys(byPingStatusSchema.shape).join(', '),
};

function parseWith<T>(schema: z.ZodMiniType<T>, value: unknown, prefix: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw new InvalidEventError(prefix, 'invalid');
  if (issue.code === 'unrecognized_keys') {
    throw new InvalidEventError(
      fieldPath(prefix, [...issue.path, issue.keys[0] ?? '']),
      `unknown field (accepted: ${ACCEPTED_KEYS[issue.path.join('.')] ?? ACCEPTED_KEYS['']})`,
    );
  }
  throw new InvalidEventError(fieldPath(prefix, issue.path), issue.message, { cause: result.error });
}

function instanceIdFromArn(id: string): string | undefined {
  // arn:<partition>:ec2:<region>:<account>:instance/i-…, or a bare id.
  const match = /(?:^|:instance\/)(i-[0-9a-f]{8}(?:[0-9a-f]{9})?)$/.exec(id);
  return match?.[1];
}

function clusterFromArn(id: string): string | undefined {
  return /:cluster\/([^/]+)$/.exec(id)?.[1];
}

function fromCustomAction(detail: unknown): ScanRequest {
  const parsed = parseWith(customActionDetailSchema, detail, 'detail');
  const instanceIds = new Set<string>();
  const clusters = new Set<string>();
  parsed.findings.forEach((finding) => {
    for (const resource of finding.Resources) {
      if (resource.Type === 'AwsEc2Instance') {
        const id = instanceIdFromArn(resource.Id);
        if (id) instanceIds.add(id);
      } else if (resource.Type === 'AwsEksCluster') {
        const name = resource.Details?.AwsEksCluster?.Name ?? clusterFromArn(resource.Id);
        if (name && CLUSTER_NAME.test(name)) clusters.add(name);
      }
    }
    const fromField = finding.ProductFields?.['eks-kubelet-audit/cluster'];
    if (fromField && CLUSTER_NAME.test(fromField)) clusters.add(fromField);
  });
  if (instanceIds.size === 0) {
    throw new InvalidEventError(
      'detail.findings[].Resources',
      'no AwsEc2Instance resource in the selected findings: nothing to rescan',
    );
  }
  return {
    trigger: Trigger.SECURITY_HUB,
    instanceIds: [...instanceIds],
    ...(clusters.size > 0 ? { clusters: [...clusters] } : {}),
    reason: `Security Hub custom action${parsed.actionName ? ` "${parsed.actionName}"` : ''}`,
  };
}

/** Parses an invocation event; throws InvalidEventError (never returns a partial request). */
export function parseScanEvent(event: unknown): ScanRequest {
  const envelope = parseWith(envelopeSchema, event, 'event');
  const { source, 'detail-type': detailType, detail } = envelope;
  if (source === EVENT_SOURCE && detailType === DetailType.SCHEDULED) {
    parseWith(scheduledDetailSchema, detail ?? {}, 'detail');
    return { trigger: Trigger.SCHEDULED, reason: 'scheduled' };
  }
  if (source === EVENT_SOURCE && detailType === DetailType.SCAN_REQUESTED) {
    const d = parseWith(scanRequestedDetailSchema, detail ?? {}, 'detail');
    return {
      trigger: Trigger.ON_DEMAND,
      ...(d.clusters ? { clusters: [...new Set(d.clusters)] } : {}),
      ...(d.instanceIds ? { instanceIds: [...new Set(d.instanceIds)] } : {}),
      ...(d.reason !== undefined ? { reason: d.reason } : {}),
      ...(d.scanId !== undefined ? { scanId: d.scanId } : {}),
      ...(d.concurrentScans !== undefined ? { concurrentScans: d.concurrentScans } : {}),
      ...(d.offline ? { offline: d.offline } : {}),
    };
  }
  if (source === 'aws.securityhub' && detailType === DetailType.SECURITY_HUB_CUSTOM_ACTION) {
    return fromCustomAction(detail);
  }
  if (source !== EVENT_SOURCE && source !== 'aws.securityhub') {
    throw new InvalidEventError('source', `"${source}" is not "${EVENT_SOURCE}" or "aws.securityhub"`);
  }
  throw new InvalidEventError(
    'detail-type',
    `"${detailType}" is not one of "${DetailType.SCHEDULED}", "${DetailType.SCAN_REQUESTED}", ` +
      `"${DetailType.SECURITY_HUB_CUSTOM_ACTION}"`,
  );
}
