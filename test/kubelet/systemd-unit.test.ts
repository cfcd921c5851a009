import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EvidenceDocument } from '../../functions/collector/evidence-schema.ts';
import { argvFromUnitFiles, parseEnvironmentFile, splitWords } from '../../functions/kubelet/systemd-unit.ts';
import { cleanupRoots, collect, evidenceOf } from '../collector/run-collector.ts';
import { hostileNodes } from '../sim/hostile-nodes.ts';
import { type NodeTreeSpec, nodePresets } from '../sim/node-tree.ts';
import { buildEvidence, missingFile, textFile } from './evidence-builder.ts';
import { AL2_ARGS, AL2_UNIT, AL2023_UNIT } from './unit-fixtures.ts';

const unit = (content: string, path = '/etc/systemd/system/kubelet.service') =>
  textFile(path, content, ['unit']);
const unitDropIn = (name: string, content: string) =>
  textFile(`/etc/systemd/system/kubelet.service.d/${name}`, content, ['unit-dropin']);

describe('splitWords (systemd extract_first_word, unquote)', () => {
  it.each([
    ['a b  c', ['a', 'b', 'c']],
    ['"a b" c', ['a b', 'c']],
    ["--x='a b'c", ['--x=a bc']],
    ['a\\ b', ['a b']],
    ['"a\\"b"', ['a"b']],
    ['"unbalanced', ['unbalanced']],
    ['', []],
  ])('%j → %j', (text, words) => {
    expect(splitWords(text)).toEqual(words);
  });
});

describe('parseEnvironmentFile', () => {
  it('reads KEY=value lines with quotes and comments', () => {
    // Prepare
    const text = '# c\n; c\nA=1\nB="x y"\nC=\'--a=b --c\'\n  D = spaced  \nE=a\\ b\nexport F=1\nG="q\\"q"\n';
    // Act
    const env = parseEnvironmentFile(text);
    // Assess
    expect(Object.fromEntries(env)).toEqual({
      A: '1',
      B: 'x y',
      C: '--a=b --c',
      D: 'spaced',
      E: 'a b',
      G: 'q"q',
    });
  });
});

describe('argvFromUnitFiles', () => {
  it('returns undefined without a unit file', () => {
    expect(argvFromUnitFiles(buildEvidence())).toBeUndefined();
  });

  it('AL2: expands $KUBELET_ARGS and $KUBELET_EXTRA_ARGS from drop-ins, split at whitespace', () => {
    const evidence = buildEvidence({
      files: [
        unit(AL2_UNIT),
        unitDropIn(
          '30-kubelet-extra-args.conf',
          `[Service]\nEnvironment='KUBELET_EXTRA_ARGS=--node-labels=a=b --make-iptables-util-chains=false'\n`,
        ),
        unitDropIn('10-kubelet-args.conf', AL2_ARGS),
      ],
    });
    const result = argvFromUnitFiles(evidence);
    expect(result).toMatchObject({ ok: true });
    if (!result?.ok) return;
    expect(result.argv).toEqual([
      '/usr/bin/kubelet',
      '--config',
      '/etc/kubernetes/kubelet/kubelet-config.json',
      '--kubeconfig',
      '/var/lib/kubelet/kubeconfig',
      '--container-runtime-endpoint',
      'unix:///run/containerd/containerd.sock',
      '--node-ip=10.0.0.1',
      '--pod-infra-container-image=602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/pause:3.5',
      '--v=2',
      '--node-labels=a=b',
      '--make-iptables-util-chains=false',
    ]);
    expect(result.sources).toEqual([
      '/etc/systemd/system/kubelet.service',
      '/etc/systemd/system/kubelet.service.d/10-kubelet-args.conf',
      '/etc/systemd/system/kubelet.service.d/30-kubelet-extra-args.conf',
    ]);
  });

  it('an unset $VAR vanishes; a braced variable is one word with its spaces; $$ is a dollar', () => {
    const evidence = buildEvidence({
      files: [
        unit(
          `[Service]\nEnvironment="LABELS=a=1 b=2"\nExecStart=/usr/bin/kubelet $NOPE --node-labels "\${LABELS}" --x=$$HOME --y=\${NOPE}\n`,
        ),
      ],
    });
    expect(argvFromUnitFiles(evidence)).toMatchObject({
      ok: true,
      argv: ['/usr/bin/kubelet', '--node-labels', 'a=1 b=2', '--x=$HOME', '--y='],
    });
  });

  it('AL2023: EnvironmentFile= provides NODEADM_KUBELET_ARGS and overrides Environment=', () => {
    const evidence = buildEvidence({
      files: [
        unit(AL2023_UNIT.replace('[Service]\n', '[Service]\nEnvironment=NODEADM_KUBELET_ARGS=--old\n')),
        textFile(
          '/etc/eks/kubelet/environment',
          'NODEADM_KUBELET_ARGS="--node-ip=10.0.0.2 --config=/etc/kubernetes/kubelet/config.json --make-iptables-util-chains=false"\n',
          ['environment'],
        ),
      ],
    });
    expect(argvFromUnitFiles(evidence)).toMatchObject({
      ok: true,
      argv: [
        '/usr/bin/kubelet',
        '--node-ip=10.0.0.2',
        '--config=/etc/kubernetes/kubelet/config.json',
        '--make-iptables-util-chains=false',
      ],
    });
  });

  it('ExecStart= empty in a drop-in resets the command', () => {
    const evidence = buildEvidence({
      files: [
        unit(AL2023_UNIT),
        unitDropIn('90-override.conf', '[Service]\nExecStart=\nExecStart=/usr/local/bin/kubelet --v=4\n'),
      ],
    });
    const result = argvFromUnitFiles(evidence);
    // The unit still names a required EnvironmentFile=; without it systemd would not start the service.
    expect(result).toMatchObject({ ok: false });
    const evidence2 = buildEvidence({
      files: [
        unit(AL2023_UNIT),
        unitDropIn('90-override.conf', '[Service]\nExecStart=\nExecStart=/usr/local/bin/kubelet --v=4\n'),
        textFile('/etc/eks/kubelet/environment', 'NODEADM_KUBELET_ARGS=--x\n', ['environment']),
      ],
    });
    expect(argvFromUnitFiles(evidence2)).toMatchObject({
      ok: true,
      argv: ['/usr/local/bin/kubelet', '--v=4'],
    });
  });

  it('two ExecStart= lines without a reset are refused', () => {
    const evidence = buildEvidence({
      files: [unit('[Service]\nExecStart=/a\n'), unitDropIn('x.conf', '[Service]\nExecStart=/b\n')],
    });
    expect(argvFromUnitFiles(evidence)).toMatchObject({ ok: false });
  });

  it('a missing optional EnvironmentFile=- is fine; a missing required one is not', () => {
    const optional = buildEvidence({
      files: [unit('[Service]\nEnvironmentFile=-/etc/x\nExecStart=/k $A\n')],
    });
    expect(argvFromUnitFiles(optional)).toMatchObject({ ok: true, argv: ['/k'] });
    const required = buildEvidence({
      files: [
        unit('[Service]\nEnvironmentFile=/etc/x\nExecStart=/k $A\n'),
        missingFile('/etc/x', ['environment']),
      ],
    });
    expect(argvFromUnitFiles(required)).toMatchObject({ ok: false });
  });

  it('prefers /etc over /usr/lib for the unit and same-named drop-ins; ignores other sections', () => {
    const evidence = buildEvidence({
      files: [
        unit('[Service]\nExecStart=/usr/lib/one\n', '/usr/lib/systemd/system/kubelet.service'),
        unit('[Unit]\nExecStart=/not-service\n[Service]\nExecStart=/etc/one $A\n'),
        textFile('/usr/lib/systemd/system/kubelet.service.d/10.conf', '[Service]\nEnvironment=A=lib\n', [
          'unit-dropin',
        ]),
        unitDropIn('10.conf', '[Service]\nEnvironment=A=etc\n'),
      ],
    });
    expect(argvFromUnitFiles(evidence)).toMatchObject({ ok: true, argv: ['/etc/one', 'etc'] });
  });

  it('strips ExecStart prefixes; @ makes the second word argv[0]', () => {
    const evidence = buildEvidence({
      files: [unit('[Service]\nExecStart=-@/usr/bin/kubelet kubelet --v=2\n')],
    });
    expect(argvFromUnitFiles(evidence)).toMatchObject({ ok: true, argv: ['kubelet', '--v=2'] });
  });
});

