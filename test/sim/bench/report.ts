/** The bench's table, its targets and bench-result.json. */
import { PRICES } from './cost.ts';
import type { BenchResult, ScanResult } from './measure.ts';

export const TARGETS = {
  callsPer1000Nodes: 80,
  ratioToFloor: 1.2,
  /** Each steady-state scan of the SSM rate sweep. */
  sweepRatioToFloor: 1.3,
  /** findingsImported / (nodes × controls), steady state. */
  findingsShare: 0.1,
  costPer1000NodesUsd: 0.03,
  peakRssMb: 256,
  /** MB = 10^6 bytes (the stricter reading). */
  bundleBytes: 1_500_000,
  coldImportMs: 300,
  benchSeconds: 600,
} as const;

/** RSS in MiB, the unit of Lambda's memory setting and of its "Max Memory Used". */
const MB = 1024 * 1024;

export interface TargetCheck {
  /** The bench-result.json key the target is about. */
  readonly key: string;
  readonly target: string;
  readonly measured: string;
  readonly pass: boolean;
}

const ratio = (s: ScanResult) =>
  `${s.ratioToFloor.toFixed(2)} × (${s.wallSeconds.toFixed(1)} s / ${s.floor.seconds.toFixed(1)} s)`;

/** The targets of the scans: steady state, first scan, the SSM rate sweep. */
function scanChecks(r: BenchResult): TargetCheck[] {
  const s = r.steady;
  const checks: TargetCheck[] = [
    {
      key: 'callsPer1000Nodes',
      target: `API calls per 1,000 nodes ≤ ${TARGETS.callsPer1000Nodes} (steady state, DynamoDB included)`,
      measured: s.callsPer1000Nodes.toFixed(1),
      pass: s.callsPer1000Nodes <= TARGETS.callsPer1000Nodes,
    },
    {
      key: 'ratioToFloor',
      target: `wall ≤ ${TARGETS.ratioToFloor} × floor (steady state)`,
      measured: ratio(s),
      pass: s.ratioToFloor <= TARGETS.ratioToFloor,
    },
    {
      key: 'findingsImportedShare',
      target: `findings imported ≤ ${TARGETS.findingsShare * 100} % of nodes × controls (steady state)`,
      measured: `${(s.findingsShare * 100).toFixed(1)} % (${s.findingsImported} of ${r.options.nodes * r.controls})`,
      pass: s.findingsShare <= TARGETS.findingsShare,
    },
    {
      key: 'costPer1000NodesUsd',
      target: `cost ≤ $${TARGETS.costPer1000NodesUsd} per 1,000 nodes per scan (steady state, list prices)`,
      measured: `$${s.cost.per1000NodesUsd.toFixed(4)}`,
      pass: s.cost.per1000NodesUsd <= TARGETS.costPer1000NodesUsd,
    },
    {
      key: 'scans.first.ratioToFloor',
      target: `wall ≤ ${TARGETS.ratioToFloor} × floor (first scan, every finding imported)`,
      measured: ratio(r.first),
      pass: r.first.ratioToFloor <= TARGETS.ratioToFloor,
    },
  ];
  for (const p of r.ssmRateSweep) {
    checks.push({
      key: `ssmRateSweep[${p.ssmRatePerSecond}].ratioToFloor`,
      target: `wall ≤ ${TARGETS.sweepRatioToFloor} × floor (steady state, SSM at ${p.ssmRatePerSecond} calls/s)`,
      measured: ratio(p.scan),
      pass: p.scan.ratioToFloor <= TARGETS.sweepRatioToFloor,
    });
  }
  return checks;
}

