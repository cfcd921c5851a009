/**
 * Runs scheduled scans of a synthetic fleet: the emulator in one process, the scanner bundle in a
 * worker process, EventBridge fan-out delivered back to the worker as concurrent invocations. One
 * clock: the emulator runs unscaled (1 simulated ms = 1 real ms), because the handler's own clock,
 * the SDK's retry back-off and its adaptive rate limiter all run on real time; a scaled emulator
 * clock would shrink AWS-side times but not those, and the result would mix two time bases.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { ScanSummary } from '../../../functions/scanner/summary.ts';
import { lambdaEnv } from './bundle.ts';
import type { CallStats, EmulatorProcessConfig, Mark, ScanFacts } from './emulator-process.ts';
import { type Peer, peer } from './ipc.ts';

const EMULATOR_PROCESS = resolve(import.meta.dirname, 'emulator-process.ts');
const SCANNER_WORKER = resolve(import.meta.dirname, 'scanner-worker.mjs');
/** BENCH_WORKER_ARGS: node options for the scanner containers, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof". */
const WORKER_NODE_ARGS = (process.env.BENCH_WORKER_ARGS ?? '').split(' ').filter(Boolean);
/** BENCH_EMULATOR_ARGS: node options for the emulator process (the same use). */
const EMULATOR_NODE_ARGS = (process.env.BENCH_EMULATOR_ARGS ?? '').split(' ').filter(Boolean);
/** Lambda's maximum timeout, as the stack configures it. */
const LAMBDA_BUDGET_MS = 15 * 60_000;

export const SCHEDULED_EVENT = {
  source: 'eks-kubelet-audit',
  'detail-type': 'Scheduled Scan',
  detail: {},
} as const;

export interface Invocation {
  readonly ok: boolean;
  readonly summary?: ScanSummary;
  readonly error?: string;
  readonly startedMs: number;
  readonly durationMs: number;
  /** Cold start: the bundle import this container did before its first invocation (ms). */
  readonly initMs?: number;
}

export interface ScanRun {
  readonly wallMs: number;
  readonly invocations: Invocation[];
  readonly failedDeliveries: number;
  readonly stats: CallStats;
  readonly facts: ScanFacts;
  /** Bytes the invocations wrote to stdout (Powertools logs and EMF): what CloudWatch Logs ingests. */
  readonly logBytes: number;
}

export interface WorkerStats {
  /** Containers (worker processes) started; the other fields are their maximum or sum. */
  readonly workers?: number;
  readonly importMs: number;
  readonly maxRssBytes: number;
  readonly sampledPeakRssBytes: number;
  readonly cpuMs: number;
  readonly eventLoopUtilization: number;
}

export interface Session {
  readonly endpoint: string;
  scan(): Promise<ScanRun>;
  /** Over every container of this session so far: RSS and import are the maximum, CPU the sum. */
  workerStats(): Promise<WorkerStats>;
  /** Retire every container (the next scan starts cold, as one 12 hours later would); returns their stats. */
  restartWorkers(): Promise<WorkerStats>;
  /**
   * Start `n` containers before the scan. On this 2-core machine twenty bundle imports at once queue
   * for the CPU for seconds, which Lambda's separate containers do not; cold import is measured on
   * its own (bundle.ts), and each container's own import time is added to its billed duration.
   */
  prewarm(n: number): Promise<void>;
  emulatorRssBytes(): Promise<number>;
  /** Every SSM operation's rate in the emulator from now on (calls/s, burst twice that). */
  setSsmRate(ratePerSecond: number): Promise<void>;
  stop(): Promise<void>;
}

interface Ready {
  kind: 'ready';
  endpoint?: string;
  region?: string;
  accountId?: string;
}

