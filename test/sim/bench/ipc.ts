/**
 * Request/response over a child process's IPC channel, both ways: the bench talks to the emulator
 * process and to the scanner worker, and the emulator asks the bench to invoke the scanner when
 * EventBridge delivers a "Scan Requested" event (as the stack's rule invokes the Lambda).
 */
import type { ChildProcess } from 'node:child_process';

type Handler = (args: unknown) => Promise<unknown> | unknown;

interface Request {
  readonly kind: 'request';
  readonly id: number;
  readonly method: string;
  readonly args: unknown;
}
interface Response {
  readonly kind: 'response';
  readonly id: number;
  readonly ok: boolean;
  readonly value?: unknown;
  readonly error?: string;
}

interface Channel {
  send(message: unknown): unknown;
  on(event: 'message', listener: (message: unknown) => void): unknown;
}

export interface Peer {
  call<T>(method: string, args?: unknown): Promise<T>;
  handle(method: string, handler: Handler): void;
}

/** A peer over a child process (parent side) or over `process` (child side). */
export function peer(channel: ChildProcess | NodeJS.Process): Peer {
  const ch = channel as unknown as Channel;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  const handlers = new Map<string, Handler>();
  let next = 0;
  ch.on('message', (raw) => {
    const message = raw as Request | Response;
    if (message.kind === 'response') {
      const p = pending.get(message.id);
      pending.delete(message.id);
      if (!p) return;
      if (message.ok) p.resolve(message.value);
      else p.reject(new Error(message.error));
      return;
    }
    if (message.kind !== 'request') return;
    const handler = handlers.get(message.method);
    const reply = (r: Omit<Response, 'kind' | 'id'>) => ch.send({ kind: 'response', id: message.id, ...r });
    if (!handler) {
      reply({ ok: false, error: `no handler for ${message.method}` });
      return;
    }
    Promise.resolve()
      .then(() => handler(message.args))
      .then(
        (value) => reply({ ok: true, value }),
        (error: unknown) =>
          reply({ ok: false, error: error instanceof Error ? error.message : String(error) }),
      );
  });
  return {
    call<T>(method: string, args?: unknown) {
      const id = ++next;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        ch.send({ kind: 'request', id, method, args } satisfies Request);
      });
    },
    handle(method, handler) {
      handlers.set(method, handler);
    },
  };
}
