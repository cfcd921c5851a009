/**
 * The Lambda artifact, built by the esbuild run the stack uses (infra/bundling/scanner-esbuild.ts),
 * and how long a cold container takes to import it; the memory size comes from
 * infra/constructs/scanner-function-defaults.ts.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Plugin } from 'esbuild';
import { buildScanner } from '../../../infra/bundling/scanner-esbuild.ts';
import {
  SCANNER_FUNCTION_DEFAULTS,
  SCANNER_NODE_OPTIONS,
} from '../../../infra/constructs/scanner-function-defaults.ts';

const run = promisify(execFile);

export const REPO_ROOT = resolve(import.meta.dirname, '../../..');
export const HANDLER_ENTRY = join(REPO_ROOT, 'functions/scanner/handler.ts');

/** The construct's default memory (MB). */
export function constructMemoryMb(): number {
  return SCANNER_FUNCTION_DEFAULTS.memorySize;
}

export interface BundleResult {
  readonly path: string;
  readonly bytes: number;
  readonly mapBytes: number;
  readonly buildMs: number;
}

const CATALOG = join(REPO_ROOT, 'functions/controls/index.ts');
/** The catalog's declaration: `export const controls: readonly Control[] = [ … ]`. */
const CATALOG_DECLARATION = /export const controls(\s*:[^=]+)?=/;

/**
 * Only the first `n` controls of the catalog in the bundle (`npm run bench -- --controls N`): the
 * catalog module is loaded as it is, its `controls` declared under another name and exported cut to
 * `n`, so every function of the module (evaluateEvidence, notAssessed …) uses the shorter list.
 */
export function firstControls(n: number): Plugin {
  return {
    name: 'bench-first-controls',
    setup(pluginBuild) {
      pluginBuild.onLoad({ filter: /functions[\\/]controls[\\/]index\.ts$/ }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        if (!CATALOG_DECLARATION.test(source)) {
          throw new Error(`${CATALOG}: no "export const controls" declaration to cut to ${n}`);
        }
        const contents = `${source.replace(CATALOG_DECLARATION, 'const benchFullCatalog$1=')}
export const controls = benchFullCatalog.slice(0, ${n});
`;
        return { contents, loader: 'ts' };
      });
    },
  };
}

/** The handler bundle; `controls`: only the first N controls of the catalog (undefined = all). */
export async function bundleHandler(options: { controls?: number } = {}): Promise<BundleResult> {
  const dir = mkdtempSync(join(tmpdir(), 'kubelet-audit-bench-'));
  const started = performance.now();
  const path = await buildScanner({
    entry: HANDLER_ENTRY,
    outdir: dir,
    plugins: options.controls === undefined ? [] : [firstControls(options.controls)],
  });
  return {
    path,
    bytes: statSync(path).size,
    mapBytes: statSync(`${path}.map`).size,
    buildMs: performance.now() - started,
  };
}

/** Environment of a Lambda container of the stack, pointed at `endpoint` (AWS_ENDPOINT_URL). */
export function lambdaEnv(options: { endpoint?: string; region: string; extra?: Record<string, string> }) {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    AWS_REGION: options.region,
    AWS_DEFAULT_REGION: options.region,
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'x',
    AWS_LAMBDA_FUNCTION_NAME: 'eks-kubelet-audit',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(constructMemoryMb()),
    KUBELET_AUDIT_DOCUMENT_NAME: 'eks-kubelet-audit-collector',
    KUBELET_AUDIT_EVENT_BUS: 'default',
    // The emulator's internal bus and state table (INTERNAL_BUS, DEFAULT_STATE_TABLE).
    KUBELET_AUDIT_INTERNAL_EVENT_BUS: 'eks-kubelet-audit-internal',
    KUBELET_AUDIT_STATE_TABLE: 'eks-kubelet-audit-state',
    // The bench scans one fleet again and again (first and steady-state scans): leases only.
    KUBELET_AUDIT_MIN_SCAN_INTERVAL_MINUTES: '0',
    POWERTOOLS_SERVICE_NAME: 'eks-kubelet-audit',
    POWERTOOLS_METRICS_NAMESPACE: 'EksKubeletAudit',
    NODE_OPTIONS: SCANNER_NODE_OPTIONS,
    // The deployed runtime is Node.js 24; only this local process runs Node 20.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...(options.endpoint ? { AWS_ENDPOINT_URL: options.endpoint } : {}),
    ...options.extra,
  };
}

const IMPORT_SCRIPT =
  'const t=performance.now();await import(process.argv[1]);process.stdout.write(String(performance.now()-t));';

/** Median over `runs` fresh `node` processes of the time to import the bundle (module evaluation included). */
export async function coldImportMs(
  bundlePath: string,
  runs: number,
): Promise<{ median: number; samples: number[] }> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const { stdout } = await run(
      process.execPath,
      ['--input-type=module', '-e', IMPORT_SCRIPT, `file://${bundlePath}`],
      { env: lambdaEnv({ region: 'eu-west-1' }), timeout: 30_000 },
    );
    samples.push(Number(stdout.trim().split('\n').pop()));
  }
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN, samples };
}
