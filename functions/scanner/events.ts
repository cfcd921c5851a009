/**
 * The three event kinds the scanner accepts, parsed into one ScanRequest. Anything else, or any field
 * of the wrong shape, is an InvalidEventError naming the field: a typo such as `cluster` for
 * `clusters` must not silently widen an on-demand scan to the whole account.
 */
// zod/mini (tree-shakable functions): see functions/collector/evidence-schema.ts for why.
import { en } from 'zod/locales';
import * as z from 'zod/mini';
import { CLUSTER_NAME } from './config.ts';
import { ForgedInternalFieldError, InvalidEventError } from './errors.ts';

export const EVENT_SOURCE = 'eks-kubelet-audit' as const;
export const DetailType = {
  SCHEDULED: 'Scheduled Scan',
  SCAN_REQUESTED: 'Scan Requested',
  SCAN_COMPLETED: 'Scan Completed',
  /** The fan-out's work items, on the internal bus only (internal-events.ts). */
  SCAN_WORK: 'Scan Work',
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
   * Re-import every finding in scope and rebuild the state records from Security Hub. Safe for any
   * sender: it changes no verdict, and the flood guard still decides whether the scan runs.
   */
  readonly resync?: boolean;
  /**
   * What only the scanner's own fan-out may say about a work item. Set only for messages of the
   * internal channel (internal-events.ts), never from a public event's detail.
   */
  readonly work?: WorkItem;
}

/** The fan-out's part of an internal work item: how to pace and what it already knows. */
export interface WorkItem {
  /**
   * Cluster scans the fan-out started together (this one included): they share the account-wide
   * quotas, so each paces itself to 1/N of them.
   */
  readonly concurrentScans: number;
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

/**
 * The public Scan Requested detail: scope only. Nothing in it changes how a node is judged, which
 * nodes are skipped or how the scan paces itself; that travels on the internal channel only.
 */
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
  // A reconciliation: the scan re-imports its findings and rebuilds its state records. It changes no
  // verdict, so a public sender may ask for it.
  resync: z.optional(z.boolean()),
});
export type ScanRequestedDetail = z.infer<typeof scanRequestedDetailSchema>;

/** The fan-out's work item detail (internal channel only): the public scope plus the fan-out's part. */
export const workItemDetailSchema = z.strictObject({
  ...scanRequestedDetailSchema.shape,
  scanId: z.string().check(z.regex(SCAN_ID, 'letters, digits and . _ : - only, at most 128')),
  trigger: z.enum([Trigger.SCHEDULED, Trigger.ON_DEMAND, Trigger.SECURITY_HUB]),
  concurrentScans: z.int().check(z.minimum(1), z.maximum(MAX_CONCURRENT_SCANS)),
  offline: z.optional(offlineHintSchema),
});
export type WorkItemDetail = z.infer<typeof workItemDetailSchema>;

/**
 * Keys of the work item that the public detail must never carry: a sender who could set them would
 * decide which nodes count as offline (their FAILED findings turned NOT_AVAILABLE) or slow the scan.
 */
export const INTERNAL_FIELDS: readonly string[] = Object.keys(workItemDetailSchema.shape).filter(
  (k) => !(k in scanRequestedDetailSchema.shape),
);

const scheduledDetailSchema = z.strictObject({});

const envelopeSchema = z.object({
  source: z.string(),
  'detail-type': z.string(),
  detail: z.unknown(),
});

// Custom action events carry full ASFF findings (Security Hub user guide,
// https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-cwe-event-formats.html); we read only
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

export function parseWith<T>(schema: z.ZodMiniType<T>, value: unknown, prefix: string): T {
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

/** A public detail naming a work item's own field is forged: rejected before anything else is read. */
function rejectInternalFields(detail: unknown): void {
  if (!detail || typeof detail !== 'object') return;
  const forged = INTERNAL_FIELDS.filter((k) => Object.hasOwn(detail, k));
  if (forged.length > 0) throw new ForgedInternalFieldError(forged.map((k) => `detail.${k}`));
}

/** The request a scope-only detail asks for (duplicates dropped). */
export function scopeOf(trigger: Trigger, d: ScanRequestedDetail): ScanRequest {
  return {
    trigger,
    ...(d.clusters ? { clusters: [...new Set(d.clusters)] } : {}),
    ...(d.instanceIds ? { instanceIds: [...new Set(d.instanceIds)] } : {}),
    ...(d.reason !== undefined ? { reason: d.reason } : {}),
    ...(d.scanId !== undefined ? { scanId: d.scanId } : {}),
    ...(d.resync ? { resync: true } : {}),
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
    rejectInternalFields(detail);
    return scopeOf(Trigger.ON_DEMAND, parseWith(scanRequestedDetailSchema, detail ?? {}, 'detail'));
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
