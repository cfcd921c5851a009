import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { EksKubeletAuditStack } from '../../infra/scanner-stack.ts';
import { REPO_ROOT } from './synth.ts';

const outdir = mkdtempSync(join(tmpdir(), 'cdk-bundle-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('the function bundle', () => {
  it('fails the synth when the handler does not build', () => {
    const broken = join(outdir, 'broken-handler.ts');
    writeFileSync(
      broken,
      "import { nothing } from './does-not-exist.ts';\nexport const handler = nothing;\n",
    );
    const app = new App({ outdir: mkdtempSync(join(outdir, 'broken-')) });
    expect(() => new EksKubeletAuditStack(app, 'Broken', { scanner: { handlerEntry: broken } })).toThrow(
      /bundling .*broken-handler\.ts failed: .*does-not-exist/s,
    );
  });

  it('is built by the local esbuild into an ES module that loads under Node and exports handler', () => {
    // Prepare / Act: a real synth with bundling (no Docker on this machine: local esbuild only).
    const app = new App({ outdir });
    new EksKubeletAuditStack(app, 'EksKubeletAuditStack');
    app.synth();
    // Assess
    const assets = readdirSync(outdir).filter((d) => d.startsWith('asset.'));
    expect(assets).toHaveLength(1);
    const dir = join(outdir, assets[0] as string);
    expect(readdirSync(dir).sort()).toEqual(['index.mjs', 'index.mjs.map']);
    // Minified, SDK included: well under Lambda's 50 MB zipped limit, yet more than a stub.
    const size = statSync(join(dir, 'index.mjs')).size;
    expect(size).toBeGreaterThan(200_000);
    expect(size).toBeLessThan(5_000_000);
    // The bench's size target: 1.5 MB. The SDK's schema modules keep only the shapes the scanner's
    // commands reach (infra/bundling/scanner-esbuild.ts), and the Lambda's environment credentials
    // stand in for the SDK's default chain, whose STS and SSO clients never run there.
    expect(size).toBeLessThanOrEqual(1_500_000);
    const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
    // Shapes of operations the scanner never calls are gone; those of the ones it calls are there.
    expect(code).not.toContain('RunInstancesRequest');
    expect(code).toContain('DescribeInstancesRequest');
    expect(code).toContain('BatchImportFindingsRequest');
    expect(code).not.toContain('AWSSecurityTokenServiceV20110615');
    // The CommonJS dependencies inside the ESM bundle need the createRequire banner to load.
    const load = spawnSync(
      process.execPath,
      [
        '--enable-source-maps',
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(join(dir, 'index.mjs'))}); console.log(typeof m.handler);`,
      ],
      {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          AWS_REGION: 'eu-west-1',
          KUBELET_AUDIT_DOCUMENT_NAME: 'EksKubeletAuditStack-CollectorDocument-ABC123',
          POWERTOOLS_SERVICE_NAME: 'eks-kubelet-audit',
          POWERTOOLS_METRICS_NAMESPACE: 'EksKubeletAudit',
        },
        timeout: 30_000,
      },
    );
    expect(load.stderr).not.toMatch(/Error/);
    expect(load.status).toBe(0);
    expect(load.stdout.trim()).toBe('function');
  });
});
