/**
 * The real collect.sh against hostile or unusual nodes: unreadable and huge files, binary junk,
 * tricky bytes, relative and repeated flags, symlinks that point out of HOST_ROOT, odd process trees,
 * and the output encodings.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeFileContent, inflateCompactEnvelope } from '../../functions/collector/evidence.ts';
import type { EvidenceDocument } from '../../functions/collector/evidence-schema.ts';
import {
  type NodeTreeSpec,
  nodePresets,
  type SimEntry,
  type SimProcess,
  writeNodeTree,
} from '../sim/node-tree.ts';
import {
  COLLECT_SH,
  cleanupRoots,
  collect,
  evidenceOf,
  fileAt,
  freshRoot,
  runCollectorAt,
} from './run-collector.ts';

afterAll(cleanupRoots);

const SERVICE_CGROUP = '0::/system.slice/kubelet.service\n';

/** A node with systemd and one kubelet (pid 500) in kubelet.service, plus the given files. */
function node(
  kubelet: Partial<SimProcess> & { argv: string[] },
  files: Record<string, SimEntry> = {},
): NodeTreeSpec {
  return {
    hostname: 'test-node',
    processes: [
      { pid: 1, ppid: 0, argv: ['/usr/lib/systemd/systemd'], cgroup: '0::/init.scope\n' },
      { pid: 500, ppid: 1, cgroup: SERVICE_CGROUP, ...kubelet },
    ],
    files,
  };
}

function text(ev: EvidenceDocument, path: string): string {
  const decoded = decodeFileContent(fileAt(ev, path));
  if (!decoded.ok) throw new Error(decoded.reason);
  return decoded.text;
}

describe('files the collector cannot read', () => {
  it('reports a directory where the config file should be, a dangling symlink and a missing file', () => {
    // Tests run as root, which reads any file regardless of mode; unreadability is simulated with a
    // directory in place of a file and a symlink to nothing (see the next test for a real EACCES).
    const spec = node(
      {
        argv: ['/usr/bin/kubelet', '--config=/etc/kubelet/dir-config', '--config=/etc/kubelet/missing.yaml'],
      },
      {
        '/etc/kubelet/dir-config': { dir: true },
        '/etc/systemd/system/kubelet.service.d/20-gone.conf': { symlink: '/etc/systemd/nowhere.conf' },
      },
    );

    const ev = evidenceOf(collect(spec));

    expect(fileAt(ev, '/etc/kubelet/dir-config')).toMatchObject({
      ok: false,
      error: 'not a regular file (directory)',
      roles: ['config'],
    });
    expect(fileAt(ev, '/etc/kubelet/missing.yaml')).toMatchObject({ ok: false, error: 'not found' });
    expect(fileAt(ev, '/etc/systemd/system/kubelet.service.d/20-gone.conf')).toMatchObject({
      ok: false,
      error: 'not found (dangling symbolic link)',
      roles: ['unit-dropin'],
    });
  });

  it('reports "permission denied" for a mode-000 file when run unprivileged', () => {
    // Prepare: the collector runs as root on a node and the tests run as root too; dropping to
    // nobody needs both, and a machine without them must fail here rather than lose the test.
    expect(process.getuid?.(), 'this test drops privileges, so it must run as root').toBe(0);
    expect(existsSync('/usr/bin/setpriv'), '/usr/bin/setpriv (util-linux) is needed').toBe(true);
    // The tree must be traversable by nobody; only the config is locked.
    const root = freshRoot();
    writeNodeTree(root, node({ argv: ['/usr/bin/kubelet', '--config', '/etc/kubelet/config.yaml'] }, {}));
    mkdirSync(join(root, 'etc/kubelet'), { recursive: true });
    writeFileSync(join(root, 'etc/kubelet/config.yaml'), 'kind: KubeletConfiguration\n');
    chmodSync(join(root, 'etc/kubelet/config.yaml'), 0o000);
    chmodSync(root, 0o755);

    // Act
    const run = runCollectorAt(root, {
      prefix: ['/usr/bin/setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'],
    });

    // Assess
    const ev = evidenceOf(run);
    expect(fileAt(ev, '/etc/kubelet/config.yaml')).toMatchObject({
      ok: false,
      error: 'permission denied',
      mode: '0000',
      uid: 0,
    });
  });
});

