/**
 * The whole measurement: bundle and cold import, two scheduled scans of the fleet (the first scan,
 * which creates every finding, and a steady-state scan, which every later scheduled scan is), the
 * floor of each from the same fleet and the node times drawn in that scan, and the peak memory of
 * one invocation scanning the largest cluster.
 */
import { rmSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { controls } from '../../../functions/controls/index.ts';
import { CONFIG_DEFAULTS } from '../../../functions/scanner/config.ts';
import {
  type ClusterScanSummary,
  clusterScansIn,
  type FanOutSummary,
} from '../../../functions/scanner/summary.ts';
import { awsLikeTiming, DEFAULT_RATE_LIMITS, seededRng } from '../emulator/index.ts';
import { bundleHandler, coldImportMs, constructMemoryMb } from './bundle.ts';
import { type CostResult, scanCost } from './cost.ts';
import { computeFloor, type FloorResult, type RateLimit } from './floor.ts';
import type { BenchOptions } from './options.ts';
import { type ScanRun, startSession, type WorkerStats } from './run-scan.ts';

export interface ScanResult {
  readonly wallSeconds: number;
  readonly slowestClusterSeconds: number;
  readonly fanOutSeconds: number;
  readonly floor: FloorResult;
  readonly ratioToFloor: number;
  readonly apiCalls: Record<string, number>;
  readonly apiCallsTotal: number;
  readonly callsPer1000Nodes: number;
  readonly floorCallsPer1000Nodes: number;
  readonly throttled: Record<string, number>;
  readonly invocations: number;
  readonly failedInvocations: string[];
  readonly maxPollRounds: number;
  readonly deadlineReached: boolean;
  readonly findingsImported: number;
  /** findingsImported / (nodes × controls). */
  readonly findingsShare: number;
  /** DynamoDB capacity units the scan consumed (read, write). */
  readonly dynamoDbUnits: { readonly read: number; readonly write: number };
  /** The SSM rate the emulator assumed for this scan (calls/s, every SSM operation). */
  readonly ssmRatePerSecond: number;
  /** The floor's quickest collection plan for the cluster whose floor chain is longest. */
  readonly floorPlan: string;
  readonly nodesByStatus: Record<string, number>;
  readonly cost: CostResult;
  readonly emulatorBusyMs: number;
  /** Where the slowest cluster's invocation spent its time (s), and the floor's chain for it. */
  readonly slowestClusterPhases?: Phases;
  /** How the scan used each rate-limited quota: is one of them what the scan waited for? */
  readonly quotaUse: readonly QuotaUseRow[];
}

/**
 * Calls of a rate-limited operation that went through, from its first to its last (s from the scan's
 * start), and the share of that window its bucket needed for them at least ((calls − burst) / rate):
 * near 100 %, the quota was the bottleneck from the first call to the last.
 */
export interface QuotaUseRow {
  readonly operation: string;
  readonly calls: number;
  readonly fromSeconds: number;
  readonly toSeconds: number;
  readonly busyShare: number;
}

function quotaUseOf(run: ScanRun): QuotaUseRow[] {
  const started = Math.min(...run.invocations.map((i) => i.startedMs));
  return Object.entries(run.facts.quotaUse)
    .map(([operation, u]) => {
      const window = (u.lastMs - u.firstMs) / 1000;
      const needed = Math.max(0, u.calls - u.burst) / u.ratePerSecond;
      return {
        operation,
        calls: u.calls,
        fromSeconds: (u.firstMs - started) / 1000,
        toSeconds: (u.lastMs - started) / 1000,
        busyShare: window > 0 ? Math.min(1, needed / window) : 0,
      };
    })
    .sort((a, b) => a.operation.localeCompare(b.operation));
}

export interface Phases {
  readonly cluster: string;
  /** Invocation start → first SendCommand (DescribeCluster, DescribeInstances, reachability). */
  readonly discovery: number;
  /** First SendCommand → its slowest node done (the fleet's own time: agent pickup + execution). */
  readonly nodes: number;
  /** Slowest node done → first finding imported (poll pace, invocation reads, existing-findings reads). */
  readonly detectAndRead: number;
  /** First finding imported → invocation end (imports, workflow updates, Scan Completed). */
  readonly importAndReport: number;
  readonly total: number;
  readonly floorChain: number;
}

/** Every cluster scan of a run (summary.ts clusterScansIn over its invocations). */
function clusterScansOf(run: ScanRun): ClusterScanSummary[] {
  return clusterScansIn(run.invocations.flatMap((i) => (i.summary ? [i.summary] : [])));
}

function phasesOf(run: ScanRun, floor: FloorResult): Phases | undefined {
  let slowest: { cluster: string; startedMs: number; durationMs: number } | undefined;
  for (const s of clusterScansOf(run)) {
    if (!slowest || s.durationMs > slowest.durationMs) {
      slowest = { cluster: s.cluster, startedMs: Date.parse(s.startedAt), durationMs: s.durationMs };
    }
  }
  const facts = run.facts.clusters.find((c) => c.name === slowest?.cluster);
  if (!slowest || !facts?.firstSendMs || !facts.lastNodeDoneMs || !facts.firstImportMs) return undefined;
  const end = slowest.startedMs + slowest.durationMs;
  return {
    cluster: slowest.cluster,
    discovery: (facts.firstSendMs - slowest.startedMs) / 1000,
    nodes: (facts.lastNodeDoneMs - facts.firstSendMs) / 1000,
    detectAndRead: (facts.firstImportMs - facts.lastNodeDoneMs) / 1000,
    importAndReport: (end - facts.firstImportMs) / 1000,
    total: slowest.durationMs / 1000,
    floorChain: floor.perClusterSeconds[slowest.cluster] ?? 0,
  };
}

export interface SweepPoint {
  readonly ssmRatePerSecond: number;
  readonly scan: ScanResult;
}

export interface BenchResult {
  readonly options: BenchOptions;
  /** Controls evaluated per node in the scans (the catalog's, or the first --controls N). */
  readonly controls: number;
  readonly catalogControls: number;
  readonly memoryMb: number;
  readonly ssmRateSweep: readonly SweepPoint[];
  readonly first: ScanResult;
  readonly steady: ScanResult;
  readonly mainWorker: WorkerStats;
  readonly rss?: {
    nodes: number;
    /** The steady-state scan's peak (the target's); the first scan's is firstScanRssBytes. */
    peakRssBytes: number;
    firstScanRssBytes: number;
    steadyScanRssBytes: number;
  };
  readonly bundle: { bytes: number; mapBytes: number };
  readonly coldImport: { median: number; samples: number[] };
  readonly machine: {
    cpu: string;
    cores: number;
    memoryGb: number;
    node: string;
    platform: string;
    /** 1-minute load average when the bench ended: other work on the machine slows the scans. */
    loadAverage: number;
  };
  readonly date: string;
  readonly benchSeconds: number;
}

const opName = (key: string) => key.slice(key.indexOf(':') + 1);

function byOperation(record: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, n] of Object.entries(record)) out[opName(key)] = (out[opName(key)] ?? 0) + n;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/** Mean of each latency distribution of awsLikeTiming(), by operation name. */
function meanLatencies(): Record<string, number> & { default: number } {
  const latency = awsLikeTiming().latency as Record<string, (rng: () => number) => number>;
  const rng = seededRng(7);
  const mean = (d: (rng: () => number) => number) => {
    let sum = 0;
    for (let i = 0; i < 10_000; i++) sum += d(rng);
    return sum / 10_000;
  };
  const out: Record<string, number> = { default: 0 };
  for (const [key, d] of Object.entries(latency)) out[key === '*' ? 'default' : opName(key)] = mean(d);
  return out as Record<string, number> & { default: number };
}

