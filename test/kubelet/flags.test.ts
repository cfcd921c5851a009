import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ArgvProblemCode,
  normalizeFlagName,
  parseKubeletArgv,
  resolveBoolFlag,
  resolveStringFlag,
} from '../../functions/kubelet/flags.ts';
import { parseGoBool } from '../../functions/kubelet/go-parse-bool.ts';

const K = '/usr/bin/kubelet';
const FLAG = 'make-iptables-util-chains';

function boolOf(args: string[]) {
  // Prepare
  const argv = [K, ...args];
  // Act
  const parsed = parseKubeletArgv(argv);
  const result = resolveBoolFlag(parsed, FLAG);
  return { parsed, result };
}

describe('parseGoBool (Go strconv.ParseBool)', () => {
  it.each([
    ['1', true],
    ['t', true],
    ['T', true],
    ['TRUE', true],
    ['true', true],
    ['True', true],
    ['0', false],
    ['f', false],
    ['F', false],
    ['FALSE', false],
    ['false', false],
    ['False', false],
  ])('accepts %j as %s', (text, expected) => {
    expect(parseGoBool(text)).toBe(expected);
  });

  it.each([
    'yes',
    'no',
    'on',
    'off',
    'y',
    'n',
    'tRUE',
    'fALSE',
    'truE',
    '',
    ' true',
    'true ',
    '2',
    '-1',
    'Yes',
    'T ',
    'enabled',
  ])('rejects %j', (text) => {
    expect(parseGoBool(text)).toBeUndefined();
  });
});

