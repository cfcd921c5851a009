/**
 * Test helper: writes a simulated node into a temporary directory and runs the REAL collector
 * (functions/collector/collect.sh) against it with bash, the way the SSM document will.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type EvidenceParseResult, parseEvidence } from '../../functions/collector/evidence.ts';
import type { EvidenceDocument } from '../../functions/collector/evidence-schema.ts';
import { type NodeTreeSpec, writeNodeTree } from '../sim/node-tree.ts';

export const COLLECT_SH = fileURLToPath(new URL('../../functions/collector/collect.sh', import.meta.url));

export interface CollectorRun {
  root: string;
  stdout: string;
  stderr: string;
  status: number | null;
  parsed: EvidenceParseResult;
}

const roots: string[] = [];

/** A fresh empty directory, removed by cleanupRoots(). */
export function freshRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'kubelet-audit-node-'));
  roots.push(root);
  return root;
}

export function cleanupRoots(): void {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
}

export interface RunOptions {
  env?: Record<string, string>;
  /** The bash to run (default "bash" on PATH). */
  bash?: string;
  /** Command prefix, e.g. ['setpriv', '--reuid=65534', ...] to run unprivileged. */
  prefix?: string[];
}

/**
 * collect.sh where any user can read it: a checkout may sit in a directory only its owner can enter
 * (a clone into `mktemp -d`), and a prefixed run may drop to another user.
 */
function readableCopy(): string {
  const dir = freshRoot();
  chmodSync(dir, 0o755);
  const copy = join(dir, 'collect.sh');
  copyFileSync(COLLECT_SH, copy);
  chmodSync(copy, 0o644);
  return copy;
}

/** Runs collect.sh with HOST_ROOT=root. */
export function runCollectorAt(root: string, options: RunOptions = {}): CollectorRun {
  const bash = options.bash ?? 'bash';
  const [cmd, ...args] = [...(options.prefix ?? []), bash, options.prefix ? readableCopy() : COLLECT_SH];
  const result = spawnSync(cmd!, args, {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOST_ROOT: root, ...options.env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return {
    root,
    stdout: result.stdout,
    stderr: result.stderr,
    status: result.status,
    parsed: parseEvidence(result.stdout),
  };
}

/** Writes `spec` into a fresh directory and runs the collector on it. */
export function collect(spec: NodeTreeSpec, options: RunOptions = {}): CollectorRun {
  const root = freshRoot();
  writeNodeTree(root, spec);
  return runCollectorAt(root, options);
}

/** The parsed evidence, failing the test with the parser's reason when there is none. */
export function evidenceOf(run: CollectorRun): EvidenceDocument {
  if (!run.parsed.ok) {
    throw new Error(
      `collector output did not parse: ${run.parsed.code} ${run.parsed.reason}\nstderr: ${run.stderr}\nstdout: ${run.stdout.slice(0, 2000)}`,
    );
  }
  return run.parsed.evidence;
}

/** The file entry for a host path, or throws. */
export function fileAt(evidence: EvidenceDocument, path: string) {
  const f = evidence.files.find((x) => x.path === path);
  if (!f) throw new Error(`no file ${path} in evidence: ${evidence.files.map((x) => x.path).join(', ')}`);
  return f;
}
