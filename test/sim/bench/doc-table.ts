/**
 * `npx tsx test/sim/bench/doc-table.ts bench-result.json [more.json …]`: the results table of
 * docs/performance.md for each result file (one per fleet shape), and the README's one-row summary of
 * each, so the documents are updated by pasting, not by hand.
 */
import { readFileSync } from 'node:fs';
import type { resultJson } from './report.ts';

type Result = ReturnType<typeof resultJson>;
type Scan = Result['scans']['first'];

const n1 = (v: number) => v.toFixed(1);
const n2 = (v: number) => v.toFixed(2);
const usd = (v: number) => `$${v.toFixed(4)}`;
const pct = (v: number) => `${(v * 100).toFixed(1)} %`;

function verdict(r: Result, key: string): string {
  const t = r.targets.find((x) => x.key === key);
  return t ? `${t.pass ? 'PASS' : 'FAIL'}` : '';
}

function rows(r: Result): string[][] {
  const f = r.scans.first;
  const s = r.scans.steady;
  const both = (get: (x: Scan) => string) => [get(f), get(s)];
  const L = r.targetLimits;
  const out: string[][] = [
    ['wall time, whole scan (s)', ...both((x) => n1(x.wallSeconds)), ''],
    ['floor (s)', ...both((x) => n1(x.floorSeconds)), ''],
    [
      'ratio to floor',
      ...both((x) => n2(x.ratioToFloor)),
      `≤ ${L.ratioToFloor} both: ${verdict(r, 'scans.first.ratioToFloor')} / ${verdict(r, 'ratioToFloor')}`,
    ],
    ['floor set by', ...both((x) => x.floorBinding), ''],
    [
      'API calls per 1,000 nodes (DynamoDB included)',
      ...both((x) => n1(x.callsPer1000Nodes)),
      `≤ ${L.callsPer1000Nodes} steady: ${verdict(r, 'callsPer1000Nodes')}`,
    ],
    [
      'findings imported (share of nodes × controls)',
      ...both((x) => `${x.findingsImported} (${pct(x.findingsImportedShare)})`),
      `≤ ${L.findingsShare * 100} % steady: ${verdict(r, 'findingsImportedShare')}`,
    ],
    [
      'DynamoDB request units, read / write',
      ...both((x) => `${x.dynamoDbRequestUnits.read} / ${x.dynamoDbRequestUnits.write}`),
      '',
    ],
    ['Lambda GB-s per 1,000 nodes', ...both((x) => n2(x.gbSecondsPer1000Nodes)), ''],
    [
      'cost per 1,000 nodes per scan (list prices)',
      ...both((x) => usd(x.costPer1000NodesUsd)),
      `≤ $${L.costPer1000NodesUsd} steady: ${verdict(r, 'costPer1000NodesUsd')}`,
    ],
  ];
  for (const p of r.ssmRateSweep) {
    out.push([
      `steady state, SSM at ${p.ssmRatePerSecond} calls/s: ratio to floor (calls per 1,000 nodes)`,
      '',
      `${n2(p.ratioToFloor)} (${n1(p.callsPer1000Nodes)})`,
      `≤ ${L.sweepRatioToFloor}: ${p.pass ? 'PASS' : 'FAIL'}`,
    ]);
  }
  if (r.peakRss) {
    out.push([
      `peak RSS, one invocation, ${r.peakRss.nodes}-node cluster (MiB)`,
      n1(r.peakRss.firstScanRssBytes / 1024 ** 2),
      n1(r.peakRss.steadyScanRssBytes / 1024 ** 2),
      `≤ ${L.peakRssMb} steady: ${verdict(r, 'peakRssMb')}`,
    ]);
  }
  out.push(
    ['bundle (bytes)', '', String(r.bundleBytes), `≤ 1.5 MB: ${verdict(r, 'bundleBytes')}`],
    [
      'cold import, median (ms)',
      '',
      n1(r.coldImportMs),
      `≤ ${L.coldImportMs}: ${verdict(r, 'coldImportMs')}`,
    ],
    ['bench run (s)', '', n1(r.benchSeconds), `≤ ${L.benchSeconds}: ${verdict(r, 'benchSeconds')}`],
  );
  return out;
}

function table(header: string[], body: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    line(header),
    `|${header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...body.map(line),
  ].join('\n');
}

export function docTable(r: Result): string {
  const title = `### ${r.nodes.toLocaleString('en-US')} nodes in ${r.clusters} cluster(s), ${r.controls} controls (${r.preset})`;
  const machine = `${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node}, ${r.date.slice(0, 10)}, load average ${r.machine.loadAverage.toFixed(1)} at the end`;
  return [title, '', machine, '', table(['', 'first scan', 'steady state', 'target'], rows(r))].join('\n');
}

export function readmeRow(r: Result): string {
  return `| ${r.nodes.toLocaleString('en-US')} nodes, ${r.clusters} cluster(s) | ${n1(r.wallSeconds)} s (${n2(r.ratioToFloor)} × floor) | ${n1(r.callsPer1000Nodes)} | ${usd(r.costPer1000NodesUsd)} | ${r.peakRssMb === null ? '-' : `${r.peakRssMb.toFixed(0)} MiB`} |`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = process.argv.slice(2).map((file) => JSON.parse(readFileSync(file, 'utf8')) as Result);
  for (const r of results) process.stdout.write(`${docTable(r)}\n\n`);
  process.stdout.write(
    `${table(
      [
        'fleet (steady-state scan)',
        'wall (ratio to floor)',
        'calls / 1,000 nodes',
        'cost / 1,000 nodes',
        'peak RSS, one 5,000-node invocation',
      ],
      [],
    )}\n${results.map(readmeRow).join('\n')}\n`,
  );
}
