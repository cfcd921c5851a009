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
import { expiresAtMs } from '../emulator/ssm-commands.ts';
import { TRUNCATE_OUT, truncatePluginOutput } from '../emulator/ssm-output.ts';
import { type SimNode, syntheticFleet } from '../fleet.ts';
import { collectionFloor, type NodeRun } from './collection-plans.ts';
import { peer } from './ipc.ts';

export interface EmulatorProcessConfig {
  readonly nodes: number;
  readonly clusters: number;
  readonly seed: number;
  /** awsLikeTiming() and the published / default rate limits; false = fast test timing, no throttling. */
  readonly awsLike: boolean;
  /** Every SSM operation's assumed rate (burst twice that); absent = DEFAULT_RATE_LIMITS. */
  readonly ssmRatePerSecond?: number;
}

/** What the floor needs to know about one cluster after a scan (see floor.ts FloorCluster). */
export interface ClusterFacts {
  readonly name: string;
  readonly nodes: number;
  readonly candidates: number;
  readonly sendable: number;
  readonly truncatedOutputs: number;
  readonly existingFindings: number;
  /** Findings the scan had to import: new ones and those whose status or record state changed. */
  readonly requiredImports: number;
  /** Findings turned PASSED from another status (their Workflow is read before RESOLVED). */
  readonly resolving: number;
  /** collection-plans.ts: the fewest commands, and the quickest plan's last node (ms after the first send). */
  readonly commands: number;
  readonly maxNodeMs: number;
  readonly planCommands: number;
  /** Sendable nodes whose agent never picked the command up: Pending until the command expires. */
  readonly pendingUntilExpiry: number;
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
  /** floor.ts FloorInput.fastestNodeMs: the quickest pickup + run of any sendable node. */
  readonly fastestNodeMs: number;
  /** Delivery + execution timeout of the scan's commands (ms); 0 when it sent none. */
  readonly commandExpiryMs: number;
  /** The floor's quickest collection plan for the fleet (collection-plans.ts). */
  readonly collectionPlan: string;
  readonly offlineInstances: number;
  readonly commands: number;
  /** By operation name, the rate-limited operations the scan called. */
  readonly quotaUse: Record<string, QuotaUse>;
}

export interface Mark {
  readonly commandIndex: number;
  readonly activeByCluster: Record<string, number>;
}

/** Each finding's status and record state when the scan started (Id → "status|state"), by cluster. */
const before = new Map<string, string>();

const findingState = (f: Record<string, unknown>) =>
  `${(f.Compliance as { Status?: string } | undefined)?.Status ?? ''}|${String(f.RecordState ?? '')}`;

function snapshotFindings(emulator: Emulator): void {
  before.clear();
  for (const f of emulator.securityHub.store.all()) before.set(String(f.Id), findingState(f));
}

/** Per cluster: findings new or changed since the snapshot, and those turned PASSED. */
function changedFindings(emulator: Emulator): Map<string, { required: number; resolving: number }> {
  const out = new Map<string, { required: number; resolving: number }>();
  for (const f of emulator.securityHub.store.all()) {
    const cluster = (f.ProductFields as Record<string, string> | undefined)?.[CLUSTER_FIELD];
    if (!cluster) continue;
    const was = before.get(String(f.Id));
    const now = findingState(f);
    if (was === now) continue;
    const entry = out.get(cluster) ?? { required: 0, resolving: 0 };
    entry.required++;
    if (was !== undefined && !was.startsWith('PASSED|') && now.startsWith('PASSED|')) entry.resolving++;
    out.set(cluster, entry);
  }
  return out;
}

/** The cluster's tag targets (collection-plans.ts NodeRun.tags): the bits of those on this node. */
function tagMask(node: SimNode): number {
  const tags = node.tags;
  return (
    (tags['eks:cluster-name'] === node.cluster ? 1 : 0) |
    (tags['eks:eks-cluster-name'] === node.cluster ? 2 : 0) |
    (tags[`kubernetes.io/cluster/${node.cluster}`] !== undefined ? 4 : 0)
  );
}

