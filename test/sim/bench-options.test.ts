/**
 * The bench's options and its `--controls N`: the catalog the scans run is the real one cut to its
 * first N controls, and every function of the catalog module uses the shorter list.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { controls } from '../../functions/controls/index.ts';
import { firstControls, REPO_ROOT } from './bench/bundle.ts';
import { parseOptions } from './bench/options.ts';

describe('bench options', () => {
  it('runs the whole catalog and the 5, 10 and 20 calls/s sweep unless told otherwise', () => {
    const options = parseOptions([]);

    expect(options.controls).toBeUndefined();
    expect(options.ssmRates).toEqual([5, 10, 20]);
    expect(parseOptions(['--controls', '1', '--ssm-rates', '20,5']).ssmRates).toEqual([5, 20]);
    expect(parseOptions(['--ssm-rates', 'none']).ssmRates).toEqual([]);
    expect(() => parseOptions(['--ssm-rates', '0,x'])).toThrow(/--ssm-rates/);
    expect(() => parseOptions(['--controls', '0'])).toThrow(/--controls/);
  });
});

describe('--controls N', () => {
  it('cuts the catalog module to its first N controls, for every function of the module', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-controls-'));
    try {
      const outfile = join(dir, 'catalog.mjs');
      await build({
        entryPoints: [join(REPO_ROOT, 'functions/controls/index.ts')],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'esm',
        logLevel: 'warning',
        plugins: [firstControls(1)],
      });
      const cut = (await import(
        pathToFileURL(outfile).href
      )) as typeof import('../../functions/controls/index.ts');

      expect(cut.controls.map((c) => c.id)).toEqual([controls[0]?.id]);
      expect(cut.notAssessed('NOT_AVAILABLE', 'unreachable')).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
