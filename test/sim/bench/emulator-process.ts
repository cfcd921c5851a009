/**
 * The local AWS emulator in a process of its own, so its CPU and memory are not the scanner's (the
 * scanner worker runs in another process, as a Lambda would run apart from AWS). EventBridge
 * "Scan Requested" deliveries are passed to the bench, which invokes the scanner worker.
 *
 * Started by run-scan.ts with `node --import tsx emulator-process.ts '<EmulatorProcessConfig JSON>'`.
 */
import { writeFileSync } from 'node:fs';
import {
  awsLikeTiming,
  DEFAULT_RATE_LIMITS,
  type Emulator,
  type EmulatorOptions,
  INTERNAL_BUS,
  internalRuleWrapper,
  startEmulator,
} from '../emulator/index.ts';
import type { CallRecord } from '../emulator/server.ts';
import { TRUNCATE_OUT, truncatePluginOutput } from '../emulator/ssm-output.ts';
import { syntheticFleet } from '../fleet.ts';
import { type NodeRun, oneCommandNodeTimes } from './floor.ts';
import { peer } from './ipc.ts';

export interface EmulatorProcessConfig {
  readonly nodes: number;
  readonly clusters: number;
  readonly seed: number;
  /** awsLikeTiming() and the published / default rate limits; false = fast test timing, no throttling. */
  readonly awsLike: boolean;
}

/** What the floor needs to know about one cluster after a scan (see floor.ts FloorCluster). */
export interface ClusterFacts {
  readonly name: string;
  readonly nodes: number;
  readonly candidates: number;
  readonly sendable: number;
  readonly truncatedOutputs: number;
  readonly existingFindings: number;
  readonly maxNodeMs: number;
  /** Emulator clock (epoch ms): first SendCommand, last node done, first and last finding imported. */
  readonly firstSendMs?: number;
  readonly lastNodeDoneMs?: number;
  readonly firstImportMs?: number;
  readonly lastImportMs?: number;
}

/** Calls of one rate-limited operation that went through: how many, first and last (emulator clock). */
export interface QuotaUse {
  readonly calls: number;
  readonly firstMs: number;
  readonly lastMs: number;
  readonly ratePerSecond: number;
  readonly burst: number;
}

export interface ScanFacts {
  readonly clusters: ClusterFacts[];
  /** floor.ts FloorInput.firstPageNodeMs: when the first page of 50 ended invocations could exist. */
  readonly firstPageNodeMs: number;
  readonly offlineInstances: number;
  readonly commands: number;
  /** By operation name, the rate-limited operations the scan called. */
  readonly quotaUse: Record<string, QuotaUse>;
}

export interface Mark {
  readonly commandIndex: number;
  readonly activeByCluster: Record<string, number>;
}

export interface CallStats {
  readonly calls: Record<string, number>;
  readonly throttled: Record<string, number>;
  readonly serverMs: Record<string, number>;
}

const CLUSTER_FIELD = 'eks-kubelet-audit/cluster';

function activeByCluster(emulator: Emulator): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of emulator.securityHub.store.all()) {
    if (f.RecordState !== 'ACTIVE') continue;
    const cluster = (f.ProductFields as Record<string, string> | undefined)?.[CLUSTER_FIELD];
    if (cluster) out[cluster] = (out[cluster] ?? 0) + 1;
  }
  return out;
}

/** When each cluster's findings were imported (first, last), for the phase breakdown. */
const importTimes = new Map<string, { first: number; last: number }>();

function recordImports(emulator: Emulator): void {
  const store = emulator.securityHub.store;
  const original = store.import.bind(store);
  store.import = (finding) => {
    const cluster = (finding.ProductFields as Record<string, string> | undefined)?.[CLUSTER_FIELD];
    if (cluster) {
      const now = emulator.clock.now();
      const t = importTimes.get(cluster) ?? { first: now, last: now };
      t.last = now;
      importTimes.set(cluster, t);
    }
    return original(finding);
  };
}

/** Successful calls of each rate-limited operation since the last mark: is its quota the bottleneck? */
const quotaUse = new Map<string, QuotaUse & { calls: number; firstMs: number; lastMs: number }>();

function recordQuotaUse(emulator: Emulator, call: CallRecord): void {
  const limit = emulator.rateLimiter.limitOf(call.key);
  if (call.outcome !== 'ok' || !limit) return;
  const op = call.key.split(':')[1] ?? call.key;
  const use = quotaUse.get(op) ?? { calls: 0, firstMs: call.startMs, lastMs: call.startMs, ...limit };
  use.calls++;
  use.firstMs = Math.min(use.firstMs, call.startMs);
  use.lastMs = Math.max(use.lastMs, call.startMs);
  quotaUse.set(op, use);
}

