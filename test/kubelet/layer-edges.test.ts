/**
 * The file layers beyond the common shapes: what each returns when a listing or drop-in is missing,
 * how a relative --config / --config-dir falls back when the working directory is unknown, an object
 * patched over a scalar, nulls and scalars in the chain, and a config file refused for another
 * setting's type. Each asserts the problems, chain and notes the verdict and its reason are built from.
 */
import { describe, expect, it } from 'vitest';
import { effectiveSetting } from '../../functions/kubelet/effective-config.ts';
import { KubeletSettings } from '../../functions/kubelet/kubelet-settings.ts';
import { buildEvidence, dropIn, type EvidenceSpec, KC, kcJson, PID, textFile } from './evidence-builder.ts';

const K = '/usr/bin/kubelet';
const CONFIG = '/etc/kubernetes/kubelet/config.json';
const DIR = '/etc/kubernetes/kubelet/config.json.d';
const V131 = 'Kubernetes v1.31.4';
const V133 = 'Kubernetes v1.33.1';

function effective(spec: EvidenceSpec, key: keyof typeof KubeletSettings = 'makeIPTablesUtilChains') {
  // Prepare
  const evidence = buildEvidence(spec);
  // Act
  return effectiveSetting(evidence.kubelets[0]!, evidence, KubeletSettings[key]);
}

describe('--config-dir that cannot be read', () => {
  it('a listing not in the evidence: one blocking problem, the dir named, nothing in the chain', () => {
    const s = effective({ argv: [K, '--config-dir', DIR] });
    expect(s).toMatchObject({ determined: false, configDir: DIR });
    expect(s.problems).toStrictEqual([
      {
        code: 'config-dir-missing',
        message: `the drop-in directory ${DIR} is not in the evidence`,
        blocking: true,
      },
    ]);
    expect(s.chain).toEqual([]);
    expect(s.notes).toEqual([]);
  });

  it('a relative --config-dir with no working directory and no listing of its own is unresolvable', () => {
    const s = effective({
      argv: [K, '--config-dir', 'd'],
      kubelet: { cwd: undefined },
      configDirs: [{ path: DIR, pid: 999, entries: [] }],
    });
    expect(s.problems.map((p) => p.code)).toEqual(['config-unresolvable']);
    expect(s.configDir).toBeUndefined();
  });

  it('with no working directory, the only listing of this kubelet is used, another kubelet listing aside', () => {
    const entry = `${DIR}/10.conf`;
    const s = effective({
      argv: [K, '--config-dir', 'config.json.d'],
      kubelet: { cwd: undefined },
      files: [dropIn(entry, kcJson({ makeIPTablesUtilChains: false }))],
      configDirs: [
        { path: '/other.d', pid: 999, entries: [] },
        { path: DIR, pid: PID, entries: [entry] },
      ],
    });
    expect(s).toMatchObject({ determined: true, value: false, configDir: DIR });
  });

  it('with no working directory and two listings of this kubelet, it is unresolvable', () => {
    const s = effective({
      argv: [K, '--config-dir', 'd'],
      kubelet: { cwd: undefined },
      configDirs: [
        { path: DIR, pid: PID, entries: [] },
        { path: '/b.d', pid: PID, entries: [] },
      ],
    });
    expect(s.problems.map((p) => p.code)).toEqual(['config-unresolvable']);
  });

  it('a listing recorded without a pid is preferred to another kubelet listing', () => {
    const entry = `${DIR}/10.conf`;
    const s = effective({
      argv: [K, '--config-dir', DIR],
      files: [dropIn(entry, kcJson({ makeIPTablesUtilChains: false }))],
      configDirs: [
        { path: DIR, pid: 999, entries: [] },
        { path: DIR, entries: [entry] },
      ],
    });
    expect(s).toMatchObject({ determined: true, value: false });
  });

  it('a drop-in listed but not collected: its problem only, no chain entry', () => {
    const entry = `${DIR}/10.conf`;
    const s = effective({
      argv: [K, '--config', CONFIG, '--config-dir', DIR],
      files: [textFile(CONFIG, kcJson({ makeIPTablesUtilChains: true }))],
      configDirs: [{ path: DIR, pid: PID, entries: [entry] }],
    });
    expect(s.problems).toStrictEqual([
      {
        code: 'drop-in-missing',
        message: `the drop-in ${entry} is not in the evidence`,
        blocking: true,
        path: entry,
      },
    ]);
    expect(s.chain.map((c) => c.provenance.kind)).toEqual(['config-file']);
    expect(s.notes).toEqual([]);
  });
});