describe('size caps', () => {
  it('cuts a huge config file to a marked prefix and keeps the document under 24,000 characters', () => {
    const huge = `kind: KubeletConfiguration\n${'# filler line to make this config file very large\n'.repeat(5000)}`;
    const spec = node(
      { argv: ['/usr/bin/kubelet', '--config', '/etc/kubelet/config.yaml'] },
      { '/etc/kubelet/config.yaml': huge },
    );

    const run = collect(spec, { env: { KUBELET_AUDIT_ENCODING: 'plain' } });
    const ev = evidenceOf(run);

    const f = fileAt(ev, '/etc/kubelet/config.yaml');
    expect(f).toMatchObject({ ok: true, size: huge.length, encoding: 'text', cut: true });
    expect(f.content!.length).toBeLessThanOrEqual(8000);
    expect(huge.startsWith(text(ev, f.path))).toBe(true);
    expect(run.stdout.length).toBeLessThan(24_000);
  });

  it('stops at the total cap across many drop-ins: later files are left out and the document says cut', () => {
    const files: Record<string, SimEntry> = {};
    for (let i = 0; i < 12; i++)
      files[`/etc/kubelet/conf.d/${String(i).padStart(2, '0')}.conf`] = 'x'.repeat(6000);
    const spec = node({ argv: ['/usr/bin/kubelet', '--config-dir=/etc/kubelet/conf.d'] }, files);

    const run = collect(spec, { env: { KUBELET_AUDIT_ENCODING: 'plain' } });
    const ev = evidenceOf(run);

    expect(run.stdout.length).toBeLessThan(24_000);
    expect(ev.cut).toBe(true);
    expect(ev.configDirs[0]?.entries).toHaveLength(12);
    expect(fileAt(ev, '/etc/kubelet/conf.d/00.conf')).toMatchObject({ ok: true, content: 'x'.repeat(6000) });
    expect(fileAt(ev, '/etc/kubelet/conf.d/11.conf')).toMatchObject({
      ok: false,
      error: 'left out: the total output cap was reached',
      cut: true,
    });
  });

  it('caps argv at 512 arguments and marks it cut', () => {
    const argv = ['/usr/bin/kubelet', ...Array.from({ length: 600 }, (_, i) => `--x${i}`)];

    const run = collect(node({ argv }), { env: { KUBELET_AUDIT_ENCODING: 'plain' } });
    const ev = evidenceOf(run);

    expect(ev.kubelets[0]?.argvCut).toBe(true);
    expect(ev.kubelets[0]?.argv.length).toBeLessThanOrEqual(512);
    expect(ev.kubelets[0]?.argv.slice(0, 2)).toEqual(['/usr/bin/kubelet', '--x0']);
    expect(ev.cut).toBe(true);
  });
});

/** File contents that stress JSON escaping. */
const TRICKY: Record<string, string> = {
  'quotes.conf': 'a: "quoted" and \'single\'\n',
  'backslash.conf': 'path: C:\\dir\\file \\n not-a-newline \\\\ \\"\n',
  'tabs.conf': 'key:\tvalue\t\t\n',
  'crlf.conf': 'kind: KubeletConfiguration\r\nmakeIPTablesUtilChains: false\r\n',
  'trailing.conf': 'x: 1\n\n\n',
  'no-newline.conf': 'x: 1',
  'empty.conf': '',
  'json-ish.conf': '{"a":"</script>","b":"\\u0041","c":[1,2]}',
};

