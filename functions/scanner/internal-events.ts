/**
 * The two channels an invocation can come from. The public one is the default bus (and the
 * Scheduler, and Security Hub): raw EventBridge envelopes, scope only (events.ts). The internal one
 * is the stack's own bus, which only the scanner's role may put events on: its rule wraps each event
 * as `{ channel: "internal", ruleArn, event }` with an input transformer. A raw envelope never has a
 * top-level `channel` (EventBridge writes the envelope's keys itself), so the wrapper tells where a
 * message came from, not a field a sender could set.
 */
import * as z from 'zod/mini';
import { InvalidEventError } from './errors.ts';
import {
  DetailType,
  EVENT_SOURCE,
  parseScanEvent,
  parseWith,
  type ScanRequest,
  scopeOf,
  workItemDetailSchema,
} from './events.ts';

export const INTERNAL_CHANNEL = 'internal' as const;

const wrapperSchema = z.strictObject({
  channel: z.literal(INTERNAL_CHANNEL),
  ruleArn: z.string(),
  event: z.object({
    source: z.literal(EVENT_SOURCE),
    'detail-type': z.literal(DetailType.SCAN_WORK),
    detail: z.unknown(),
  }),
});

/** `arn:<partition>:events:<region>:<account>:rule/<bus>/<rule>`: the bus a custom-bus rule belongs to. */
function busOfRule(ruleArn: string): string | undefined {
  return /:rule\/([^/]+)\/[^/]+$/.exec(ruleArn)?.[1];
}

/** Where an invocation came from, and what it asks for. */
export interface Invocation {
  readonly channel: 'public' | typeof INTERNAL_CHANNEL;
  readonly request: ScanRequest;
}

/**
 * Parses an invocation. `internalBus` is the internal bus's name (KUBELET_AUDIT_INTERNAL_EVENT_BUS);
 * a wrapper from a rule of any other bus is refused. Throws InvalidEventError.
 */
export function parseInvocation(event: unknown, internalBus: string | undefined): Invocation {
  if (!event || typeof event !== 'object' || !Object.hasOwn(event, 'channel')) {
    return { channel: 'public', request: parseScanEvent(event) };
  }
  const wrapper = parseWith(wrapperSchema, event, 'event');
  const bus = busOfRule(wrapper.ruleArn);
  if (!internalBus || bus !== internalBus) {
    throw new InvalidEventError(
      'event.ruleArn',
      `"${wrapper.ruleArn}" is not a rule of the internal bus "${internalBus ?? '(none configured)'}"`,
    );
  }
  const d = parseWith(workItemDetailSchema, wrapper.event.detail, 'event.detail');
  return {
    channel: INTERNAL_CHANNEL,
    request: {
      ...scopeOf(d.trigger, d),
      work: { concurrentScans: d.concurrentScans, ...(d.offline ? { offline: d.offline } : {}) },
    },
  };
}