function facts(emulator: Emulator, mark: Mark): ScanFacts {
  const { fleet } = emulator;
  const { commands } = emulator.ssm;
  const perCluster = new Map<
    string,
    { truncated: number; maxNodeMs: number; firstSendMs: number; lastNodeDoneMs: number }
  >();
  /** Each Linux node's drawn pickup and run time (its first invocation of the scan), by cluster. */
  const runTimes = new Map<string, NodeRun[]>();
  const seen = new Set<string>();
  const scanCommands = commands.commands.slice(mark.commandIndex);
  for (const command of scanCommands) {
    const views = commands.views(command, Number.POSITIVE_INFINITY);
    for (const invocation of command.invocations) {
      if (invocation.kind === 'never') continue;
      const node = fleet.get(invocation.instanceId);
      if (!node) continue;
      const entry = perCluster.get(node.cluster) ?? {
        truncated: 0,
        maxNodeMs: 0,
        firstSendMs: Number.POSITIVE_INFINITY,
        lastNodeDoneMs: 0,
      };
      perCluster.set(node.cluster, entry);
      entry.firstSendMs = Math.min(entry.firstSendMs, command.requestedMs);
      entry.lastNodeDoneMs = Math.max(entry.lastNodeDoneMs, invocation.endMs);
      if (node.os !== 'windows' && !seen.has(node.instanceId)) {
        seen.add(node.instanceId);
        const times = runTimes.get(node.cluster) ?? [];
        times.push({ instanceId: node.instanceId, pickupMs: invocation.pickupMs, runMs: invocation.runMs });
        runTimes.set(node.cluster, times);
      }
      const view = views.get(invocation.instanceId);
      if (
        view?.status === 'Success' &&
        truncatePluginOutput(view.stdout, view.stderr).includes(TRUNCATE_OUT)
      ) {
        entry.truncated++;
      }
    }
  }
  // The node times of the floor's plan, one command per cluster through SSM's rate-control ramp
  // (floor.ts oneCommandNodeTimes), from the times the emulator drew, however the scan grouped them.
  // A page holds 50 invocations: the earliest one can hold only ended ones is when 50 nodes of one
  // cluster (all of them, if fewer) have ended.
  let firstPageNodeMs = Number.POSITIVE_INFINITY;
  for (const [cluster, runs] of runTimes) {
    const { maxNodeMs, endsMs } = oneCommandNodeTimes(runs);
    const entry = perCluster.get(cluster);
    if (entry) entry.maxNodeMs = maxNodeMs;
    firstPageNodeMs = Math.min(
      firstPageNodeMs,
      endsMs[Math.min(50, endsMs.length) - 1] ?? Number.POSITIVE_INFINITY,
    );
  }
  const clusters: ClusterFacts[] = [];
  for (const name of fleet.clusters.keys()) {
    const running = fleet.order.filter((n) => n.cluster === name && n.state === 'running');
    const candidates = running.filter((n) => n.os !== 'windows' && n.provisioner !== 'auto-mode');
    const entry = perCluster.get(name);
    const imports = importTimes.get(name);
    clusters.push({
      name,
      nodes: running.length,
      candidates: candidates.length,
      sendable: candidates.filter((n) => n.ssm === 'online').length,
      truncatedOutputs: entry?.truncated ?? 0,
      existingFindings: mark.activeByCluster[name] ?? 0,
      maxNodeMs: entry?.maxNodeMs ?? 0,
      ...(entry ? { firstSendMs: entry.firstSendMs, lastNodeDoneMs: entry.lastNodeDoneMs } : {}),
      ...(imports ? { firstImportMs: imports.first, lastImportMs: imports.last } : {}),
    });
  }
  return {
    clusters,
    firstPageNodeMs: Number.isFinite(firstPageNodeMs) ? firstPageNodeMs : 0,
    offlineInstances: fleet.order.filter((n) => n.state === 'running' && n.ssm === 'connection-lost').length,
    commands: scanCommands.length,
    quotaUse: Object.fromEntries(quotaUse),
  };
}

/**
 * BENCH_TRACE=<prefix>: every call of a scan with its cluster (where the request names one), written
 * to <prefix>.<n>.jsonl when the scan's facts are taken. For reading where a scan spent its time.
 */
const TRACE = process.env.BENCH_TRACE;
const trace: object[] = [];
let traceIndex = 0;