describe('contents and escaping', () => {
  const tricky = TRICKY;

  it('keeps every text file byte-exact through JSON escaping', () => {
    const files: Record<string, SimEntry> = {};
    for (const [name, content] of Object.entries(tricky)) files[`/etc/kubelet/d/${name}`] = content;
    const spec = node({ argv: ['/usr/bin/kubelet', '--config-dir', '/etc/kubelet/d'] }, files);

    const run = collect(spec, { env: { KUBELET_AUDIT_ENCODING: 'plain' } });
    const ev = evidenceOf(run);

    expect(() => JSON.parse(run.stdout)).not.toThrow();
    for (const [name, content] of Object.entries(tricky)) {
      const f = fileAt(ev, `/etc/kubelet/d/${name}`);
      expect({ name, encoding: f.encoding, text: text(ev, f.path) }).toEqual({
        name,
        encoding: 'text',
        text: content,
      });
    }
    expect(fileAt(ev, '/etc/kubelet/d/empty.conf')).toMatchObject({ ok: true, size: 0, content: '' });
  });

  it('keeps binary junk byte-exact as base64 and the decoder reports it is not UTF-8', () => {
    const junk = Buffer.from([0x7b, 0x00, 0xff, 0xfe, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x80, 0x0a, 0x00]);
    const spec = node(
      { argv: ['/usr/bin/kubelet', '--config=/etc/kubelet/config.json'] },
      { '/etc/kubelet/config.json': junk },
    );

    const ev = evidenceOf(collect(spec));

    const f = fileAt(ev, '/etc/kubelet/config.json');
    expect(f.encoding).toBe('base64');
    expect(Buffer.from(f.content!, 'base64').equals(junk)).toBe(true);
    expect(decodeFileContent(f)).toEqual({ ok: false, reason: 'content is not valid UTF-8 (binary data)' });
  });

  it('keeps UTF-8 text as base64 that decodes back to the same text', () => {
    const utf8 = 'nodeLabels: "zone=münchen"\n';
    const spec = node({ argv: ['/usr/bin/kubelet', '--config=/c.yaml'] }, { '/c.yaml': utf8 });

    const ev = evidenceOf(collect(spec));

    expect(fileAt(ev, '/c.yaml').encoding).toBe('base64');
    expect(text(ev, '/c.yaml')).toBe(utf8);
  });

  it('escapes argv with quotes, backslashes, control characters and non-ASCII bytes', () => {
    const argv = [
      '/usr/bin/kubelet',
      '--node-labels=a="b"',
      'c:\\d',
      'tab\there',
      'line\nbreak',
      'bell\x07',
      'é',
      '',
    ];

    const run = collect(node({ argv }), { env: { KUBELET_AUDIT_ENCODING: 'plain' } });
    const ev = evidenceOf(run);

    expect(/^[\x20-\x7e\n]*$/.test(run.stdout)).toBe(true);
    // Non-ASCII bytes come out one \u00XX per byte: UTF-8 "é" (c3 a9) reads as Latin-1 "Ã©".
    expect(ev.kubelets[0]?.argv).toEqual([...argv.slice(0, 6), '\u00c3\u00a9', '']);
  });
});

