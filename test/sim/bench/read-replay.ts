/**
 * How soon the results of a traced scan could have been read, with the scan's own commands: the same
 * pages (50 invocations each, in SSM's listing order) and the same node end times, read by a reader
 * that knows at every instant how many nodes of each group still run (what ListCommands counts, with
 * no poll delay) and reads page by page at the read quota's pace, choosing the group whose unread
 * nodes run least. A page read while some of its nodes run leaves them to one GetCommandInvocation
 * each, asked as each ends, from a second quota. Pure, and unit-tested (test/sim/bench-read-replay.test.ts);
 * `npx tsx test/sim/bench/read-replay.ts <BENCH_TRACE prefix>.<pid>.<scan>` replays a traced scan.
 *
 * Not a floor: a reader can also pick pages by what it cannot know, and this one is one policy among
 * many. It answers a narrower question, measured rather than argued: with these pages and this
 * information, how much of the gap between a scan and the floor is the reading policy's.
 */
import { readFileSync } from 'node:fs';

export interface ReplayInvocation {
  readonly command: string;
  /** Position in the command's invocation listing. */
  readonly index: number;
  /** Seconds from the scan's start when the invocation ended; undefined: it never runs (offline). */
  readonly endS?: number;
}

export interface Quota {
  readonly ratePerSecond: number;
  readonly burst: number;
}

export interface ReplayResult {
  /** When the last page is asked for (s from the scan's start). */
  readonly lastReadS: number;
  /** When the first page is asked for. */
  readonly firstReadS: number;
  readonly pages: number;
  readonly stragglers: number;
}

const PAGE = 50;

/** Each command's pages, in listing order: the end times of the nodes each holds (offline ones left out). */
export function pagesByCommand(invocations: readonly ReplayInvocation[]): number[][][] {
  const byCommand = new Map<string, ReplayInvocation[]>();
  for (const inv of invocations) byCommand.set(inv.command, [...(byCommand.get(inv.command) ?? []), inv]);
  return [...byCommand.values()].map((list) => {
    const sorted = [...list].sort((a, b) => a.index - b.index);
    const pages: number[][] = [];
    for (let i = 0; i < sorted.length; i += PAGE) {
      pages.push(
        sorted
          .slice(i, i + PAGE)
          .flatMap((inv) => (inv.endS === undefined ? [] : [inv.endS]))
          .sort((a, b) => a - b),
      );
    }
    return pages;
  });
}

/**
 * The schedule that ends its reads at `lastS`, or undefined if none does with these quotas. Reading
 * later leaves fewer stragglers, so each page is read as late as the quota allows a run of pages
 * ending at `lastS`: the last `burst` together, the others one per 1/rate before them.
 */
function readBy(
  chains: readonly number[][][],
  lastS: number,
  read: Quota,
  stragglerQuota: Quota,
): ReplayResult | undefined {
  const total = chains.reduce((n, c) => n + c.length, 0);
  const heads = chains.map(() => 0);
  const released: number[] = [];
  let firstReadS = lastS;
  for (let k = 0; k < total; k++) {
    const fromEnd = total - 1 - k;
    const at = lastS - Math.max(0, fromEnd - (read.burst - 1)) / read.ratePerSecond;
    if (k === 0) firstReadS = at;
    let best = -1;
    let bestShare = Number.POSITIVE_INFINITY;
    chains.forEach((pages, c) => {
      const head = heads[c] ?? 0;
      if (head >= pages.length) return;
      let running = 0;
      let nodes = 0;
      for (const page of pages.slice(head)) {
        nodes += page.length;
        for (const end of page) if (end > at) running++;
      }
      const share = nodes === 0 ? 0 : running / nodes;
      if (share < bestShare) {
        bestShare = share;
        best = c;
      }
    });
    const page = chains[best]?.[heads[best] ?? 0] ?? [];
    heads[best] = (heads[best] ?? 0) + 1;
    for (const end of page) {
      if (end <= at) continue;
      if (end > lastS) return undefined;
      released.push(end);
    }
  }
  // Each straggler is asked for once it ended, by `lastS`: possible iff, for every t, those ending at
  // t or later fit in what the second quota allows from t to lastS.
  released.sort((a, b) => a - b);
  for (let i = 0; i < released.length; i++) {
    const after = released.length - i;
    if (after > stragglerQuota.burst + stragglerQuota.ratePerSecond * (lastS - (released[i] ?? 0)) + 1e-9)
      return undefined;
  }
  return { lastReadS: lastS, firstReadS, pages: total, stragglers: released.length };
}

/** The soonest end of reads (to `resolutionS`) for which the policy finds a schedule. */
export function replayReads(
  invocations: readonly ReplayInvocation[],
  read: Quota,
  stragglerQuota: Quota,
  resolutionS = 0.01,
): ReplayResult {
  const chains = pagesByCommand(invocations);
  const lastEnd = Math.max(0, ...invocations.flatMap((i) => (i.endS === undefined ? [] : [i.endS])));
  let lo = lastEnd - resolutionS;
  let hi = lastEnd + chains.reduce((n, c) => n + c.length, 0) / read.ratePerSecond + 1;
  let found = readBy(chains, hi, read, stragglerQuota);
  if (!found) throw new Error('no schedule even at the slowest pace');
  while (hi - lo > resolutionS) {
    const mid = (lo + hi) / 2;
    const result = readBy(chains, mid, read, stragglerQuota);
    if (result) {
      hi = mid;
      found = result;
    } else lo = mid;
  }
  return found;
}

function main(prefix: string): void {
  const lines = (file: string) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const calls = lines(`${prefix}.jsonl`);
  const startMs = Math.min(...calls.map((c) => Number(c.t0)));
  const invocations: ReplayInvocation[] = lines(`${prefix}.invocations.jsonl`).map((r) => ({
    command: String(r.command),
    index: Number(r.index),
    ...(r.kind === 'never' ? {} : { endS: (Number(r.endMs) - startMs) / 1000 }),
  }));
  const reads = calls.filter((c) => c.op === 'ListCommandInvocations' && c.outcome === 'ok');
  const scanLast = Math.max(...reads.map((c) => (Number(c.t0) - startMs) / 1000));
  const scanFirst = Math.min(...reads.map((c) => (Number(c.t0) - startMs) / 1000));
  const quota = { ratePerSecond: 10, burst: 20 };
  const best = replayReads(invocations, quota, quota);
  console.log(
    `scan: ${reads.length} pages read ${scanFirst.toFixed(2)}–${scanLast.toFixed(2)} s; ` +
      `replay: ${best.pages} pages read ${best.firstReadS.toFixed(2)}–${best.lastReadS.toFixed(2)} s, ` +
      `${best.stragglers} stragglers`,
  );
}

if (process.argv[1]?.endsWith('read-replay.ts')) {
  const prefix = process.argv[2];
  if (!prefix) {
    console.error('usage: npx tsx test/sim/bench/read-replay.ts <trace prefix>.<pid>.<scan>');
    process.exit(2);
  }
  main(prefix);
}