function clusterOf(emulator: Emulator, call: CallRecord): string | undefined {
  const json = call.json as {
    Filters?: { ProductFields?: { Key?: string; Value?: string }[] };
    Findings?: { ProductFields?: Record<string, string> }[];
    CommandId?: string;
    InstanceIds?: string[];
    InstanceId?: string;
    Targets?: { Values?: string[] }[];
  };
  const nodeCluster = (id?: string) => (id ? emulator.fleet.get(id)?.cluster : undefined);
  const fromFilter = json.Filters?.ProductFields?.find((f) => f.Key === CLUSTER_FIELD)?.Value;
  if (fromFilter) return fromFilter;
  const fromFinding = json.Findings?.[0]?.ProductFields?.[CLUSTER_FIELD];
  if (fromFinding) return fromFinding;
  if (json.InstanceId) return nodeCluster(json.InstanceId);
  if (json.CommandId) {
    const command = emulator.ssm.commands.commands.find((c) => c.commandId === json.CommandId);
    return nodeCluster(command?.invocations[0]?.instanceId);
  }
  if (json.InstanceIds?.[0]) return nodeCluster(json.InstanceIds[0]);
  const tagValue = json.Targets?.[0]?.Values?.[0];
  if (tagValue) return tagValue;
  for (const [key, value] of call.query) {
    if (/^Filter\.\d+\.Value/.test(key) && emulator.fleet.clusters.has(value)) return value;
  }
  return undefined;
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as EmulatorProcessConfig;
  const bench = peer(process);
  const options: EmulatorOptions = {
    fleet: syntheticFleet({ nodes: config.nodes, clusters: config.clusters, seed: config.seed }),
    seed: config.seed,
    ...(config.awsLike
      ? { ...awsLikeTiming(), rateLimits: { ...DEFAULT_RATE_LIMITS } }
      : { rateLimits: false }),
    onCall: (call: CallRecord) => {
      recordQuotaUse(emulator, call);
      if (TRACE)
        trace.push({
          op: call.key.split(':')[1],
          cluster: clusterOf(emulator, call),
          t0: call.startMs,
          t1: call.endMs,
          outcome: call.outcome,
          port: call.remotePort,
          // Which command a Run Command call is about, and whether it continues a listing.
          ...(typeof call.json.CommandId === 'string' ? { command: call.json.CommandId } : {}),
          ...(call.json.NextToken ? { next: true } : {}),
          ...(Array.isArray(call.json.Filters) && call.key.endsWith('ListCommandInvocations')
            ? { filters: call.json.Filters }
            : {}),
        });
    },
  };
  const emulator = await startEmulator(options);
  recordImports(emulator);
  emulator.events.subscribe(
    'scanner',
    { source: ['eks-kubelet-audit'], 'detail-type': ['Scan Requested'] },
    (event) => bench.call('invoke', event),
  );
  emulator.events.subscribe(
    'scanner-internal',
    { source: ['eks-kubelet-audit'], 'detail-type': ['Scan Work'], eventBusName: INTERNAL_BUS },
    (event) => bench.call('invoke', event),
    internalRuleWrapper,
  );
  bench.handle(
    'calls',
    (): CallStats => ({
      calls: { ...emulator.calls },
      throttled: { ...emulator.rateLimiter.throttled },
      serverMs: { ...emulator.serverMs },
    }),
  );
  bench.handle('reset', () => {
    emulator.resetCalls();
    for (const key of Object.keys(emulator.rateLimiter.throttled)) delete emulator.rateLimiter.throttled[key];
    return true;
  });
  bench.handle('mark', (): Mark => {
    importTimes.clear();
    quotaUse.clear();
    trace.length = 0;
    return {
      commandIndex: emulator.ssm.commands.commands.length,
      activeByCluster: activeByCluster(emulator),
    };
  });
  bench.handle('facts', (mark) => {
    if (TRACE) {
      const name = `${TRACE}.${process.pid}.${traceIndex++}`;
      writeFileSync(`${name}.jsonl`, `${trace.map((t) => JSON.stringify(t)).join('\n')}\n`);
      trace.length = 0;
      // Every invocation of the scan's commands in SSM's listing order (a page is 50 of them), with
      // when its command was sent and when it ended: what a read schedule had to work with.
      const rows = emulator.ssm.commands.commands.slice((mark as Mark).commandIndex).flatMap((c) =>
        c.invocations.map((inv, index) => ({
          command: c.commandId,
          index,
          kind: inv.kind,
          sentMs: c.requestedMs,
          endMs: inv.endMs,
        })),
      );
      writeFileSync(`${name}.invocations.jsonl`, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
    }
    return facts(emulator, mark as Mark);
  });
  bench.handle('idle', async () => {
    await emulator.events.idle();
    return emulator.events.deliveries.filter((d) => !d.ok).length;
  });
  bench.handle('memory', () => process.memoryUsage().rss);
  bench.handle('stop', async () => {
    await emulator.stop();
    setImmediate(() => process.exit(0));
    return true;
  });
  process.send?.({
    kind: 'ready',
    endpoint: emulator.endpoint,
    region: emulator.fleet.region,
    accountId: emulator.fleet.accountId,
  });
}

main().catch((error: unknown) => {
  console.error('emulator process failed', error);
  process.exit(1);
});
