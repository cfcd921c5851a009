/**
 * kubelet-config-file-permissions (CIS EKS 3.1.3): the --config file AND every *.conf drop-in the
 * kubelet reads from --config-dir (walk order, non-.conf entries ignored), the mode rule, and what
 * makes it choose WARNING or NOT_AVAILABLE over PASSED/FAILED.
 */
import { describe, expect, it } from 'vitest';
import { configFilePermissions as control } from '../../functions/controls/config-file-permissions.ts';
import { PID } from '../kubelet/evidence-builder.ts';
import { brokenFile, CONFIG, configMeta, DIR, dropInMeta, K, listing, runOn } from './file-evidence.ts';

const KC = ['--kubeconfig', '/var/lib/kubelet/kubeconfig'];
const WITH_CONFIG = [K, ...KC, `--config=${CONFIG}`];
const WITH_DIR = [...WITH_CONFIG, `--config-dir=${DIR}`];

describe('kubelet-config-file-permissions: the files judged', () => {
  it('PASSED with the --config file alone', () => {
    const r = runOn(control, { argv: WITH_CONFIG, files: [configMeta(CONFIG, { mode: '0600' })] });
    expect(r.status).toBe('PASSED');
    expect(r.reason).toBe(`The config file ${CONFIG} has mode 0600 (nothing beyond 0644, no special bit).`);
    expect(r.evidence).toMatchObject({ configFile: CONFIG, flagArguments: `argument 3: --config=${CONFIG}` });
  });

  it('PASSED when the file and every drop-in pass, naming each', () => {
    const r = runOn(control, {
      argv: WITH_DIR,
      files: [
        configMeta(CONFIG),
        dropInMeta('40-nodeadm.conf'),
        dropInMeta('50-user.conf', { mode: '0400' }),
      ],
      configDirs: listing(['40-nodeadm.conf', '50-user.conf']),
    });
    expect(r.status).toBe('PASSED');
    expect(r.reason).toMatch(/^All 3 files have mode 0644 or stricter and no setuid, setgid or sticky bit: /);
    expect(r.reason).toContain(`the drop-in ${DIR}/50-user.conf has mode 0400`);
    expect(r.evidence.configDir).toBe(DIR);
  });

  it('FAILED by a 0664 drop-in: names it with its mode, and that the others pass', () => {
    const r = runOn(control, {
      argv: WITH_DIR,
      files: [configMeta(CONFIG), dropInMeta('40-nodeadm.conf', { mode: '0664' }), dropInMeta('50-x.conf')],
      configDirs: listing(['40-nodeadm.conf', '50-x.conf']),
    });
    expect(r.status).toBe('FAILED');
    expect(r.reason).toBe(
      `The drop-in ${DIR}/40-nodeadm.conf has mode 0664 (group write beyond 0644). The others pass: ` +
        `the config file ${CONFIG} has mode 0644 (nothing beyond 0644, no special bit); ` +
        `the drop-in ${DIR}/50-x.conf has mode 0644 (nothing beyond 0644, no special bit).`,
    );
  });

  it('FAILED naming every offending file: the config file (setuid) and a drop-in', () => {
    const r = runOn(control, {
      argv: WITH_DIR,
      files: [configMeta(CONFIG, { mode: '4644' }), dropInMeta('10.conf', { mode: '0666' })],
      configDirs: listing(['10.conf']),
    });
    expect(r.status).toBe('FAILED');
    expect(r.reason).toBe(
      `The config file ${CONFIG} has mode 4644 (setuid beyond 0644); the drop-in ${DIR}/10.conf has mode 0666 (group write, others write beyond 0644).`,
    );
  });

  it('counts only the *.conf drop-ins the kubelet reads: nested ones yes, other names and directories no', () => {
    const r = runOn(control, {
      argv: WITH_DIR,
      files: [
        configMeta(CONFIG),
        dropInMeta('sub/20.conf', { mode: '0660' }),
        dropInMeta('README', { mode: '0777' }),
        dropInMeta('30.conf.bak', { mode: '0777' }),
      ],
      configDirs: listing(['30.conf.bak', 'README', 'sub/', 'sub/20.conf', 'x.conf/']),
    });
    expect(r.status).toBe('FAILED');
    expect(r.reason).toMatch(
      new RegExp(
        `^The drop-in ${DIR}/sub/20.conf has mode 0660 \\(group write beyond 0644\\)\\. It passes otherwise: the config file`,
      ),
    );
    expect(r.reason).not.toContain('README');
    expect(r.reason).not.toContain('30.conf.bak');
  });

  it('judges a symbolic-link drop-in by its target and names the link', () => {
    const r = runOn(control, {
      argv: WITH_DIR,
      files: [configMeta(CONFIG), dropInMeta('40.conf', { mode: '0600', target: '/opt/conf/40.conf' })],
      configDirs: listing(['40.conf']),
    });
    expect(r.status).toBe('PASSED');
    expect(r.reason).toContain(`the drop-in ${DIR}/40.conf (a symbolic link to /opt/conf/40.conf;`);
    expect(r.evidence.symlinks).toBe(`${DIR}/40.conf -> /opt/conf/40.conf`);
  });

  it('judges the drop-ins alone when there is no --config (the legacy-defaults kubelet still reads them)', () => {
    const r = runOn(control, {
      argv: [K, ...KC, `--config-dir=${DIR}`],
      files: [dropInMeta('40.conf', { mode: '0646' })],
      configDirs: listing(['40.conf']),
    });
    expect(r.status).toBe('FAILED');
    expect(r.reason).toBe(`The drop-in ${DIR}/40.conf has mode 0646 (others write beyond 0644).`);
    expect(r.evidence.configFile).toBeUndefined();
  });

  it('takes the last --config and --config-dir, relative ones against the working directory', () => {
    const r = runOn(control, {
      argv: [
        K,
        '--config=/tmp/old.json',
        '--config',
        'config.json',
        '--config-dir=/tmp/d',
        '--config-dir',
        'config.json.d',
      ],
      cwd: '/etc/kubernetes/kubelet',
      files: [configMeta('/tmp/old.json', { mode: '0666' }), configMeta(CONFIG)],
      configDirs: [...listing([]), { path: '/tmp/d', pid: PID, entries: ['/tmp/d/1.conf'] }],
    });
    expect(r).toMatchObject({ status: 'PASSED', evidence: { configFile: CONFIG, configDir: DIR } });
  });
});