/** The emulator's rate limits by operation name, every SSM operation at `ssmRate` (burst twice that). */
function rateLimits(ssmRate: number): Record<string, RateLimit> {
  return Object.fromEntries(
    Object.entries(DEFAULT_RATE_LIMITS).map(([key, limit]) => [
      opName(key),
      key.startsWith('ssm:') ? { ratePerSecond: ssmRate, burst: 2 * ssmRate } : limit,
    ]),
  );
}

/** The SSM rate the emulator assumes by default (rate-limit.ts). */
export const DEFAULT_SSM_RATE = DEFAULT_RATE_LIMITS['ssm:SendCommand']?.ratePerSecond ?? 10;

interface ScanContext {
  readonly nodes: number;
  readonly memoryMb: number;
  readonly controls: number;
  /** A fresh deployment's first scan: every finding new, no earlier state. */
  readonly first: boolean;
  readonly ssmRate: number;
}

function floorOf(run: ScanRun, ctx: ScanContext): FloorResult {
  return computeFloor({
    clusters: run.facts.clusters.map((c) => ({
      ...c,
      findings: ctx.first ? c.nodes * ctx.controls : c.requiredImports,
    })),
    latencyMs: meanLatencies(),
    rateLimits: rateLimits(ctx.ssmRate),
    firstPageNodeMs: run.facts.firstPageNodeMs,
    fastestNodeMs: run.facts.fastestNodeMs,
    offlineInstances: run.facts.offlineInstances,
    commandExpiryMs: run.facts.commandExpiryMs,
    priorState: !ctx.first,
  });
}