export interface CallStats {
  readonly calls: Record<string, number>;
  readonly throttled: Record<string, number>;
  readonly serverMs: Record<string, number>;
  /** DynamoDB read and write capacity units the scan consumed. */
  readonly dynamoDbCapacity: { readonly read: number; readonly write: number };
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

interface ClusterEntry {
  truncated: number;
  firstSendMs: number;
  lastNodeDoneMs: number;
  pendingUntilExpiry: number;
}

/**
 * Walks the scan's commands: per cluster, outputs cut, first send, last node done, nodes that never
 * picked up; each sendable node's drawn pickup and run time (its first invocation of the scan).
 */
function walkCommands(emulator: Emulator, mark: Mark) {
  const { fleet } = emulator;
  const perCluster = new Map<string, ClusterEntry>();
  const runTimes = new Map<string, NodeRun[]>();
  const seen = new Set<string>();
  const scanCommands = emulator.ssm.commands.commands.slice(mark.commandIndex);
  let commandExpiryMs = 0;
  for (const command of scanCommands) {
    commandExpiryMs = Math.max(commandExpiryMs, expiresAtMs(command) - command.requestedMs);
    const views = emulator.ssm.commands.views(command, Number.POSITIVE_INFINITY);
    for (const invocation of command.invocations) {
      const node = fleet.get(invocation.instanceId);
      if (!node) continue;
      const entry = perCluster.get(node.cluster) ?? {
        truncated: 0,
        firstSendMs: Number.POSITIVE_INFINITY,
        lastNodeDoneMs: 0,
        pendingUntilExpiry: 0,
      };
      perCluster.set(node.cluster, entry);
      const sendable = node.os !== 'windows' && node.ssm === 'online';
      if (invocation.kind === 'never') {
        // Listed online, never picked up: offline after the listing (a delivery-timeout fault).
        if (sendable) entry.pendingUntilExpiry++;
        continue;
      }
      entry.firstSendMs = Math.min(entry.firstSendMs, command.requestedMs);
      entry.lastNodeDoneMs = Math.max(entry.lastNodeDoneMs, invocation.endMs);
      if (sendable && invocation.kind === 'run' && !seen.has(node.instanceId)) {
        seen.add(node.instanceId);
        const times = runTimes.get(node.cluster) ?? [];
        times.push({
          instanceId: node.instanceId,
          pickupMs: invocation.pickupMs,
          runMs: invocation.runMs,
          tags: tagMask(node),
        });
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
  return { perCluster, runTimes, commands: scanCommands.length, commandExpiryMs };
}

function facts(emulator: Emulator, mark: Mark): ScanFacts {
  const { fleet } = emulator;
  const walked = walkCommands(emulator, mark);
  // The floor's collection plans (collection-plans.ts) from the times the emulator drew, however the
  // scan grouped the nodes, with the SendCommand rate in force.
  const sendRate = emulator.rateLimiter.limitOf('ssm:SendCommand');
  const changed = changedFindings(emulator);
  const collection = collectionFloor(walked.runTimes, sendRate);
  const clusters: ClusterFacts[] = [];
  for (const name of fleet.clusters.keys()) {
    const running = fleet.order.filter((n) => n.cluster === name && n.state === 'running');
    const candidates = running.filter((n) => n.os !== 'windows' && n.provisioner !== 'auto-mode');
    const entry = walked.perCluster.get(name);
    const planned = collection.clusters.get(name);
    const imports = importTimes.get(name);
    clusters.push({
      name,
      nodes: running.length,
      candidates: candidates.length,
      sendable: candidates.filter((n) => n.ssm === 'online').length,
      truncatedOutputs: entry?.truncated ?? 0,
      existingFindings: mark.activeByCluster[name] ?? 0,
      requiredImports: changed.get(name)?.required ?? 0,
      resolving: changed.get(name)?.resolving ?? 0,
      commands: planned?.forcedCommands ?? 0,
      maxNodeMs: planned?.maxNodeMs ?? 0,
      planCommands: planned?.planCommands ?? 0,
      pendingUntilExpiry: entry?.pendingUntilExpiry ?? 0,
      ...(entry && Number.isFinite(entry.firstSendMs)
        ? { firstSendMs: entry.firstSendMs, lastNodeDoneMs: entry.lastNodeDoneMs }
        : {}),
      ...(imports ? { firstImportMs: imports.first, lastImportMs: imports.last } : {}),
    });
  }
  return {
    clusters,
    firstPageNodeMs: collection.firstPageMs,
    fastestNodeMs: collection.fastestNodeMs,
    collectionPlan: collection.plan,
    commandExpiryMs: walked.commandExpiryMs,
    offlineInstances: fleet.order.filter((n) => n.state === 'running' && n.ssm === 'connection-lost').length,
    commands: walked.commands,
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

/**
 * Every SSM operation's assumed rate (AWS publishes none): `rate` a second, burst twice that, the
 * proportion of the default 10/s burst 20.
 */
function setSsmRate(emulator: Emulator, rate: number): void {
  for (const key of Object.keys(DEFAULT_RATE_LIMITS)) {
    if (key.startsWith('ssm:')) emulator.rateLimiter.set(key, { ratePerSecond: rate, burst: 2 * rate });
  }
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as EmulatorProcessConfig;
  const bench = peer(process);
  const options: EmulatorOptions = {
    fleet: syntheticFleet({ nodes: config.nodes, clusters: config.clusters, seed: config.seed }),
    seed: config.seed,
    ...(config.awsLike
      ? { ...awsLikeTiming(), rateLimits: { ...DEFAULT_RATE_LIMITS }, dynamoDbThread: true }
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
  if (config.awsLike && config.ssmRatePerSecond !== undefined) setSsmRate(emulator, config.ssmRatePerSecond);
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
      dynamoDbCapacity: { ...emulator.dynamoDbCapacity },
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
    snapshotFindings(emulator);
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
  bench.handle('ssmRate', (rate) => {
    setSsmRate(emulator, rate as number);
    return true;
  });
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
