/**
 * pflag details the verdicts rest on: the order problems are reported in, which words are positional,
 * unknown flags at the end of argv or with "=", shorthand forms, --help/--version in each of the
 * kubelet's two parses, and which earlier occurrences a flag overrides.
 */
import { describe, expect, it } from 'vitest';
import { parseKubeletArgv, resolveBoolFlag } from '../../functions/kubelet/flags.ts';
import { KUBELET_FLAGS } from '../../functions/kubelet/kubelet-flag-table.ts';

const K = '/usr/bin/kubelet';
const initial = (...args: string[]) => parseKubeletArgv([K, ...args]);
const precedence = (...args: string[]) => parseKubeletArgv([K, ...args], KUBELET_FLAGS, 'precedence');
const codes = (parsed: ReturnType<typeof initial>) => parsed.problems.map((p) => `${p.code}@${p.index}`);

describe('problems', () => {
  it('are reported in argv order, whichever check found them', () => {
    const parsed = initial('stray', '--make-iptables-util-chains=maybe', '---x', 'again');
    expect(codes(parsed)).toEqual([
      'stray-positional@1',
      'invalid-bool@2',
      'bad-syntax@3',
      'stray-positional@4',
    ]);
  });

  it('an empty word and a lone "-" are positional arguments', () => {
    expect(codes(initial('', '-'))).toEqual(['stray-positional@1', 'stray-positional@2']);
  });

  it('a clean argv has no occurrences, unknown flags, positionals or problems', () => {
    expect(initial()).toStrictEqual({ occurrences: [], unknownFlags: [], positionals: [], problems: [] });
  });

  it('a stray word names the bare boolean flag right before it, and only that one', () => {
    const afterBool = initial('--make-iptables-util-chains', 'false');
    expect(afterBool.problems[0]!.message).toBe(
      'unknown command "false": the boolean flag --make-iptables-util-chains does not take the next word as its value, so "false" is a stray argument',
    );
    for (const parsed of [initial('--v=2', 'x'), initial('--make-iptables-util-chains', '--v=2', 'x')]) {
      expect(parsed.problems.at(-1)!.message).toBe(
        'unknown command "x": the kubelet accepts no positional arguments',
      );
    }
  });
});

describe('unknown long flags', () => {
  it('at the end of argv: recorded, nothing taken, no problem', () => {
    const parsed = initial('--brand-new');
    expect(parsed.unknownFlags).toStrictEqual([
      { name: 'brand-new', index: 1, arg: '--brand-new', tookNextArg: false },
    ]);
    expect(parsed.problems).toEqual([]);
  });

  it('with "=" it takes nothing: the next word is its own', () => {
    const parsed = initial('--brand-new=x', 'value');
    expect(parsed.unknownFlags[0]!.tookNextArg).toBe(false);
    expect(codes(parsed)).toEqual(['stray-positional@2']);
  });

  it('with "=" a flag after it is not marked as possibly swallowed', () => {
    expect(initial('--brand-new=x', '--v=2').occurrences).toStrictEqual([
      { name: 'v', index: 2, arg: '--v=2', value: '2', form: 'equals' },
    ]);
  });

  it('without "=" a flag-shaped next word is marked as possibly swallowed', () => {
    expect(initial('--brand-new', '--v=2').occurrences).toStrictEqual([
      { name: 'v', index: 2, arg: '--v=2', value: '2', form: 'equals', followsUnknownFlag: 1 },
    ]);
  });
});

describe('shorthands', () => {
  it.each([
    [['-v=3'], { value: '3' }],
    [['-v='], { value: '=' }],
    [['-v3'], { value: '3' }],
    [['-v', '3'], { value: '3', valueIndex: 2 }],
  ])('%j sets v', (args, expected) => {
    const parsed = initial(...args);
    expect(parsed.occurrences).toStrictEqual([
      { name: 'v', index: 1, arg: args[0], form: 'shorthand', ...expected },
    ]);
    expect(parsed.problems).toEqual([]);
  });

  it('-v at the end needs a value', () => {
    expect(initial('-v').problems).toStrictEqual([
      { code: 'missing-value', index: 1, arg: '-v', message: "flag needs an argument: 'v' in -v" },
    ]);
  });

  it('-h asks for help in the first parse and is unknown in the re-parse', () => {
    expect(codes(initial('-h'))).toEqual(['help@1']);
    expect(codes(precedence('-h'))).toEqual(['unknown-shorthand@1']);
  });
});

describe('--help and --version in the two parses', () => {
  it('--help: usage in the first parse, ErrHelp in the re-parse', () => {
    expect(initial('--help').problems[0]!.message).toBe('--help makes the kubelet print usage and exit');
    expect(precedence('--help').problems).toStrictEqual([
      {
        code: 'help',
        index: 1,
        arg: '--help',
        message: '--help is not a flag of the re-parse and stops it (pflag ErrHelp)',
      },
    ]);
    expect(initial('--help=false').problems).toEqual([]);
  });

  it('a bare --version takes no value in the first parse and stops the kubelet', () => {
    const parsed = initial('--version', '--v=2');
    expect(parsed.occurrences[0]).toStrictEqual({
      name: 'version',
      index: 1,
      arg: '--version',
      value: 'true',
      form: 'bare',
    });
    expect(codes(parsed)).toEqual(['version@1']);
  });

  it('--version=raw stops it, --version=false does not; the re-parse never reports it', () => {
    expect(codes(initial('--version=raw'))).toEqual(['version@1']);
    expect(codes(initial('--version=false'))).toEqual([]);
    expect(codes(precedence('--version=true'))).toEqual([]);
  });

  it('a global bool takes the next word as its value only in the re-parse', () => {
    expect(initial('--add-dir-header', '--config', '/c').occurrences.map((o) => [o.name, o.value])).toEqual([
      ['add-dir-header', 'true'],
      ['config', '/c'],
    ]);
    const again = precedence('--add-dir-header', '--config', '/c');
    expect(again.occurrences.map((o) => [o.name, o.value])).toEqual([['add-dir-header', '--config']]);
    expect(codes(again)).toEqual(['stray-positional@3']);
  });
});

describe('resolveBoolFlag', () => {
  it('lists the occurrences the last one overrides', () => {
    const r = resolveBoolFlag(
      initial(
        '--make-iptables-util-chains=false',
        '--make_iptables_util_chains',
        '--make-iptables-util-chains=0',
      ),
      'make-iptables-util-chains',
    );
    expect(r).toMatchObject({ state: 'set', value: false, occurrence: { index: 3 } });
    expect(r.state === 'set' && r.overridden.map((o) => o.index)).toEqual([1, 2]);
  });
});