function floorPlanOf(run: ScanRun, floor: FloorResult): string {
  let name = '';
  for (const [cluster, seconds] of Object.entries(floor.perClusterSeconds)) {
    if (!name || seconds > (floor.perClusterSeconds[name] ?? 0)) name = cluster;
  }
  const c = run.facts.clusters.find((x) => x.name === name);
  return c
    ? `${run.facts.collectionPlan}; ${name}: ${c.planCommands} commands (fewest possible ${c.commands})`
    : '-';
}

function analyse(run: ScanRun, ctx: ScanContext): ScanResult {
  const { nodes, memoryMb } = ctx;
  const summaries = run.invocations.flatMap((i) => (i.summary ? [i.summary] : []));
  const clusterScans = clusterScansOf(run);
  const fanOut = summaries.find((s): s is FanOutSummary => s.kind === 'fan-out');
  const floor = floorOf(run, ctx);
  const apiCalls = byOperation(run.stats.calls);
  const apiCallsTotal = Object.values(apiCalls).reduce((a, b) => a + b, 0);
  const wallSeconds = run.wallMs / 1000;
  const nodesByStatus: Record<string, number> = {};
  for (const s of clusterScans) {
    for (const [k, v] of Object.entries(s.nodes.byStatus)) nodesByStatus[k] = (nodesByStatus[k] ?? 0) + v;
  }
  const findingsImported = clusterScans.reduce((n, s) => n + s.findings.imported, 0);
  return {
    wallSeconds,
    slowestClusterSeconds: Math.max(0, ...clusterScans.map((c) => c.durationMs)) / 1000,
    fanOutSeconds: fanOut ? fanOut.durationMs / 1000 : 0,
    floor,
    ratioToFloor: wallSeconds / floor.seconds,
    apiCalls,
    apiCallsTotal,
    callsPer1000Nodes: (apiCallsTotal / nodes) * 1000,
    floorCallsPer1000Nodes: (floor.totalCalls / nodes) * 1000,
    throttled: byOperation(run.stats.throttled),
    invocations: run.invocations.length,
    failedInvocations: run.invocations.filter((i) => !i.ok).map((i) => i.error ?? 'unknown error'),
    maxPollRounds: Math.max(0, ...clusterScans.map((s) => s.pollRounds)),
    deadlineReached: clusterScans.some((s) => s.deadlineReached),
    findingsImported,
    findingsShare: findingsImported / (nodes * ctx.controls),
    dynamoDbUnits: run.stats.dynamoDbCapacity,
    ssmRatePerSecond: ctx.ssmRate,
    floorPlan: floorPlanOf(run, floor),
    nodesByStatus,
    cost: scanCost({
      nodes,
      memoryMb,
      // A cold container's init (its bundle import) counted too: conservative.
      invocationMs: run.invocations.map((i) => i.durationMs + (i.initMs ?? 0)),
      findingsImported,
      customEvents: (fanOut?.eventsPut ?? 0) + clusterScans.length,
      logBytes: run.logBytes,
      dynamoDb: run.stats.dynamoDbCapacity,
    }),
    emulatorBusyMs: Object.values(run.stats.serverMs).reduce((a, b) => a + b, 0),
    ...(() => {
      const p = phasesOf(run, floor);
      return p ? { slowestClusterPhases: p } : {};
    })(),
    quotaUse: quotaUseOf(run),
  };
}

/** Peak RSS of one invocation scanning one cluster of `nodes` nodes, each scan in a fresh worker. */
async function measureRss(bundlePath: string, nodes: number, seed: number, memoryMb: number) {
  const session = await startSession({
    nodes,
    clusters: 1,
    seed,
    // Memory does not depend on timing: fast node times, no throttling, quick polls.
    awsLike: false,
    bundlePath,
    memoryMb,
    env: { KUBELET_AUDIT_POLL_INITIAL_DELAY_MS: '300', KUBELET_AUDIT_POLL_INTERVAL_MS: '250' },
  });
  try {
    await session.scan();
    const first = await session.restartWorkers();
    await session.scan();
    const steady = await session.workerStats();
    return {
      nodes,
      firstScanRssBytes: first.maxRssBytes,
      steadyScanRssBytes: steady.maxRssBytes,
      // The target is the scheduled scan's (every scan after a deployment's first). The first scan,
      // whose 65,000 new findings queue behind Security Hub's import rate, is reported beside it.
      peakRssBytes: steady.maxRssBytes,
    };
  } finally {
    await session.stop();
  }
}