describe('drop-ins in the chain', () => {
  const entries = [`${DIR}/10.conf`, `${DIR}/20.conf`];
  const withDropIns = (
    version: string | undefined,
    first: unknown,
    second: unknown,
    config: Record<string, unknown> = {},
  ) =>
    effective(
      {
        argv: [K, '--config', CONFIG, '--config-dir', DIR],
        ...(version ? { kubelet: { version } } : {}),
        files: [
          textFile(CONFIG, kcJson(config)),
          dropIn(entries[0]!, kcJson(first as Record<string, unknown>)),
          dropIn(entries[1]!, kcJson(second as Record<string, unknown>)),
        ],
        configDirs: [{ path: DIR, pid: PID, entries }],
      },
      'anonymousAuth',
    );

  it('an object patched over an earlier scalar drops the rest of the path: up to 1.31 the file shows through', () => {
    const s = withDropIns(
      V131,
      { authentication: 'x' },
      { authentication: { webhook: { enabled: true } } },
      {
        authentication: { anonymous: { enabled: true } },
      },
    );
    expect(s).toMatchObject({ determined: true, value: true, decidedBy: { kind: 'config-file' } });
    expect(s.notes).toEqual([
      `the kubelet (up to 1.31) merges drop-ins onto the loaded configuration without re-defaulting, so authentication: null in drop-in ${entries[1]} lets the earlier value show through`,
    ]);
    expect(s.chain.map((c) => [c.provenance.kind, c.value, c.text])).toEqual([
      ['config-file', true, `authentication.anonymous.enabled: true in ${CONFIG}`],
      ['drop-in', 'x', `authentication: "x" in drop-in ${entries[0]}`],
    ]);
  });

  it('the same from 1.32: the default', () => {
    const s = withDropIns(
      V133,
      { authentication: 'x' },
      { authentication: { webhook: { enabled: true } } },
      {
        authentication: { anonymous: { enabled: true } },
      },
    );
    expect(s).toMatchObject({ determined: true, value: false, decidedBy: { kind: 'default' } });
    expect(s.decidedByText).toBe(
      `the kubelet default (false), as authentication: null in drop-in ${entries[1]} deletes it and the kubelet (from 1.32) re-defaults the merged drop-ins`,
    );
  });

  it('a deeper object over a scalar at a deeper level drops only from there', () => {
    const s = withDropIns(
      V133,
      { authentication: { anonymous: 'x' } },
      { authentication: { anonymous: { other: 1 } } },
    );
    expect(s.decidedByText).toContain('as authentication.anonymous: null in drop-in');
  });

  it('a null is in the chain with its own text and a note', () => {
    const s = withDropIns(
      V131,
      { authentication: { anonymous: { enabled: true } } },
      { authentication: { anonymous: null } },
    );
    expect(s.chain.map((c) => [c.value, c.text])).toEqual([
      [true, `authentication.anonymous.enabled: true in drop-in ${entries[0]}`],
      [null, `authentication.anonymous: null in drop-in ${entries[1]}`],
    ]);
    expect(s.notes[0]).toBe(
      `the drop-in ${entries[1]} resets authentication.anonymous (null), cancelling earlier drop-ins`,
    );
    expect(s.problems).toEqual([]);
  });

  it('a zero duration in a drop-in is re-defaulted from 1.32, with the merge named', () => {
    const s = effective(
      {
        argv: [K, '--config', CONFIG, '--config-dir', DIR],
        kubelet: { version: V133 },
        files: [
          textFile(CONFIG, kcJson({})),
          dropIn(entries[0]!, kcJson({ streamingConnectionIdleTimeout: '0s' })),
        ],
        configDirs: [{ path: DIR, pid: PID, entries: [entries[0]!] }],
      },
      'streamingConnectionIdleTimeout',
    );
    expect(s.decidedByText).toBe(
      `the kubelet default (4h0m0s), as streamingConnectionIdleTimeout: 0s in drop-in ${entries[0]} is zero and the kubelet (from 1.32) re-defaults the merged drop-ins`,
    );
  });

  it('a duplicate key in a YAML drop-in is noted', () => {
    const s = effective({
      argv: [K, '--config-dir', DIR],
      files: [dropIn(entries[0]!, `${KC}makeIPTablesUtilChains: true\nmakeIPTablesUtilChains: false\n`)],
      configDirs: [{ path: DIR, pid: PID, entries: [entries[0]!] }],
    });
    expect(s.value).toBe(false);
    expect(s.notes).toEqual([
      `makeIPTablesUtilChains appears more than once in ${entries[0]}; the last one counts`,
    ]);
  });
});

