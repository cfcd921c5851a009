/**
 * kubelet-config-file-ownership (CIS EKS 3.1.4): uid 0 and gid 0 for the --config file and every
 * *.conf drop-in the kubelet reads, and the cases it cannot judge.
 */
import { describe, expect, it } from 'vitest';
import { configFileOwnership as control } from '../../functions/controls/config-file-ownership.ts';
import { brokenFile, CONFIG, configMeta, DIR, dropInMeta, K, listing, runOn } from './file-evidence.ts';

const WITH_DIR = [K, `--config=${CONFIG}`, `--config-dir=${DIR}`];

describe('kubelet-config-file-ownership', () => {
  it('PASSED when the file and every drop-in are root:root, whatever their modes', () => {
    const r = runOn(control, {
      argv: WITH_DIR,
      files: [configMeta(CONFIG, { mode: '0666' }), dropInMeta('40.conf')],
      configDirs: listing(['40.conf']),
    });
    expect(r.status).toBe('PASSED');
    expect(r.reason).toBe(
      `All 2 files are owned by root (uid 0, gid 0): the config file ${CONFIG} is owned by root (uid 0, gid 0); ` +
        `the drop-in ${DIR}/40.conf is owned by root (uid 0, gid 0).`,
    );
  });

  it('FAILED by a drop-in owned by uid 1000, naming it and that the file passes', () => {
    const r = runOn(control, {
      argv: WITH_DIR,
      files: [configMeta(CONFIG), dropInMeta('40.conf', { uid: 1000, gid: 1000 })],
      configDirs: listing(['40.conf']),
    });
    expect(r.status).toBe('FAILED');
    expect(r.reason).toBe(
      `The drop-in ${DIR}/40.conf is owned by uid 1000, gid 1000, not root:root. It passes otherwise: ` +
        `the config file ${CONFIG} is owned by root (uid 0, gid 0).`,
    );
    expect(r.evidence.files).toContain(`${DIR}/40.conf mode 0644 uid 1000 gid 1000`);
  });

  it('FAILED by the --config file group alone', () => {
    const r = runOn(control, { argv: [K, `--config=${CONFIG}`], files: [configMeta(CONFIG, { gid: 10 })] });
    expect(r.status).toBe('FAILED');
    expect(r.reason).toBe(`The config file ${CONFIG} is owned by uid 0, gid 10, not root:root.`);
  });

  it('judges the target of a symbolic-link config file and names the link', () => {
    const r = runOn(control, {
      argv: [K, `--config=${CONFIG}`],
      files: [configMeta(CONFIG, { uid: 1000, target: '/home/u/config.json' })],
    });
    expect(r.status).toBe('FAILED');
    expect(r.reason).toContain(`${CONFIG} (a symbolic link to /home/u/config.json;`);
  });

  it('NOT_AVAILABLE without --config and drop-ins; WARNING for a missing config file', () => {
    const none = runOn(control, { argv: [K] });
    expect(none.status).toBe('NOT_AVAILABLE');
    expect(none.reason).toContain('without --config and without --config-dir');
    const missing = runOn(control, {
      argv: [K, `--config=${CONFIG}`],
      files: [brokenFile(CONFIG, 'config', { error: 'not found' })],
    });
    expect(missing.status).toBe('WARNING');
    expect(missing.reason).toContain(
      `the config file ${CONFIG} does not exist, yet the kubelet runs with it`,
    );
  });

  it('NOT_AVAILABLE on Windows with its reason', () => {
    const r = runOn(
      control,
      { argv: [K, `--config=${CONFIG}`], files: [configMeta(CONFIG)] },
      { platform: 'windows' },
    );
    expect(r.reason).toBe(
      'Not applicable: Windows nodes own files by security identifiers and ACLs, not uid and gid.',
    );
  });
});
