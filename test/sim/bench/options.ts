/** `npm run bench -- [options]`: the fleet to scan and what else to measure. */

export interface BenchOptions {
  readonly nodes: number;
  readonly clusters: number;
  readonly seed: number;
  /** Nodes of the single cluster whose one-invocation peak RSS is measured (0 = skip). */
  readonly rssNodes: number;
  /** Fresh `node` processes for the cold-import median. */
  readonly coldRuns: number;
  readonly out: string;
  readonly label: string;
  /** Controls evaluated per node: the first N of the catalog; undefined = the whole catalog. */
  readonly controls?: number;
  /** SSM rates (calls/s, every SSM operation) at which the steady-state scan is repeated. */
  readonly ssmRates: readonly number[];
}

export const USAGE = `Usage: npm run bench -- [options]
  --nodes N          nodes in the fleet (default 10000)
  --clusters N       clusters they are spread over (default 20)
  --preset large     one 5,000-node cluster (= --nodes 5000 --clusters 1)
  --quick            small run: 1,000 nodes in 4 clusters, 1,000-node memory run, 3 cold imports
  --rss-nodes N      nodes of the single cluster whose peak RSS is measured (default 5000; 0 = skip)
  --controls N       evaluate only the first N controls of the catalog (default: all of them)
  --ssm-rates LIST   SSM rates (calls/s) for the steady-state sweep (default 5,10,20; "none" skips it)
  --seed N           fleet and timing seed (default 42)
  --out FILE         result file (default bench-result.json)`;

const DEFAULTS: BenchOptions = {
  nodes: 10_000,
  clusters: 20,
  seed: 42,
  rssNodes: 5_000,
  coldRuns: 7,
  out: 'bench-result.json',
  label: 'default',
  ssmRates: [5, 10, 20],
};

function rates(raw: string | undefined): number[] {
  if (raw === 'none') return [];
  const list = (raw ?? '').split(',').map((r) => Number(r.trim()));
  if (!raw || list.some((r) => !Number.isFinite(r) || r <= 0)) {
    throw new Error(
      `--ssm-rates needs positive numbers separated by commas, or "none"; got ${raw ?? 'nothing'}`,
    );
  }
  return [...new Set(list)].sort((a, b) => a - b);
}

function positiveInt(flag: string, raw: string | undefined, min: number): number {
  const n = Number(raw);
  if (raw === undefined || !Number.isInteger(n) || n < min) {
    throw new Error(`${flag} needs an integer ≥ ${min}, got ${raw ?? 'nothing'}`);
  }
  return n;
}

export function parseOptions(argv: readonly string[]): BenchOptions {
  const args = argv.filter((a) => a !== '--');
  let o: BenchOptions = { ...DEFAULTS };
  const explicit: Partial<{ -readonly [K in keyof BenchOptions]: BenchOptions[K] }> = {};
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    switch (flag) {
      case '--quick':
        o = { ...o, nodes: 1_000, clusters: 4, rssNodes: 1_000, coldRuns: 3, label: 'quick' };
        break;
      case '--preset': {
        const name = args[++i];
        if (name !== 'large') throw new Error(`unknown preset ${name ?? ''} (known: large)`);
        o = { ...o, nodes: 5_000, clusters: 1, label: 'large-cluster' };
        break;
      }
      case '--nodes':
        explicit.nodes = positiveInt(flag, args[++i], 1);
        break;
      case '--clusters':
        explicit.clusters = positiveInt(flag, args[++i], 1);
        break;
      case '--rss-nodes':
        explicit.rssNodes = positiveInt(flag, args[++i], 0);
        break;
      case '--controls':
        explicit.controls = positiveInt(flag, args[++i], 1);
        break;
      case '--ssm-rates':
        explicit.ssmRates = rates(args[++i]);
        break;
      case '--seed':
        explicit.seed = positiveInt(flag, args[++i], 0);
        break;
      case '--out': {
        const out = args[++i];
        if (!out) throw new Error('--out needs a file name');
        explicit.out = out;
        break;
      }
      default:
        throw new Error(`unknown option ${flag}`);
    }
  }
  const merged = { ...o, ...explicit };
  if (merged.clusters > merged.nodes) throw new Error('--clusters cannot exceed --nodes');
  const custom = explicit.nodes !== undefined || explicit.clusters !== undefined;
  return { ...merged, label: custom ? `${merged.nodes} nodes / ${merged.clusters} clusters` : merged.label };
}