describe('flag truth table', () => {
  it.each([
    [['--make-iptables-util-chains'], true, 'bare'],
    [['--make-iptables-util-chains=true'], true, 'equals'],
    [['--make-iptables-util-chains=false'], false, 'equals'],
    [['--make-iptables-util-chains=0'], false, 'equals'],
    [['--make-iptables-util-chains=F'], false, 'equals'],
    [['--make_iptables_util_chains=false'], false, 'equals'],
    [['--make-iptables_util-chains=false'], false, 'equals'],
    [['--make-iptables-util-chains=false', '--make-iptables-util-chains=true'], true, 'equals'],
    [['--make-iptables-util-chains=true', '--make_iptables_util_chains=false'], false, 'equals'],
    [['--make-iptables-util-chains=false', '--make-iptables-util-chains'], true, 'bare'],
  ])('%j → %s', (args, expected, form) => {
    const { parsed, result } = boolOf(args);
    // Assess
    expect(parsed.problems).toEqual([]);
    expect(result.state).toBe('set');
    if (result.state !== 'set') return;
    expect(result.value).toBe(expected);
    expect(result.occurrence.form).toBe(form);
    expect(result.occurrence.index).toBe(args.length);
  });

  it('is absent when not given', () => {
    const { parsed, result } = boolOf(['--config', '/etc/kubernetes/kubelet/config.json', '--v=2']);
    expect(result.state).toBe('absent');
    expect(parsed.problems).toEqual([]);
  });

  it('treats --flag false as true plus a stray positional the kubelet rejects', () => {
    const { parsed, result } = boolOf(['--v=2', '--make-iptables-util-chains', 'false']);
    expect(result).toMatchObject({ state: 'set', value: true });
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.problems[0]).toMatchObject({
      code: ArgvProblemCode.strayPositional,
      index: 3,
      arg: 'false',
    });
    expect(parsed.problems[0]!.message).toContain('does not take the next word');
  });

  it.each([
    'yes',
    'no',
    'on',
    'off',
    'tRUE',
    '',
    'y',
  ])('flags --make-iptables-util-chains=%j as invalid (kubelet exits)', (v) => {
    const { parsed, result } = boolOf([`--make-iptables-util-chains=${v}`]);
    expect(result.state).toBe('invalid');
    expect(parsed.problems.map((p) => p.code)).toEqual([ArgvProblemCode.invalidBool]);
  });

  it('an invalid earlier occurrence is fatal even if a later one is valid', () => {
    const { result } = boolOf(['--make-iptables-util-chains=yes', '--make-iptables-util-chains=false']);
    expect(result.state).toBe('invalid');
  });

  it('a single-dash long flag is a run of shorthands and fails', () => {
    const { parsed, result } = boolOf(['-make-iptables-util-chains=false']);
    expect(result.state).toBe('absent');
    expect(parsed.problems[0]).toMatchObject({ code: ArgvProblemCode.unknownShorthand });
  });

  it('accepts -v=2, -v2 and -v 2 shorthands', () => {
    const { parsed } = boolOf(['-v=2', '-v3', '-v', '4', '--make-iptables-util-chains=false']);
    expect(parsed.problems).toEqual([]);
    expect(parsed.occurrences.filter((o) => o.name === 'v').map((o) => o.value)).toEqual(['2', '3', '4']);
  });

  it('-- ends flags: anything after it is a positional the kubelet rejects', () => {
    const { parsed, result } = boolOf(['--', '--make-iptables-util-chains=false']);
    expect(result.state).toBe('absent');
    expect(parsed.problems[0]).toMatchObject({ code: ArgvProblemCode.strayPositional, index: 2 });
  });

  it('a trailing -- alone is harmless', () => {
    const { parsed } = boolOf(['--make-iptables-util-chains=false', '--']);
    expect(parsed.problems).toEqual([]);
  });

  it('a string flag takes the next word even if it looks like a flag', () => {
    const { parsed, result } = boolOf(['--config', '--make-iptables-util-chains=false']);
    expect(result.state).toBe('absent');
    expect(resolveStringFlag(parsed, 'config')?.value).toBe('--make-iptables-util-chains=false');
  });

  it('string flags: =v, next word, last wins, and _ names', () => {
    const { parsed } = boolOf(['--config=/a', '--config', '/b', '--config_dir=/d']);
    expect(resolveStringFlag(parsed, 'config')).toMatchObject({
      value: '/b',
      form: 'next-arg',
      index: 2,
      valueIndex: 3,
    });
    expect(resolveStringFlag(parsed, 'config-dir')?.value).toBe('/d');
  });

  it('a string flag at the end without a value is an error', () => {
    const { parsed } = boolOf(['--config']);
    expect(parsed.problems[0]).toMatchObject({ code: ArgvProblemCode.missingValue });
  });

  it.each([['---make-iptables-util-chains'], ['--=false']])('%j is bad flag syntax', (arg) => {
    const { parsed } = boolOf([arg]);
    expect(parsed.problems[0]).toMatchObject({ code: ArgvProblemCode.badSyntax });
  });

  it.each([[''], ['-'], ['foo']])('%j is a stray positional', (arg) => {
    const { parsed } = boolOf([arg]);
    expect(parsed.problems[0]).toMatchObject({ code: ArgvProblemCode.strayPositional });
  });

  it('--help and -h make the kubelet exit', () => {
    expect(boolOf(['--help']).parsed.problems[0]?.code).toBe(ArgvProblemCode.help);
    expect(boolOf(['-h']).parsed.problems[0]?.code).toBe(ArgvProblemCode.help);
    expect(boolOf(['--help=false']).parsed.problems).toEqual([]);
  });

  it('names are case-sensitive: a capitalised flag is unknown, not ours', () => {
    const { parsed, result } = boolOf(['--Make-Iptables-Util-Chains=false']);
    expect(result.state).toBe('absent');
    expect(parsed.unknownFlags.map((u) => u.name)).toEqual(['Make-Iptables-Util-Chains']);
  });

  it('unknown flags are recorded leniently; a value-looking next word is taken as their value', () => {
    const { parsed, result } = boolOf(['--brand-new-flag', 'x', '--make-iptables-util-chains=false']);
    expect(parsed.problems).toEqual([]);
    expect(parsed.unknownFlags).toEqual([
      { name: 'brand-new-flag', index: 1, arg: '--brand-new-flag', tookNextArg: true },
    ]);
    expect(result).toMatchObject({ state: 'set', value: false });
    if (result.state === 'set') expect(result.occurrence.followsUnknownFlag).toBeUndefined();
  });

  it('marks a flag right after an unknown value-less flag as possibly swallowed', () => {
    const { result } = boolOf(['--brand-new-flag', '--make-iptables-util-chains=false']);
    expect(result.state).toBe('set');
    if (result.state === 'set') expect(result.occurrence.followsUnknownFlag).toBe(1);
  });

  it('normalises _ to - (cliflag.WordSepNormalizeFunc)', () => {
    expect(normalizeFlagName('make_iptables_util_chains')).toBe('make-iptables-util-chains');
  });

  it('skips argv[0] even when it looks like a flag', () => {
    const parsed = parseKubeletArgv(['--make-iptables-util-chains=false']);
    expect(resolveBoolFlag(parsed, FLAG).state).toBe('absent');
  });
});

