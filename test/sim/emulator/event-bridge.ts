/**
 * Amazon EventBridge PutEvents (awsJson1_1) with rule-like subscriptions: an event whose source and
 * detail-type match a subscription is delivered, asynchronously and in the shape a Lambda target
 * receives, to the subscriber (e.g. the scanner handler), so fan-out runs end to end. Several buses,
 * each with an optional resource policy that admits only some callers (by access key id, standing
 * for the principal), and an input transformer per subscription, as the stack's internal bus has.
 */
import type { SimClock } from './clock.ts';
import { AwsError } from './protocols.ts';
import type { Service, ServiceRequest, ServiceResult } from './service.ts';

type Json = Record<string, unknown>;

export interface BridgeEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Json;
}

/** Like an event pattern: each given field must equal one of its values. */
export interface EventPattern {
  source?: string[];
  'detail-type'?: string[];
  eventBusName?: string;
}

/**
 * A rule's input transformer: what the target receives instead of the event. `ruleArn` is what
 * EventBridge's predefined <aws.events.rule-arn> variable holds.
 */
export type InputTransformer = (event: BridgeEvent, ruleArn: string) => unknown;

/**
 * The stack's internal rule's input transformer (infra/constructs/internal-channel.ts):
 * {"channel":"internal","ruleArn":"<aws.events.rule-arn>","event":<aws.events.event.json>}.
 */
export const internalRuleWrapper: InputTransformer = (event, ruleArn) => ({
  channel: 'internal',
  ruleArn,
  event,
});

/** A bus resource policy that denies PutEvents to every principal but these (Deny + aws:PrincipalArn). */
export interface BusPolicy {
  readonly allowAccessKeyIds: readonly string[];
}

export interface Delivery {
  event: BridgeEvent;
  subscription: string;
  ok: boolean;
  error?: unknown;
}

export interface EventBus {
  /** Register a target; returns an unsubscribe function. */
  subscribe<T = BridgeEvent>(
    name: string,
    pattern: EventPattern,
    target: (event: T) => unknown,
    transform?: (event: BridgeEvent, ruleArn: string) => T,
  ): () => void;
  /** Every accepted event, in order. */
  readonly published: BridgeEvent[];
  readonly deliveries: Delivery[];
  /** Resolves when no delivery is in flight (including ones started by deliveries). */
  idle(): Promise<void>;
}

const MAX_REQUEST_BYTES = 256 * 1024;