describe('argvFromUnitFiles on the collector reduced unit and environment files', () => {
  afterAll(cleanupRoots);

  /** The same evidence with every reduced file's full text from the simulated disk put back. */
  function withFullFiles(evidence: EvidenceDocument, root: string): EvidenceDocument {
    const files = evidence.files.map((f) => {
      if (f.reduced !== true) return f;
      const { reduced: _reduced, cut: _cut, ...rest } = f;
      return { ...rest, encoding: 'text' as const, content: readFileSync(join(root, f.path), 'utf8') };
    });
    return { ...evidence, files };
  }

  const nodes: [string, NodeTreeSpec][] = [
    ...Object.entries(nodePresets).map(([name, preset]): [string, NodeTreeSpec] => [name, preset()]),
    ['al2-flag-false with drift', nodePresets['al2-flag-false']({ onDiskExtraArgs: ['--v=4'] })],
    ['hostile unit drop-ins', hostileNodes.unit!.spec],
    ['hostile nodeadm environment', hostileNodes.nodeadm!.spec],
  ];

  it.each(nodes)('%s: the reduced files give the argv the full files give', (_name, spec) => {
    // Prepare
    const run = collect(spec);
    const reduced = evidenceOf(run);
    const full = withFullFiles(reduced, run.root);

    // Act
    const fromReduced = argvFromUnitFiles(reduced);
    const fromFull = argvFromUnitFiles(full);

    // Assess: the same answer; and the reduced files really are reduced where a preset has extra lines.
    expect(fromReduced).toEqual(fromFull);
    for (const f of reduced.files.filter((x) => x.roles.includes('unit'))) {
      expect(f.content).not.toMatch(/^(Description|Restart|After|WantedBy)=/m);
    }
  });

  it('keeps only the referenced assignment of an Environment= line with several', () => {
    const ev = evidenceOf(
      collect(
        nodePresets.al2({
          extraFiles: {
            '/etc/systemd/system/kubelet.service.d/20-mixed.conf':
              '[Service]\nEnvironment="HTTPS_PROXY=http://u:p@proxy:3128" \'KUBELET_EXTRA_ARGS=--v=3 --x\' NO_PROXY=x\nEnvironment=\nEnvironment=PATH=/usr/bin\n',
          },
        }),
      ),
    );
    const dropIn = ev.files.find((f) => f.path.endsWith('20-mixed.conf'));
    expect(dropIn).toMatchObject({
      reduced: true,
      content: "[Service]\nEnvironment='KUBELET_EXTRA_ARGS=--v=3 --x'\nEnvironment=\n",
    });
  });
});
