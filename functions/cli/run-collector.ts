/** Run functions/collector/collect.sh with bash on this host (HOST_ROOT is passed through). */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const COLLECTOR_PATH = fileURLToPath(new URL('../collector/collect.sh', import.meta.url));

export type CollectResult = { ok: true; output: string } | { ok: false; error: string };

export function runCollector(env: NodeJS.ProcessEnv): CollectResult {
  if (!existsSync(COLLECTOR_PATH))
    return { ok: false, error: `collector script not found at ${COLLECTOR_PATH}` };
  // Plain output: the gzip envelope only exists to fit SSM's 2,500-character inline Output.
  const run = spawnSync('bash', [COLLECTOR_PATH], {
    env: { ...env, KUBELET_AUDIT_ENCODING: 'plain' },
    encoding: 'utf8',
    maxBuffer: 8 * 1024 * 1024,
    timeout: 120_000,
  });
  if (run.error) return { ok: false, error: `cannot run the collector with bash: ${run.error.message}` };
  if (run.status !== 0) {
    const line = (run.stderr ?? '').trim().split('\n')[0] ?? '';
    return {
      ok: false,
      error: `the collector exited with status ${run.status ?? run.signal}${line ? `: ${line}` : ''}`,
    };
  }
  if ((run.stdout ?? '').trim() === '') return { ok: false, error: 'the collector printed nothing' };
  return { ok: true, output: run.stdout };
}