describe('command-line semantics', () => {
  it('resolves a relative --config against the kubelet working directory (symlink or plain-file cwd)', () => {
    for (const cwdAs of ['symlink', 'file'] as const) {
      const spec = node(
        { argv: ['kubelet', '--config', 'config.yaml'], cwd: '/var/lib/kubelet', cwdAs },
        { '/var/lib/kubelet/config.yaml': 'kind: KubeletConfiguration\n' },
      );

      const ev = evidenceOf(collect(spec));

      expect(ev.kubelets[0]?.cwd).toBe('/var/lib/kubelet');
      expect(fileAt(ev, '/var/lib/kubelet/config.yaml')).toMatchObject({
        ok: true,
        roles: ['config'],
        pid: 500,
      });
    }
  });

  it('reads --config_dir (underscore) as --config-dir', () => {
    const spec = node(
      { argv: ['/usr/bin/kubelet', '--config_dir=/etc/kubelet/d'] },
      { '/etc/kubelet/d/10.conf': 'makeIPTablesUtilChains: false\n' },
    );

    const ev = evidenceOf(collect(spec));

    expect(ev.configDirs.map((d) => d.path)).toEqual(['/etc/kubelet/d']);
    expect(fileAt(ev, '/etc/kubelet/d/10.conf').roles).toEqual(['config-dir-entry']);
  });

  it('keeps every repeated --config, the last (the one the kubelet uses) first', () => {
    const spec = node(
      {
        argv: [
          '/usr/bin/kubelet',
          '--config',
          '/a.yaml',
          '--config=/b.yaml',
          '--config_',
          '--',
          '--config=/c.yaml',
        ],
      },
      { '/a.yaml': 'a: 1\n', '/b.yaml': 'b: 1\n', '/c.yaml': 'c: 1\n' },
    );

    const ev = evidenceOf(collect(spec));

    // "--config_" normalises to "--config-", another flag; after "--" nothing is a flag.
    expect(ev.files.filter((f) => f.roles.includes('config')).map((f) => f.path)).toEqual([
      '/b.yaml',
      '/a.yaml',
    ]);
  });

  it('walks --config-dir in Go filepath.WalkDir order and does not follow a linked directory', () => {
    const d = '/etc/kubernetes/kubelet/config.json.d';
    const spec = node(
      { argv: ['/usr/bin/kubelet', `--config-dir=${d}`] },
      {
        [`${d}/sub.conf`]: 'a: 1\n',
        [`${d}/sub/00.conf`]: 'a: 2\n',
        [`${d}/a.conf`]: 'a: 3\n',
        [`${d}/B.conf`]: 'a: 4\n',
        [`${d}/10-x.conf`]: 'a: 5\n',
        [`${d}/2-y.conf`]: 'a: 6\n',
        [`${d}/.hidden.conf`]: 'a: 7\n',
        [`${d}/README`]: 'notes\n',
        [`${d}/linkdir`]: { symlink: 'sub' },
        [`${d}/empty/`]: { dir: true },
      },
    );

    const ev = evidenceOf(collect(spec));

    expect(ev.configDirs[0]?.entries.map((e) => e.slice(d.length + 1))).toEqual([
      '.hidden.conf',
      '10-x.conf',
      '2-y.conf',
      'B.conf',
      'README',
      'a.conf',
      'empty/',
      'linkdir',
      'sub/',
      'sub/00.conf',
      'sub.conf',
    ]);
    expect(fileAt(ev, `${d}/README`).roles).toEqual(['config-dir-entry']);
  });

  it('reports a missing or symlinked --config-dir instead of walking it', () => {
    const spec = node(
      { argv: ['/usr/bin/kubelet', '--config-dir=/etc/missing', '--config-dir=/etc/linked'] },
      { '/etc/real/10.conf': 'a: 1\n', '/etc/linked': { symlink: '/etc/real' } },
    );

    const ev = evidenceOf(collect(spec));

    expect(ev.configDirs).toEqual([
      {
        path: '/etc/linked',
        pid: 500,
        entries: [],
        error: 'is a symbolic link: the kubelet (filepath.WalkDir) does not follow it',
      },
      { path: '/etc/missing', pid: 500, entries: [], error: 'not found' },
    ]);
  });
});