function waitReady(child: ChildProcess, what: string): Promise<Ready> {
  return new Promise((resolveReady, reject) => {
    const onMessage = (message: unknown) => {
      if ((message as Ready | undefined)?.kind === 'ready') {
        child.off('message', onMessage);
        resolveReady(message as Ready);
      }
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code} before it was ready`)));
  });
}

export interface SessionOptions extends EmulatorProcessConfig {
  readonly bundlePath: string;
  readonly memoryMb: number;
  /** Extra Lambda environment (e.g. a faster poll pace for a memory-only run). */
  readonly env?: Record<string, string>;
}

interface Worker {
  readonly child: ChildProcess;
  readonly peer: Peer;
  readonly importMs: number;
  /** The first invocation of a container pays its init (bundle import). */
  cold: boolean;
}

/**
 * Workers are Lambda containers: an invocation takes an idle one or starts a new one (a cold start),
 * so concurrent invocations never share a process, its SDK clients or their adaptive rate limiter.
 */
export async function startSession(options: SessionOptions): Promise<Session> {
  const config: EmulatorProcessConfig = {
    nodes: options.nodes,
    clusters: options.clusters,
    seed: options.seed,
    awsLike: options.awsLike,
  };
  const emulatorChild = spawn(
    process.execPath,
    // A larger young generation: the emulator holds every finding and node of the fleet, and its
    // scavenges stalled every service's answers at a scan's start (AWS's services do not share a CPU).
    [
      '--max-semi-space-size=64',
      ...EMULATOR_NODE_ARGS,
      '--import',
      'tsx',
      EMULATOR_PROCESS,
      JSON.stringify(config),
    ],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // The emulator's own SDK client (it creates the state table) runs on this Node, not the Lambda's.
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    },
  );
  const ready = await waitReady(emulatorChild, 'emulator process');
  const endpoint = ready.endpoint ?? '';
  const region = ready.region ?? 'eu-west-1';
  const accountId = ready.accountId ?? '123456789012';
  const emulator = peer(emulatorChild);

  let logBytes = 0;
  let workers: Worker[] = [];
  let idle: Worker[] = [];
  const startWorker = async (): Promise<Worker> => {
    const child = spawn(process.execPath, [...WORKER_NODE_ARGS, SCANNER_WORKER, options.bundlePath], {
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      env: lambdaEnv({ endpoint, region, extra: options.env }),
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      logBytes += chunk.length;
    });
    const r = (await waitReady(child, 'scanner worker')) as Ready & { importMs?: number };
    const worker: Worker = { child, peer: peer(child), importMs: r.importMs ?? 0, cold: true };
    workers.push(worker);
    return worker;
  };

  let invocations: Invocation[] = [];
  const invoke = async (event: unknown): Promise<Invocation> => {
    const worker = idle.pop() ?? (await startWorker());
    const initMs = worker.cold ? worker.importMs : 0;
    worker.cold = false;
    let result: Invocation;
    try {
      result = await worker.peer.call<Invocation>('invoke', {
        event,
        budgetMs: LAMBDA_BUDGET_MS,
        memoryMb: options.memoryMb,
        region,
        accountId,
      });
    } finally {
      idle.push(worker);
    }
    invocations.push({ ...result, initMs });
    // A failed invocation is a failed delivery, as with a Lambda target.
    if (!result.ok) throw new Error(result.error);
    return result;
  };
  emulator.handle('invoke', (event) => invoke(event).then(() => true));

  const workerStats = async (): Promise<WorkerStats> => {
    const all = await Promise.all(workers.map((w) => w.peer.call<WorkerStats>('stats')));
    return {
      workers: all.length,
      importMs: Math.max(0, ...all.map((w) => w.importMs)),
      maxRssBytes: Math.max(0, ...all.map((w) => w.maxRssBytes)),
      sampledPeakRssBytes: Math.max(0, ...all.map((w) => w.sampledPeakRssBytes)),
      cpuMs: all.reduce((a, w) => a + w.cpuMs, 0),
      eventLoopUtilization: Math.max(0, ...all.map((w) => w.eventLoopUtilization)),
    };
  };
  const stopWorkers = async (): Promise<WorkerStats> => {
    const stats = await workerStats();
    await Promise.all(
      workers.map(async (w) => {
        w.child.disconnect();
        if (w.child.exitCode === null) await new Promise((r) => w.child.once('exit', r));
      }),
    );
    workers = [];
    idle = [];
    return stats;
  };

  return {
    endpoint,
    async scan() {
      await emulator.call('reset');
      const mark = await emulator.call<Mark>('mark');
      invocations = [];
      logBytes = 0;
      const started = Date.now();
      await invoke(SCHEDULED_EVENT).catch(() => undefined);
      const failedDeliveries = await emulator.call<number>('idle');
      const wallMs = Date.now() - started;
      const stats = await emulator.call<CallStats>('calls');
      const facts = await emulator.call<ScanFacts>('facts', mark);
      return { wallMs, invocations, failedDeliveries, stats, facts, logBytes };
    },
    workerStats,
    restartWorkers: stopWorkers,
    async prewarm(n) {
      // One at a time, so each import runs uncontended, as in its own Lambda container.
      while (idle.length < n) idle.push(await startWorker());
    },
    emulatorRssBytes: () => emulator.call<number>('memory'),
    async setSsmRate(ratePerSecond) {
      await emulator.call('ssmRate', ratePerSecond);
    },
    async stop() {
      await stopWorkers().catch(() => undefined);
      await emulator.call('stop').catch(() => undefined);
      await new Promise((r) =>
        emulatorChild.exitCode !== null ? r(undefined) : emulatorChild.once('exit', r),
      );
    },
  };
}