export function checkTargets(r: BenchResult): TargetCheck[] {
  const checks = scanChecks(r);
  if (r.rss) {
    const mb = r.rss.peakRssBytes / MB;
    checks.push({
      key: 'peakRssMb',
      target: `peak RSS ≤ ${TARGETS.peakRssMb} MiB (steady state, one invocation, ${r.rss.nodes}-node cluster)`,
      measured: `${mb.toFixed(0)} MiB (first scan ${(r.rss.firstScanRssBytes / MB).toFixed(0)} MiB)`,
      pass: mb <= TARGETS.peakRssMb,
    });
  }
  checks.push({
    key: 'bundleBytes',
    target: 'bundle ≤ 1.5 MB (10^6 bytes)',
    measured: `${(r.bundle.bytes / 1e6).toFixed(3)} MB (${r.bundle.bytes} bytes)`,
    pass: r.bundle.bytes <= TARGETS.bundleBytes,
  });
  checks.push({
    key: 'coldImportMs',
    target: `cold import ≤ ${TARGETS.coldImportMs} ms (median of ${r.coldImport.samples.length})`,
    measured: `${r.coldImport.median.toFixed(0)} ms`,
    pass: r.coldImport.median <= TARGETS.coldImportMs,
  });
  checks.push({
    key: 'benchSeconds',
    target: `bench run ≤ ${TARGETS.benchSeconds / 60} minutes`,
    measured: `${r.benchSeconds.toFixed(0)} s (load average ${r.machine.loadAverage.toFixed(1)} on ${r.machine.cores} cores)`,
    pass: r.benchSeconds <= TARGETS.benchSeconds,
  });
  return checks;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

const usd = (v: number) => (v < 0.01 ? `$${v.toFixed(5)}` : `$${v.toFixed(4)}`);

export function renderReport(r: BenchResult): string {
  const { first: f, steady: s } = r;
  const nodes = r.options.nodes;
  const scanRows: [string, (x: ScanResult) => string][] = [
    ['wall time, whole scan incl. fan-out (s)', (x) => x.wallSeconds.toFixed(1)],
    ['slowest cluster scan (s)', (x) => x.slowestClusterSeconds.toFixed(1)],
    ['floor (s)', (x) => x.floor.seconds.toFixed(1)],
    ['ratio to floor', (x) => x.ratioToFloor.toFixed(2)],
    ['floor set by', (x) => x.floor.binding],
    ['floor: quickest collection plan (longest chain)', (x) => x.floorPlan],
    ['API calls', (x) => String(x.apiCallsTotal)],
    ['API calls per 1,000 nodes', (x) => x.callsPer1000Nodes.toFixed(1)],
    [
      'floor calls (per 1,000 nodes)',
      (x) => `${x.floor.totalCalls} (${x.floorCallsPer1000Nodes.toFixed(1)})`,
    ],
    ['throttled calls', (x) => String(Object.values(x.throttled).reduce((a, b) => a + b, 0))],
    ['Lambda invocations (failed)', (x) => `${x.invocations} (${x.failedInvocations.length})`],
    ['max poll rounds in a cluster', (x) => String(x.maxPollRounds)],
    ['findings imported', (x) => String(x.findingsImported)],
    ['findings imported / (nodes × controls)', (x) => `${(x.findingsShare * 100).toFixed(1)} %`],
    ['DynamoDB request units (read / write)', (x) => `${x.dynamoDbUnits.read} / ${x.dynamoDbUnits.write}`],
    ['Lambda GB-s per 1,000 nodes', (x) => x.cost.gbSecondsPer1000Nodes.toFixed(2)],
    ['cost per 1,000 nodes per scan (list)', (x) => usd(x.cost.per1000NodesUsd)],
  ];
  const main = table(
    ['', 'first scan', 'steady state'],
    scanRows.map(([label, get]) => [label, get(f), get(s)]),
  );
  const ops = [
    ...new Set([...Object.keys(f.apiCalls), ...Object.keys(s.apiCalls), ...Object.keys(s.floor.calls)]),
  ].sort();
  const opTable = table(
    ['operation', 'first', 'steady', 'floor (steady)', 'throttled (steady)'],
    ops.map((op) => [
      op,
      String(f.apiCalls[op] ?? 0),
      String(s.apiCalls[op] ?? 0),
      String(s.floor.calls[op] ?? 0),
      String(s.throttled[op] ?? 0),
    ]),
  );
  const phaseRows: [string, (p: NonNullable<ScanResult['slowestClusterPhases']>) => string][] = [
    ['cluster', (p) => p.cluster],
    ['discovery: start → first SendCommand', (p) => p.discovery.toFixed(1)],
    ['nodes: first SendCommand → slowest node done', (p) => p.nodes.toFixed(1)],
    ['detect + read: slowest node done → first import', (p) => p.detectAndRead.toFixed(1)],
    ['import + report: first import → end', (p) => p.importAndReport.toFixed(1)],
    ['invocation total', (p) => p.total.toFixed(1)],
    ['floor chain of this cluster', (p) => p.floorChain.toFixed(1)],
  ];
  const phaseTable = table(
    ['slowest cluster, phases (s)', 'first scan', 'steady state'],
    phaseRows.map(([label, get]) => [
      label,
      f.slowestClusterPhases ? get(f.slowestClusterPhases) : '-',
      s.slowestClusterPhases ? get(s.slowestClusterPhases) : '-',
    ]),
  );
  const rateTable = table(
    ['rate-limited operation (steady)', 'floor demand', 'earliest end (s)'],
    s.floor.rateBounds.map((b) => [b.operation, String(b.demand), b.seconds.toFixed(1)]),
  );
  const quotaRows = (scan: typeof s) =>
    new Map(
      scan.quotaUse.map((q) => [
        q.operation,
        `${q.calls}: ${q.fromSeconds.toFixed(1)}–${q.toSeconds.toFixed(1)} s, ${(q.busyShare * 100).toFixed(0)} %`,
      ]),
    );
  const firstQuota = quotaRows(f);
  const steadyQuota = quotaRows(s);
  const quotaTable = table(
    ['quota use: calls that went through, first–last, bucket busy', 'first scan', 'steady state'],
    [...new Set([...firstQuota.keys(), ...steadyQuota.keys()])]
      .sort()
      .map((op) => [op, firstQuota.get(op) ?? '-', steadyQuota.get(op) ?? '-']),
  );
  const sweepTable = table(
    [
      'steady state at SSM rate (calls/s)',
      'wall (s)',
      'floor (s)',
      'ratio to floor',
      'calls per 1,000 nodes',
      'throttled',
    ],
    r.ssmRateSweep.map((p) => [
      String(p.ssmRatePerSecond),
      p.scan.wallSeconds.toFixed(1),
      p.scan.floor.seconds.toFixed(1),
      p.scan.ratioToFloor.toFixed(2),
      p.scan.callsPer1000Nodes.toFixed(1),
      String(Object.values(p.scan.throttled).reduce((a, b) => a + b, 0)),
    ]),
  );
  const costTable = table(
    ['cost per 1,000 nodes per scan (steady)', 'USD', 'price used'],
    Object.entries(s.cost.per1000NodesBreakdownUsd).map(([k, v]) => [k, usd(v), priceNote(k)]),
  );
  const other = table(
    ['measurement', 'value'],
    [
      [
        `peak RSS, one invocation, ${r.rss?.nodes ?? '-'}-node cluster`,
        r.rss
          ? `first scan ${(r.rss.firstScanRssBytes / MB).toFixed(0)} MiB, steady state ${(r.rss.steadyScanRssBytes / MB).toFixed(0)} MiB`
          : 'skipped',
      ],
      ['bundle (index.mjs, without map)', `${r.bundle.bytes} bytes`],
      [
        'cold import (median)',
        `${r.coldImport.median.toFixed(0)} ms (${r.coldImport.samples.map((x) => x.toFixed(0)).join(', ')})`,
      ],
      ['Lambda memory (construct default)', `${r.memoryMb} MiB`],
      [
        'Lambda containers (worker processes), steady scan',
        `${r.mainWorker.workers ?? 1} containers, ${(r.mainWorker.cpuMs / 1000).toFixed(1)} s CPU in all, busiest event loop ${(r.mainWorker.eventLoopUtilization * 100).toFixed(0)} %, largest RSS ${(r.mainWorker.maxRssBytes / MB).toFixed(0)} MiB`,
      ],
      [
        'emulator busy (steady scan)',
        `${(s.emulatorBusyMs / 1000).toFixed(1)} s of ${s.wallSeconds.toFixed(1)} s`,
      ],
      ['monthly at 2 scans/day (steady, list, SH free tier applied)', usd(s.cost.monthlyAt2ScansPerDayUsd)],
      [
        'machine',
        `${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memoryGb} GB, Node ${r.machine.node}`,
      ],
      [
        'bench duration',
        `${r.benchSeconds.toFixed(0)} s (load average ${r.machine.loadAverage.toFixed(1)} on ${r.machine.cores} cores at the end)`,
      ],
    ],
  );
  const targets = table(
    ['target', 'measured', 'result'],
    checkTargets(r).map((c) => [c.target, c.measured, c.pass ? 'PASS' : 'FAIL']),
  );
  return [
    `Fleet: ${nodes} nodes in ${r.options.clusters} cluster(s) (${r.options.label}), seed ${r.options.seed}, ${r.controls} of the catalog's ${r.catalogControls} controls. Times are simulated AWS time: the emulator clock runs unscaled, so 1 s here is 1 s of scan.`,
    '',
    main,
    '',
    opTable,
    '',
    phaseTable,
    '',
    rateTable,
    '',
    quotaTable,
    '',
    ...(r.ssmRateSweep.length > 0 ? [sweepTable, ''] : []),
    costTable,
    '',
    other,
    '',
    targets,
    ...(s.failedInvocations.length > 0
      ? ['', `Failed invocations: ${s.failedInvocations.slice(0, 3).join('; ')}`]
      : []),
  ].join('\n');
}

function priceNote(key: string): string {
  switch (key) {
    case 'lambda':
      return `$${PRICES.lambdaArmGbSecond.usd}/GB-s arm64 + $0.20/1M requests`;
    case 'ssmRunCommand':
      return 'free on EC2';
    case 'securityHub':
      return `$${PRICES.securityHubFindingIngestion.usd}/finding ingested (first 10,000 a month free)`;
    case 'eventBridge':
      return '$1.00/1M custom events';
    case 'scheduler':
      return '$1.00/1M (14M a month free)';
    case 'cloudWatchLogs':
      return '$0.50/GB ingested';
    case 'dynamoDb':
      return '$0.125/1M read, $0.625/1M write request units (on-demand)';
    default:
      return '';
  }
}

/** bench-result.json: the steady-state scan at the top level (the scan every schedule repeats). */
export function resultJson(r: BenchResult) {
  const s = r.steady;
  const scan = (x: ScanResult) => ({
    wallSeconds: x.wallSeconds,
    slowestClusterSeconds: x.slowestClusterSeconds,
    fanOutSeconds: x.fanOutSeconds,
    floorSeconds: x.floor.seconds,
    floorBinding: x.floor.binding,
    floorPlan: x.floorPlan,
    floorSlowestClusterSeconds: x.floor.slowestClusterSeconds,
    floorRateBounds: x.floor.rateBounds,
    slowestClusterPhases: x.slowestClusterPhases ?? null,
    quotaUse: x.quotaUse,
    ratioToFloor: x.ratioToFloor,
    ssmRatePerSecond: x.ssmRatePerSecond,
    apiCalls: x.apiCalls,
    apiCallsTotal: x.apiCallsTotal,
    callsPer1000Nodes: x.callsPer1000Nodes,
    floorCalls: x.floor.calls,
    floorCallsTotal: x.floor.totalCalls,
    floorCallsPer1000Nodes: x.floorCallsPer1000Nodes,
    throttled: x.throttled,
    invocations: x.invocations,
    failedInvocations: x.failedInvocations,
    maxPollRounds: x.maxPollRounds,
    deadlineReached: x.deadlineReached,
    findingsImported: x.findingsImported,
    findingsImportedShare: x.findingsShare,
    dynamoDbRequestUnits: x.dynamoDbUnits,
    nodesByStatus: x.nodesByStatus,
    gbSeconds: x.cost.gbSeconds,
    gbSecondsPer1000Nodes: x.cost.gbSecondsPer1000Nodes,
    costPerScanUsd: x.cost.perScanTotalUsd,
    costPer1000NodesUsd: x.cost.per1000NodesUsd,
    costPer1000NodesBreakdownUsd: x.cost.per1000NodesBreakdownUsd,
    monthlyAt2ScansPerDayUsd: x.cost.monthlyAt2ScansPerDayUsd,
  });
  const steady = scan(s);
  const targets = checkTargets(r);
  return {
    nodes: r.options.nodes,
    clusters: r.options.clusters,
    preset: r.options.label,
    controls: r.controls,
    catalogControls: r.catalogControls,
    scan: 'steady-state (every scheduled scan after the first); the first scan is under scans.first',
    timeBase: 'simulated AWS time; the emulator clock is unscaled (1 simulated s = 1 real s)',
    ...steady,
    costBreakdown: steady.costPer1000NodesBreakdownUsd,
    peakRssMb: r.rss ? r.rss.peakRssBytes / MB : null,
    peakRss: r.rss ?? null,
    bundleBytes: r.bundle.bytes,
    bundleMapBytes: r.bundle.mapBytes,
    coldImportMs: r.coldImport.median,
    coldImportSamplesMs: r.coldImport.samples,
    lambdaMemoryMb: r.memoryMb,
    scannerWorker: r.mainWorker,
    ssmRateSweep: r.ssmRateSweep.map((p) => ({
      ssmRatePerSecond: p.ssmRatePerSecond,
      ratioToFloor: p.scan.ratioToFloor,
      callsPer1000Nodes: p.scan.callsPer1000Nodes,
      wallSeconds: p.scan.wallSeconds,
      floorSeconds: p.scan.floor.seconds,
      floorBinding: p.scan.floor.binding,
      throttled: Object.values(p.scan.throttled).reduce((a, b) => a + b, 0),
      pass: p.scan.ratioToFloor <= TARGETS.sweepRatioToFloor,
    })),
    scans: {
      first: scan(r.first),
      steady,
      ssmRateSweep: Object.fromEntries(r.ssmRateSweep.map((p) => [String(p.ssmRatePerSecond), scan(p.scan)])),
    },
    targets,
    pass: targets.every((t) => t.pass),
    targetLimits: TARGETS,
    prices: PRICES,
    machine: r.machine,
    date: r.date,
    benchSeconds: r.benchSeconds,
  };
}