/** The first and the steady-state scan, then the steady-state scan again at each other SSM rate. */
export async function fleetScans(
  options: BenchOptions,
  ctx: Omit<ScanContext, 'first' | 'ssmRate'> & { bundlePath: string },
  progress: (message: string) => void,
) {
  const session = await startSession({
    nodes: options.nodes,
    clusters: options.clusters,
    seed: options.seed,
    awsLike: true,
    bundlePath: ctx.bundlePath,
    memoryMb: ctx.memoryMb,
  });
  // The deployed configuration: up to clustersPerInvocation clusters in the scheduled invocation,
  // more in events of that many (one invocation, a container, each).
  const perInvocation = CONFIG_DEFAULTS.clustersPerInvocation;
  const containers = options.clusters <= perInvocation ? 1 : 1 + Math.ceil(options.clusters / perInvocation);
  // Every later scan starts from cold containers, as one 12 hours later would.
  const coldScan = async (first: boolean, ssmRate: number) => {
    if (!first) await session.restartWorkers();
    await session.prewarm(containers);
    return analyse(await session.scan(), { ...ctx, first, ssmRate });
  };
  try {
    const first = await coldScan(true, DEFAULT_SSM_RATE);
    progress(`first scan: ${first.wallSeconds.toFixed(1)} s; steady-state scan next, from cold containers`);
    const steady = await coldScan(false, DEFAULT_SSM_RATE);
    progress(`steady-state scan: ${steady.wallSeconds.toFixed(1)} s`);
    const mainWorker = await session.workerStats();
    const ssmRateSweep: SweepPoint[] = [];
    for (const rate of options.ssmRates) {
      if (rate === DEFAULT_SSM_RATE) {
        ssmRateSweep.push({ ssmRatePerSecond: rate, scan: steady });
        continue;
      }
      await session.setSsmRate(rate);
      const scan = await coldScan(false, rate);
      progress(`steady-state scan at ${rate} SSM calls/s: ${scan.wallSeconds.toFixed(1)} s`);
      ssmRateSweep.push({ ssmRatePerSecond: rate, scan });
    }
    return { first, steady, mainWorker, ssmRateSweep };
  } finally {
    await session.stop();
  }
}

export async function measure(
  options: BenchOptions,
  progress: (message: string) => void,
): Promise<BenchResult> {
  const started = performance.now();
  const memoryMb = constructMemoryMb();
  progress('bundling functions/scanner/handler.ts with the construct’s esbuild options');
  const bundle = await bundleHandler();
  progress(`cold import: ${options.coldRuns} fresh node processes`);
  const coldImport = await coldImportMs(bundle.path, options.coldRuns);
  const catalogControls = controls.length;
  const controlCount = Math.min(options.controls ?? catalogControls, catalogControls);
  // Fewer controls: the scans run a bundle whose catalog is cut to the first N (bundle.ts).
  const scanBundle =
    controlCount < catalogControls ? await bundleHandler({ controls: controlCount }) : bundle;

  progress(
    `scanning ${options.nodes} nodes in ${options.clusters} clusters, ${controlCount} of ${catalogControls} controls (AWS-like timing and rate limits)`,
  );
  const scans = await fleetScans(
    options,
    { nodes: options.nodes, memoryMb, controls: controlCount, bundlePath: scanBundle.path },
    progress,
  );

  let rss: BenchResult['rss'];
  if (options.rssNodes > 0) {
    progress(
      `peak RSS: one invocation scanning one ${options.rssNodes}-node cluster, emulator in another process`,
    );
    rss = await measureRss(scanBundle.path, options.rssNodes, options.seed, memoryMb);
  }
  for (const b of new Set([bundle.path, scanBundle.path]))
    rmSync(dirname(b), { recursive: true, force: true });
  const cpu = cpus();
  return {
    options,
    controls: controlCount,
    catalogControls,
    memoryMb,
    ...scans,
    ...(rss ? { rss } : {}),
    bundle: { bytes: bundle.bytes, mapBytes: bundle.mapBytes },
    coldImport,
    machine: {
      cpu: cpu[0]?.model.trim() ?? 'unknown',
      cores: cpu.length,
      memoryGb: Math.round(totalmem() / 1024 ** 3),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      loadAverage: loadavg()[0] ?? 0,
    },
    date: new Date().toISOString(),
    benchSeconds: (performance.now() - started) / 1000,
  };
}
