/**
 * DynamoDB capacity the emulator's callers consumed, as DynamoDB itself reports it: each forwarded
 * request asks dynalite for `ReturnConsumedCapacity: TOTAL` (dynalite computes it from item sizes the
 * way DynamoDB does: a read unit per 4 KB, half for an eventually consistent read; a write unit per
 * 1 KB), the units are added up, and the field is taken out of the answer again when the caller did
 * not ask for it. On-demand tables bill the same units as request units (DynamoDB developer guide,
 * "Read/write capacity mode": one RRU per strongly consistent read of up to 4 KB, one WRU per write
 * of up to 1 KB).
 */

/** Operations that take ReturnConsumedCapacity, and which kind of unit they consume. */
const METERED: Readonly<Record<string, 'read' | 'write'>> = {
  GetItem: 'read',
  BatchGetItem: 'read',
  Query: 'read',
  Scan: 'read',
  TransactGetItems: 'read',
  PutItem: 'write',
  UpdateItem: 'write',
  DeleteItem: 'write',
  BatchWriteItem: 'write',
  TransactWriteItems: 'write',
};

export interface CapacityMeter {
  readonly units: { read: number; write: number };
  /** The request body to forward, and whether the caller asked for the capacity itself. */
  prepare(operation: string, body: string): { body: string; injected: boolean };
  /** Adds the answer's units; returns the answer the caller gets. */
  account(operation: string, answer: string, injected: boolean): string;
  reset(): void;
}

/** How the answer's last member starts when there are others before it. */
const LAST_MEMBER = ',"ConsumedCapacity":';

interface Consumed {
  CapacityUnits?: number;
}

export function createCapacityMeter(): CapacityMeter {
  const units = { read: 0, write: 0 };
  return {
    units,
    prepare(operation, body) {
      if (!METERED[operation]) return { body, injected: false };
      try {
        const request = JSON.parse(body) as Record<string, unknown>;
        if (request.ReturnConsumedCapacity && request.ReturnConsumedCapacity !== 'NONE') {
          return { body, injected: false };
        }
        return { body: JSON.stringify({ ...request, ReturnConsumedCapacity: 'TOTAL' }), injected: true };
      } catch {
        return { body, injected: false };
      }
    },
    account(operation, answer, injected) {
      const kind = METERED[operation];
      if (!kind) return answer;
      const add = (consumed: Consumed | Consumed[] | undefined) => {
        const list = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
        for (const c of list) units[kind] += c.CapacityUnits ?? 0;
      };
      // dynalite writes ConsumedCapacity as the answer's last member: that part alone is read (and cut),
      // since parsing a Query's 500 items again for it made the emulator's CPU its callers' latency.
      const at = answer.lastIndexOf(LAST_MEMBER);
      if (at >= 0 && answer.endsWith('}')) {
        try {
          add(JSON.parse(answer.slice(at + LAST_MEMBER.length, -1)) as Consumed | Consumed[]);
          return injected ? `${answer.slice(0, at)}}` : answer;
        } catch {
          // Not the last member after all: the whole answer is parsed below.
        }
      }
      try {
        const parsed = JSON.parse(answer) as { ConsumedCapacity?: Consumed | Consumed[] };
        add(parsed.ConsumedCapacity);
        if (!injected) return answer;
        delete parsed.ConsumedCapacity;
        return JSON.stringify(parsed);
      } catch {
        return answer;
      }
    },
    reset() {
      units.read = 0;
      units.write = 0;
    },
  };
}