describe('kubelet-config-file-permissions: no file, and what cannot be judged', () => {
  it('NOT_AVAILABLE without --config and --config-dir, with the reason', () => {
    const r = runOn(control, { argv: [K, ...KC] });
    expect(r.status).toBe('NOT_AVAILABLE');
    expect(r.reason).toBe(
      `Not applicable: the kubelet runs without --config and without --config-dir: its settings come from flags and defaults only, so there is no kubelet config file (PID ${PID}).`,
    );
  });

  it('NOT_AVAILABLE without --config when --config-dir holds no *.conf drop-in', () => {
    const r = runOn(control, { argv: [K, `--config-dir=${DIR}`], configDirs: listing(['README']) });
    expect(r.status).toBe('NOT_AVAILABLE');
    expect(r.reason).toContain(`its --config-dir ${DIR} holds no *.conf drop-in`);
  });

  it('WARNING when the --config file does not exist while the kubelet runs', () => {
    const r = runOn(control, {
      argv: WITH_CONFIG,
      files: [brokenFile(CONFIG, 'config', { error: 'not found' })],
    });
    expect(r.status).toBe('WARNING');
    expect(r.reason).toBe(
      `A kubelet is running (PID ${PID}) but its config files cannot be judged: the config file ${CONFIG} does not exist, yet the kubelet runs with it.`,
    );
  });

  it('WARNING for a drop-in that is a FIFO, with the verdict of the others', () => {
    const fifo = brokenFile(`${DIR}/50.conf`, 'config-dir-entry', {
      error: 'not a regular file (fifo)',
      type: 'fifo',
    });
    const r = runOn(control, {
      argv: WITH_DIR,
      files: [configMeta(CONFIG), fifo],
      configDirs: listing(['50.conf']),
    });
    expect(r).toMatchObject({ status: 'WARNING', evidence: { problem: 'not-regular-file' } });
    expect(r.reason).toContain(`the drop-in ${DIR}/50.conf is not a regular file but a fifo`);
    expect(r.reason).toContain(`Otherwise: the config file ${CONFIG} has mode 0644`);
  });

  it('FAILED when a file fails even though another cannot be judged, saying both', () => {
    const r = runOn(control, {
      argv: WITH_DIR,
      files: [brokenFile(CONFIG, 'config', { error: 'not found' }), dropInMeta('40.conf', { mode: '0666' })],
      configDirs: listing(['40.conf']),
    });
    expect(r.status).toBe('FAILED');
    expect(r.reason).toContain(`The drop-in ${DIR}/40.conf has mode 0666`);
    expect(r.reason).toContain(`Also: the config file ${CONFIG} does not exist`);
  });

  it('WARNING when the drop-in listing is cut, or a listed drop-in is not in the evidence (output cap)', () => {
    const cut = runOn(control, {
      argv: WITH_DIR,
      files: [configMeta(CONFIG)],
      configDirs: listing([], { cut: true }),
    });
    expect(cut).toMatchObject({ status: 'WARNING', evidence: { problem: 'config-dir-cut' } });
    expect(cut.reason).toContain(`the collector cut the listing of ${DIR}, so drop-ins may be missing`);
    const left = runOn(control, {
      argv: WITH_DIR,
      files: [configMeta(CONFIG)],
      configDirs: listing(['40.conf']),
    });
    expect(left).toMatchObject({ status: 'WARNING', evidence: { problem: 'not-collected' } });
    expect(left.reason).toContain(`the drop-in ${DIR}/40.conf is not in the evidence`);
  });

  it('WARNING when the drop-in directory is not listed or could not be', () => {
    const absent = runOn(control, { argv: WITH_DIR, files: [configMeta(CONFIG)] });
    expect(absent.reason).toContain(`the drop-in directory ${DIR} is not in the evidence`);
    const gone = runOn(control, {
      argv: WITH_DIR,
      files: [configMeta(CONFIG)],
      configDirs: listing([], { error: 'not found' }),
    });
    expect(gone.status).toBe('WARNING');
    expect(gone.reason).toContain(`could not be listed (not found), yet the kubelet cannot start without it`);
  });

  it('WARNING when the command line was cut or would be refused', () => {
    const cut = runOn(control, { argv: [K, ...KC], kubelet: { argvCut: true } });
    expect(cut.status).toBe('WARNING');
    expect(cut.reason).toContain('so a later --config or --config-dir may be missing');
    const refused = runOn(control, { argv: [...WITH_CONFIG, '--config'], files: [configMeta(CONFIG)] });
    expect(refused).toMatchObject({ status: 'WARNING', evidence: { problem: 'argv-rejected' } });
  });

  it('NOT_AVAILABLE on Windows with its reason', () => {
    const r = runOn(control, { argv: WITH_CONFIG, files: [configMeta(CONFIG)] }, { platform: 'windows' });
    expect(r.reason).toBe(
      'Not applicable: Windows nodes protect files with ACLs, not POSIX permission bits.',
    );
  });
});