export function createEventBridge(deps: {
  clock: SimClock;
  accountId: string;
  region: string;
  buses?: string[];
  /** Resource policies by bus name; a bus without one admits every caller of the account. */
  busPolicies?: Record<string, BusPolicy>;
  /** Simulated delay before a matching target is invoked (default 0). */
  deliveryDelayMs?: number;
}): { service: Service; bus: EventBus } {
  const buses = new Set(deps.buses ?? ['default']);
  const subscriptions = new Map<
    string,
    { pattern: EventPattern; target: (event: unknown) => unknown; transform?: InputTransformer }
  >();
  const published: BridgeEvent[] = [];
  const deliveries: Delivery[] = [];
  const inFlight = new Set<Promise<void>>();

  const matches = (p: EventPattern, e: BridgeEvent, busName: string) =>
    (!p.source || p.source.includes(e.source)) &&
    (!p['detail-type'] || p['detail-type'].includes(e['detail-type'])) &&
    (p.eventBusName ?? 'default') === busName;

  const deliver = (event: BridgeEvent, busName: string) => {
    for (const [name, sub] of subscriptions) {
      if (!matches(sub.pattern, event, busName)) continue;
      const run = (async () => {
        await deps.clock.sleep(deps.deliveryDelayMs ?? 0);
        await new Promise((r) => setImmediate(r));
        try {
          const ruleArn = `arn:aws:events:${deps.region}:${deps.accountId}:rule/${
            busName === 'default' ? '' : `${busName}/`
          }${name}`;
          const copy = structuredClone(event);
          await sub.target(sub.transform ? sub.transform(copy, ruleArn) : copy);
          deliveries.push({ event, subscription: name, ok: true });
        } catch (error) {
          deliveries.push({ event, subscription: name, ok: false, error });
        }
      })();
      inFlight.add(run);
      void run.finally(() => inFlight.delete(run));
    }
  };

  const busName = (entry: Json) =>
    typeof entry.EventBusName === 'string' ? (entry.EventBusName.split('/').pop() ?? '') : 'default';
  /**
   * An explicit Deny in the bus policy refuses the whole call (IAM evaluation: a Deny in any
   * applicable policy wins, the caller's own Allow notwithstanding).
   */
  const authorize = (entries: Json[], accessKeyId: string) => {
    for (const entry of entries) {
      const policy = deps.busPolicies?.[busName(entry)];
      if (policy && !policy.allowAccessKeyIds.includes(accessKeyId)) {
        throw new AwsError(
          'AccessDeniedException',
          `User: ${accessKeyId} is not authorized to perform: events:PutEvents on resource: ` +
            `arn:aws:events:${deps.region}:${deps.accountId}:event-bus/${busName(entry)} ` +
            'with an explicit deny in a resource-based policy',
        );
      }
    }
  };

  const putEvents = (input: Json, rawBytes: number, accessKeyId: string): ServiceResult => {
    const entries = input.Entries;
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > 10) {
      throw new AwsError(
        'ValidationException',
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10`,
      );
    }
    authorize(entries as Json[], accessKeyId);
    if (rawBytes > MAX_REQUEST_BYTES)
      throw new AwsError(
        'ValidationException',
        'Total size of the entries in the request is over the limit.',
      );
    const results: Json[] = [];
    let failed = 0;
    for (const entry of entries as Json[]) {
      const fail = (ErrorCode: string, ErrorMessage: string) => {
        failed++;
        results.push({ ErrorCode, ErrorMessage });
      };
      const bus = busName(entry);
      if (typeof entry.Source !== 'string' || entry.Source === '')
        fail('InvalidArgument', 'Parameter Source is not valid. Reason: Source is a required argument.');
      else if (
        typeof entry.DetailType !== 'string' ||
        entry.DetailType === '' ||
        entry.DetailType.length > 128
      )
        fail(
          'InvalidArgument',
          'Parameter DetailType is not valid. Reason: DetailType is a required argument.',
        );
      else if (typeof entry.Detail !== 'string')
        fail('InvalidArgument', 'Parameter Detail is not valid. Reason: Detail is a required argument.');
      else if (!buses.has(bus)) fail('NotFoundException', `Event bus ${bus} does not exist.`);
      else {
        let detail: unknown;
        try {
          detail = JSON.parse(entry.Detail);
        } catch {
          detail = undefined;
        }
        if (!detail || typeof detail !== 'object' || Array.isArray(detail)) {
          fail('MalformedDetail', 'Detail is malformed.');
          continue;
        }
        const event: BridgeEvent = {
          version: '0',
          id: crypto.randomUUID(),
          'detail-type': entry.DetailType,
          source: entry.Source,
          account: deps.accountId,
          time: new Date(deps.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          region: deps.region,
          resources: (entry.Resources as string[] | undefined) ?? [],
          detail: detail as Json,
        };
        published.push(event);
        results.push({ EventId: event.id });
        deliver(event, bus);
      }
    }
    return { json: { FailedEntryCount: failed, Entries: results } };
  };

  const bus: EventBus = {
    published,
    deliveries,
    subscribe(name, pattern, target, transform) {
      // Without a transformer T is the event itself (the default type argument).
      subscriptions.set(name, {
        pattern,
        target: target as (event: unknown) => unknown,
        ...(transform ? { transform } : {}),
      });
      return () => subscriptions.delete(name);
    },
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
  const service: Service = {
    name: 'events',
    protocol: 'awsJson1_1',
    operations: new Set(['PutEvents']),
    handle: (request: ServiceRequest) =>
      putEvents(request.json, Number(request.params.bodyBytes ?? 0), request.params.accessKeyId ?? ''),
  };
  return { service, bus };
}