describe('symlinks stay inside HOST_ROOT', () => {
  it('follows an absolute symlink to the simulated host file, not to the machine running the collector', () => {
    const spec = node(
      { argv: ['/usr/bin/kubelet', '--config=/etc/kubernetes/kubelet/config'] },
      {
        '/etc/kubernetes/kubelet/config': { symlink: '/etc/hostname' },
        '/etc/hostname': 'simulated-host-file\n',
      },
    );

    const ev = evidenceOf(collect(spec));

    expect(text(ev, '/etc/kubernetes/kubelet/config')).toBe('simulated-host-file\n');
  });

  it('reports a symlink loop without hanging', () => {
    const spec = node(
      { argv: ['/usr/bin/kubelet', '--config=/loop/a'] },
      { '/loop/a': { symlink: 'b' }, '/loop/b': { symlink: 'a' } },
    );

    const ev = evidenceOf(collect(spec));

    expect(fileAt(ev, '/loop/a')).toMatchObject({ ok: false, error: 'too many levels of symbolic links' });
  });
});

describe('choosing the kubelet', () => {
  it('prefers the kubelet in kubelet.service and rejects another one started by hand', () => {
    const spec = node({ argv: ['/usr/bin/kubelet', '--v=2'] });
    spec.processes.push({
      pid: 777,
      ppid: 1,
      argv: ['/opt/bin/kubelet'],
      cgroup: '0::/user.slice/session-3.scope\n',
    });

    const ev = evidenceOf(collect(spec));

    expect(ev.kubelets.map((k) => [k.pid, k.selectedBy])).toEqual([[500, 'kubelet.service cgroup']]);
    expect(ev.rejected).toEqual([
      { pid: 777, argv0: '/opt/bin/kubelet', why: 'not in kubelet.service while another kubelet is' },
    ]);
  });

  it('falls back to a child of PID 1 and reports every one of several', () => {
    const spec = node({ argv: ['/usr/bin/kubelet'], cgroup: '0::/system.slice/kubelet-a.service\n' });
    spec.processes.push({
      pid: 600,
      ppid: 1,
      argv: ['kubelet'],
      cgroup: '0::/system.slice/kubelet-b.service\n',
    });

    const ev = evidenceOf(collect(spec));

    expect(ev.kubelets.map((k) => [k.pid, k.selectedBy])).toEqual([
      [500, 'child of PID 1'],
      [600, 'child of PID 1'],
    ]);
  });

  it('rejects kind-style kubelets (kubelet.service inside a Docker cgroup) and unknown containers', () => {
    const spec = node({
      argv: ['/usr/bin/kubelet'],
      cgroup: '0::/docker/0123abcd/system.slice/kubelet.service\n',
    });
    spec.processes.push({
      pid: 600,
      ppid: 1,
      argv: ['/kubelet'],
      cgroup: '0::/system.slice/something.scope\n',
      mntNs: 'mnt:[4026532999]',
    });

    const ev = evidenceOf(collect(spec));

    expect(ev.kubelets).toEqual([]);
    expect(ev.rejected).toEqual([
      { pid: 500, argv0: '/usr/bin/kubelet', why: 'containerised: cgroup of a Docker container' },
      { pid: 600, argv0: '/kubelet', why: 'containerised: another mount namespace than PID 1' },
    ]);
  });

  it('never picks its own shell, even when that shell is called kubelet (real /proc)', () => {
    // Act: run on this machine's real /proc with the collector's bash renamed to kubelet.
    const result = spawnSync('bash', ['-c', `exec -a /usr/bin/kubelet bash ${COLLECT_SH}`], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', KUBELET_AUDIT_ENCODING: 'plain' },
      encoding: 'utf8',
    });

    // Assess
    const ev = JSON.parse(result.stdout) as EvidenceDocument;
    expect(ev.kubelets.some((k) => k.argv[1] === COLLECT_SH)).toBe(false);
    expect(ev.rejected).toContainEqual(
      expect.objectContaining({ argv0: '/usr/bin/kubelet', why: "the collector's own shell" }),
    );
  });

  it('says the host is not visible when HOST_ROOT has no /proc', () => {
    const root = freshRoot();

    const ev = evidenceOf(runCollectorAt(join(root, 'nothing-here')));

    expect(ev.host).toMatchObject({ visible: false });
    expect(ev.errors[0]).toMatch(/no proc filesystem/);
  });
});