// ---------------------------------------------------------------------------------------------
// Property: the parser agrees with an independent, deliberately naive model of pflag restricted to
// a small flag set. The model walks tokens with explicit cases and shares no code with the parser.
const MODEL_BOOL = ['make-iptables-util-chains', 'fail-swap-on', 'help'];
const MODEL_VALUE = ['config', 'node-ip', 'v'];
const GO_TRUE = ['1', 't', 'T', 'TRUE', 'true', 'True'];
const GO_FALSE = ['0', 'f', 'F', 'FALSE', 'false', 'False'];

interface ModelResult {
  value: boolean | 'absent' | 'invalid';
  rejected: boolean;
}

function model(args: string[]): ModelResult {
  let value: ModelResult['value'] = 'absent';
  let rejected = false;
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (a === '--') {
      if (k + 1 < args.length) rejected = true;
      break;
    }
    if (a === '' || a === '-' || a[0] !== '-') {
      rejected = true;
      continue;
    }
    if (a[1] !== '-') {
      // shorthand: only -v (value) and -h (help) exist
      if (a[1] === 'v') {
        if (a.length === 2) {
          if (k + 1 < args.length) k++;
          else rejected = true;
        }
      } else rejected = true; // -h is help (exit) or unknown shorthand
      continue;
    }
    const body = a.slice(2);
    if (body.startsWith('-') || body.startsWith('=')) {
      rejected = true;
      continue;
    }
    const parts = body.split('=');
    const name = parts[0]!.split('_').join('-');
    const hasValue = parts.length > 1;
    const v = parts.slice(1).join('=');
    if (MODEL_BOOL.includes(name)) {
      const text = hasValue ? v : 'true';
      const ok = GO_TRUE.includes(text) || GO_FALSE.includes(text);
      if (!ok) rejected = true;
      if (name === 'help' && GO_TRUE.includes(text)) rejected = true;
      if (name === 'make-iptables-util-chains') {
        if (!ok) value = 'invalid';
        else if (value !== 'invalid') value = GO_TRUE.includes(text);
      }
    } else if (MODEL_VALUE.includes(name)) {
      if (!hasValue) {
        if (k + 1 < args.length) k++;
        else rejected = true;
      }
    }
  }
  return { value, rejected };
}

const boolValue = fc.constantFrom(
  ...GO_TRUE,
  ...GO_FALSE,
  'yes',
  'no',
  'on',
  'off',
  'tRUE',
  '',
  ' true',
  '2',
  'y',
);
const boolName = fc.constantFrom(
  'make-iptables-util-chains',
  'make_iptables_util_chains',
  'make-iptables_util-chains',
  'fail-swap-on',
  'fail_swap_on',
  'help',
);
const token = fc.oneof(
  { weight: 5, arbitrary: boolName.map((n) => `--${n}`) },
  { weight: 8, arbitrary: fc.tuple(boolName, boolValue).map(([n, v]) => `--${n}=${v}`) },
  { weight: 3, arbitrary: fc.constantFrom('--config', '--node-ip', '--node_ip', '--v', '-v') },
  {
    weight: 2,
    arbitrary: fc.constantFrom('--config=/etc/k.json', '--v=2', '-v=3', '-v4', '--node-ip=10.0.0.1'),
  },
  { weight: 3, arbitrary: fc.constantFrom('false', 'true', 'x', '', '-', '--', '-h', '-m', '---x', '--=x') },
);

describe('property: parser ≡ independent pflag model', () => {
  it('agrees on the effective value and on rejection', () => {
    fc.assert(
      fc.property(fc.array(token, { maxLength: 12 }), (args) => {
        const parsed = parseKubeletArgv([K, ...args]);
        const r = resolveBoolFlag(parsed, FLAG);
        const m = model(args);
        const value = r.state === 'set' ? r.value : r.state;
        expect(value).toBe(m.value);
        expect(parsed.problems.length > 0).toBe(m.rejected);
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws and indexes stay inside argv on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 20 }), { maxLength: 20 }), (args) => {
        const argv = [K, ...args];
        const parsed = parseKubeletArgv(argv);
        for (const o of parsed.occurrences) expect(argv[o.index]).toBe(o.arg);
        for (const p of parsed.problems) expect(p.index).toBeLessThan(argv.length);
      }),
      { numRuns: 1000 },
    );
  });
});
