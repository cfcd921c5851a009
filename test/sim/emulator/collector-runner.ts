/**
 * Runs the REAL collector (`HOST_ROOT=<tree> bash functions/collector/collect.sh`) against a
 * simulated node tree, the way the SSM agent runs our document's step on a node.
 *
 * Output is cached per distinct node tree (preset + options): every node of a profile prints the
 * same document, so a 10,000-node fleet costs one bash run per profile, not per node. Runs are
 * bounded in number (child processes) and in time.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { NodeTreeRef } from '../fleet.ts';
import { nodePresets, writeNodeTree } from '../node-tree.ts';

export interface CollectorResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface CollectorRunner {
  run(tree: NodeTreeRef): Promise<CollectorResult>;
  /** bash processes started (cache misses). */
  readonly stats: { runs: number; cacheHits: number };
  close(): void;
}

export const DEFAULT_COLLECTOR_PATH = resolve(import.meta.dirname, '../../../functions/collector/collect.sh');

export interface CollectorRunnerOptions {
  scriptPath?: string;
  /** Parallel bash processes (default 4; this machine has 2 cores). */
  concurrency?: number;
  /** Kill a run after this many real ms (default 30 s) and report exit 124 like timeout(1). */
  timeoutMs?: number;
}

/** Stable key: object keys sorted, so option order does not split the cache. */
export function treeKey(tree: NodeTreeRef): string {
  return JSON.stringify(tree, (_key, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value) && !Buffer.isBuffer(value)
      ? Object.fromEntries(
          Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
        )
      : value,
  );
}

export function createCollectorRunner(options: CollectorRunnerOptions = {}): CollectorRunner {
  const scriptPath = options.scriptPath ?? DEFAULT_COLLECTOR_PATH;
  const concurrency = options.concurrency ?? 4;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const workDir = mkdtempSync(join(tmpdir(), 'kubelet-audit-nodes-'));
  const cache = new Map<string, Promise<CollectorResult>>();
  const stats = { runs: 0, cacheHits: 0 };
  const waiting: (() => void)[] = [];
  let active = 0;

  const slot = async () => {
    if (active >= concurrency) await new Promise<void>((r) => waiting.push(r));
    active++;
  };
  const release = () => {
    active--;
    waiting.shift()?.();
  };

  const execute = async (tree: NodeTreeRef): Promise<CollectorResult> => {
    await slot();
    try {
      const root = join(workDir, `node-${++stats.runs}`);
      mkdirSync(root);
      const preset = nodePresets[tree.preset];
      if (!preset) throw new Error(`unknown node-tree preset ${tree.preset}`);
      writeNodeTree(root, preset(tree.options));
      return await new Promise<CollectorResult>((done) => {
        execFile(
          'bash',
          [scriptPath],
          {
            env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOST_ROOT: root, LC_ALL: 'C' },
            timeout: timeoutMs,
            maxBuffer: 64 * 1024 * 1024,
            encoding: 'utf8',
          },
          (error, stdout, stderr) => {
            const code = error ? (error.killed ? 124 : typeof error.code === 'number' ? error.code : 127) : 0;
            done({ exitCode: code, stdout, stderr });
          },
        );
      });
    } finally {
      release();
    }
  };

  return {
    stats,
    run(tree) {
      const key = treeKey(tree);
      const hit = cache.get(key);
      if (hit) {
        stats.cacheHits++;
        return hit;
      }
      const pending = execute(tree);
      cache.set(key, pending);
      return pending;
    },
    close() {
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}