/** A directory of symlinks to the named tools only, to run the collector with a minimal PATH. */
function toolDir(tools: readonly string[]): string {
  const bin = join(freshRoot(), 'bin');
  mkdirSync(bin);
  for (const tool of tools) {
    const found = spawnSync('/bin/sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    symlinkSync(found, join(bin, tool));
  }
  return bin;
}

function bashPath(): string {
  return spawnSync('/bin/sh', ['-c', 'command -v bash'], { encoding: 'utf8' }).stdout.trim();
}

describe('output encoding', () => {
  it('prints the compact gzip+z85 envelope by default and the plain document with KUBELET_AUDIT_ENCODING=plain', () => {
    const root = freshRoot();
    writeNodeTree(root, nodePresets.al2023());

    const packed = runCollectorAt(root);
    const plain = runCollectorAt(root, { env: { KUBELET_AUDIT_ENCODING: 'plain' } });

    expect(packed.stdout).toMatch(/^\{"eka":1,"gz85":"[^"\\]+","pad":[0-3]\}\n$/);
    expect(Object.keys(JSON.parse(packed.stdout))).toEqual(['eka', 'gz85', 'pad']);
    expect(packed.parsed.ok && packed.parsed.encoding).toBe('gzip+z85');
    expect(plain.parsed.ok && plain.parsed.encoding).toBe('plain');
    const { nowEpochSeconds: _a, ...hostPacked } = evidenceOf(packed).host;
    const { nowEpochSeconds: _b, ...hostPlain } = evidenceOf(plain).host;
    expect({ ...evidenceOf(packed), host: hostPacked }).toEqual({ ...evidenceOf(plain), host: hostPlain });
  });

  it('compresses a document whose gzip member needs every pad count 0-3', () => {
    // Prepare: argv of growing length shifts the gzip size through every remainder mod 4.
    const pads = new Set<number>();
    for (let n = 0; n < 96 && pads.size < 4; n++) {
      const root = freshRoot();
      writeNodeTree(root, nodePresets.al2023({ makeIptablesFlag: [`--v=${'7'.repeat(n)}`] }));

      // Act
      const run = runCollectorAt(root, { env: { KUBELET_AUDIT_ENCODING: 'both' } });

      // Assess
      const [plainLine, compactLine] = run.stdout.split('\n');
      const envelope = JSON.parse(compactLine!) as { pad: number };
      expect(inflateCompactEnvelope(envelope)).toEqual({ ok: true, text: plainLine });
      pads.add(envelope.pad);
    }
    expect([...pads].sort()).toEqual([0, 1, 2, 3]);
  });

  it('compresses with nothing but bash, coreutils and gzip on PATH', () => {
    // Prepare: a PATH holding only the coreutils the script may use, and gzip.
    const root = freshRoot();
    writeNodeTree(root, nodePresets.al2());
    const bin = toolDir(['head', 'tr', 'wc', 'stat', 'readlink', 'date', 'base64', 'od', 'gzip']);

    // Act
    const run = runCollectorAt(root, { bash: bashPath(), env: { PATH: bin } });

    // Assess
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.parsed.ok && run.parsed.encoding).toBe('gzip+z85');
    expect(evidenceOf(run).kubelets).toHaveLength(1);
  });

  it('prints the plain document when od is missing, even with gzip there', () => {
    const root = freshRoot();
    writeNodeTree(root, nodePresets.al2());
    const bin = toolDir(['head', 'tr', 'wc', 'stat', 'readlink', 'date', 'base64', 'gzip']);

    const run = runCollectorAt(root, { bash: bashPath(), env: { PATH: bin } });

    expect(run.stderr).toBe('');
    expect(run.parsed.ok && run.parsed.encoding).toBe('plain');
  });

  it('prints the plain document when gzip fails', () => {
    // Prepare: a gzip that writes half a stream and fails.
    const root = freshRoot();
    writeNodeTree(root, nodePresets.al2());
    const bin = toolDir(['head', 'tr', 'wc', 'stat', 'readlink', 'date', 'base64', 'od', 'cat']);
    writeFileSync(join(bin, 'gzip'), '#!/bin/sh\nprintf "\\037\\213\\010\\000"\nexit 1\n');
    chmodSync(join(bin, 'gzip'), 0o755);

    const run = runCollectorAt(root, { bash: bashPath(), env: { PATH: bin } });

    expect(run.status).toBe(0);
    expect(run.parsed.ok && run.parsed.encoding).toBe('plain');
  });

  it('prints plain JSON when gzip is not on PATH, using nothing but bash and coreutils', () => {
    // Prepare: a PATH holding only the coreutils the script may use.
    const root = freshRoot();
    writeNodeTree(root, nodePresets.al2());
    const bin = toolDir(['head', 'tr', 'wc', 'stat', 'readlink', 'date', 'base64', 'od']);

    // Act
    const run = runCollectorAt(root, { bash: bashPath(), env: { PATH: bin } });

    // Assess: no "command not found" on stderr, a complete plain document.
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.parsed.ok && run.parsed.encoding).toBe('plain');
    expect(evidenceOf(run).kubelets).toHaveLength(1);
  });

  it('gives the same document under BASH_COMPAT=4.2 (Amazon Linux 2 ships bash 4.2)', () => {
    // Prepare: tricky argv and file contents exercise every escaping path of json_str.
    const root = freshRoot();
    const extraFiles: Record<string, SimEntry> = {};
    for (const [name, content] of Object.entries(TRICKY)) extraFiles[`/etc/kubelet/d/${name}`] = content;
    writeNodeTree(
      root,
      nodePresets['bottlerocket-host']({
        makeIptablesFlag: [
          '--x="q\\"',
          'tab\there',
          'line\nbreak',
          'bell\x07',
          'é',
          '--config-dir=/etc/kubelet/d',
        ],
        extraFiles,
      }),
    );
    const strip = (s: string) => s.replace(/"nowEpochSeconds":\d+,/, '');

    const now = runCollectorAt(root, { env: { KUBELET_AUDIT_ENCODING: 'both' } });
    const compat = runCollectorAt(root, { env: { KUBELET_AUDIT_ENCODING: 'both', BASH_COMPAT: '4.2' } });

    // Assess: the same plain document, and a compact line that inflates to it (the Z85 arithmetic).
    expect(compat.stderr).toBe('');
    const [plainNow] = now.stdout.split('\n');
    const [plainCompat, compactCompat] = compat.stdout.split('\n');
    expect(strip(plainCompat!)).toBe(strip(plainNow!));
    expect(inflateCompactEnvelope(JSON.parse(compactCompat!))).toEqual({ ok: true, text: plainCompat });
  });
});

describe('the script itself', () => {
  const script = readFileSync(COLLECT_SH, 'utf8');
  const code = script
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n');

  it('stays under the 64 KB SSM document limit', () => {
    // The document (one JSON string per line, quotes and backslashes escaped) adds about 8.5 %:
    // 57 KB of script is about 62 KB of document (test/infra/collector-document.test.ts checks it).
    expect(Buffer.byteLength(script)).toBeLessThan(57 * 1024);
  });

  it('calls none of ps, systemctl, find, grep, sed, awk, jq, and no bash >= 4.3 features', () => {
    expect(code).not.toMatch(/(^|[\s|;&(`])(ps|systemctl|find|grep|egrep|sed|awk|jq|xargs|getconf)\s/m);
    expect(code).not.toMatch(/mapfile\s+-d|readarray\s+-d|\$\{[A-Za-z_]+@[QEPAa]\}|declare\s+-n|local\s+-n/);
  });
});