describe('the --config file', () => {
  it('another known setting that is a scalar where an object belongs makes the file unloadable', () => {
    const s = effective({
      argv: [K, '--config', CONFIG],
      files: [textFile(CONFIG, kcJson({ authentication: 'x' }))],
    });
    expect(s.determined).toBe(false);
    expect(s.problems).toStrictEqual([
      {
        code: 'wrong-type',
        message: `the kubelet could not have loaded the config file ${CONFIG}: authentication is "x", not an object`,
        blocking: true,
        path: CONFIG,
      },
    ]);
    expect(s.configFormat).toBe('json');
  });

  it('its own path through a scalar: the reason names where', () => {
    const s = effective(
      {
        argv: [K, '--config', CONFIG],
        files: [textFile(CONFIG, `${KC}authentication:\n  anonymous: "no"\n`)],
      },
      'anonymousAuth',
    );
    expect(s.problems[0]!.message).toBe(
      `the kubelet could not have loaded the config file ${CONFIG}: authentication.anonymous is "no", not an object`,
    );
    expect(s.configFormat).toBe('yaml');
  });

  it('an unloadable file still records its format', () => {
    const s = effective({
      argv: [K, '--config', CONFIG],
      files: [textFile(CONFIG, 'kind: Other\napiVersion: v1\n')],
    });
    expect(s).toMatchObject({ determined: false, configFormat: 'yaml' });
    expect(s.problems.map((p) => p.code)).toEqual(['config-unloadable']);
  });

  it('with no working directory, the only config file of this kubelet is used', () => {
    const s = effective({
      argv: [K, '--config', 'c.json'],
      kubelet: { cwd: undefined },
      files: [
        textFile('/other/c.json', kcJson({ makeIPTablesUtilChains: true }), ['config'], { pid: 999 }),
        textFile('/drop/c.json', kcJson({ makeIPTablesUtilChains: true }), ['config-dir-entry']),
        textFile('/mine/c.json', kcJson({ makeIPTablesUtilChains: false })),
      ],
    });
    expect(s).toMatchObject({ determined: true, value: false, configPath: '/mine/c.json' });
  });

  it('with no working directory and two config files of this kubelet, it is unresolvable', () => {
    const s = effective({
      argv: [K, '--config', 'c.json'],
      kubelet: { cwd: undefined },
      files: [textFile('/a/c.json', kcJson({})), textFile('/b/c.json', kcJson({}))],
    });
    expect(s.problems).toStrictEqual([
      {
        code: 'config-unresolvable',
        message: "--config c.json is relative and the kubelet's working directory is unknown",
        blocking: true,
      },
    ]);
    expect(s.configPath).toBeUndefined();
  });

  it('a file that sets the setting adds no problem and no note', () => {
    const s = effective({
      argv: [K, '--config', CONFIG],
      files: [textFile(CONFIG, kcJson({ makeIPTablesUtilChains: false }))],
    });
    expect(s.problems).toEqual([]);
    expect(s.notes).toEqual([]);
  });
});
