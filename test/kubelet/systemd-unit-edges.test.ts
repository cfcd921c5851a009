/**
 * The systemd rules behind drift, one at a time: how a word is unquoted and unescaped, how unit lines
 * continue and which files count, how an environment file's values are quoted, and how ExecStart=
 * variables expand. A wrong argv from the unit files is a wrong (or missing) drift report.
 */
import { describe, expect, it } from 'vitest';
import type { FileEvidence } from '../../functions/collector/evidence-schema.ts';
import { argvFromUnitFiles, parseEnvironmentFile, splitWords } from '../../functions/kubelet/systemd-unit.ts';
import { buildEvidence, bytesFile, missingFile, textFile } from './evidence-builder.ts';

const UNIT = '/etc/systemd/system/kubelet.service';
const unit = (content: string, path = UNIT) => textFile(path, content, ['unit']);
const unitDropIn = (name: string, content: string, dir = '/etc/systemd/system/kubelet.service.d') =>
  textFile(`${dir}/${name}`, content, ['unit-dropin']);
const env = (path: string, content: string) => textFile(path, content, ['environment']);

function argvOf(...files: FileEvidence[]) {
  // Act
  return argvFromUnitFiles(buildEvidence({ files }));
}

describe('splitWords', () => {
  it.each([
    ['a b ', ['a', 'b']],
    ['   ', []],
    ['a\\', ['a\\']],
    ['a\\tb\\nc\\sd\\\\e\\"f', ['a\tb\nc d\\e"f']],
    ['\\x41\\x4g', ['Ax4g']],
    ["'a\\x41'", ['aA']],
  ])('%j → %j (C escapes on)', (text, words) => {
    expect(splitWords(text)).toEqual(words);
  });

  it('without C escapes a backslash only keeps the next character', () => {
    expect(splitWords('\\x41 \\t \\\\', false)).toEqual(['x41', 't', '\\']);
  });
});

describe('unit file lines', () => {
  it('indented section headers and keys count; spaces around "=" are trimmed', () => {
    const r = argvOf(unit('  [Service]\n  ExecStart = /k --a\n'));
    expect(r).toEqual({ ok: true, argv: ['/k', '--a'], unitPath: UNIT, sources: [UNIT] });
  });

  it('a comment line inside a continuation is skipped, # and ; alike', () => {
    const r = argvOf(unit('[Service]\nExecStart=/k \\\n# comment\n  --v=2 \\\n; another\n  --x\n'));
    expect(r).toMatchObject({ ok: true, argv: ['/k', '--v=2', '--x'] });
  });

  it('a continuation on the last line without a newline still counts', () => {
    expect(argvOf(unit('[Service]\nExecStart=/k --a \\'))).toMatchObject({ ok: true, argv: ['/k', '--a'] });
  });

  it('a value ending in "]" is not a section header; %% is a percent sign', () => {
    const r = argvOf(unit('[Service]\nExecStart=/k --opt=[a] --fmt=100%%\n'));
    expect(r).toMatchObject({ ok: true, argv: ['/k', '--opt=[a]', '--fmt=100%'] });
  });

  it('"ExecStart= " (only spaces) resets the list like an empty value', () => {
    const r = argvOf(
      unit('[Service]\nExecStart=/a\n'),
      unitDropIn('10-x.conf', '[Service]\nExecStart=   \nExecStart=/b\n'),
    );
    expect(r).toMatchObject({ ok: true, argv: ['/b'] });
  });

  it('no ExecStart= and two ExecStart= are refused with their own reasons', () => {
    expect(argvOf(unit('[Service]\nRestart=always\n'))).toEqual({
      ok: false,
      reason: 'the unit files define no ExecStart=',
    });
    expect(argvOf(unit('[Service]\nExecStart=/a\nExecStart=/b\n'))).toEqual({
      ok: false,
      reason: 'the unit files define 2 ExecStart= lines, which systemd refuses for a simple service',
    });
  });

  it('a unit with invalid UTF-8 in a comment still gives its argv (lenient decode)', () => {
    const bytes = new Uint8Array([
      ...Buffer.from('# \xff\n', 'latin1'),
      ...Buffer.from('[Service]\nExecStart=/k\n'),
    ]);
    const r = argvFromUnitFiles(buildEvidence({ files: [bytesFile(UNIT, bytes, ['unit'])] }));
    expect(r).toMatchObject({ ok: true, argv: ['/k'] });
  });
});

describe('which unit files count', () => {
  it('a unit file that cannot be read is refused, not guessed', () => {
    expect(argvOf(missingFile(UNIT, ['unit'], 'permission denied'))).toEqual({
      ok: false,
      reason: `the unit file ${UNIT} could not be read whole`,
    });
  });

  it('a drop-in that cannot be read is refused', () => {
    const gone = missingFile(
      '/etc/systemd/system/kubelet.service.d/20-x.conf',
      ['unit-dropin'],
      'permission denied',
    );
    expect(argvOf(unit('[Service]\nExecStart=/k\n'), gone)).toEqual({
      ok: false,
      reason: 'the unit drop-in /etc/systemd/system/kubelet.service.d/20-x.conf could not be read whole',
    });
  });

  it('the unit is chosen by directory priority, whatever the evidence order', () => {
    const r = argvOf(
      unitDropIn('10-x.conf', '[Service]\nEnvironment=A=1\n'),
      unit('[Service]\nExecStart=/opt/k\n', '/opt/custom/kubelet.service'),
      unit('[Service]\nExecStart=/usr/lib/k\n', '/usr/lib/systemd/system/kubelet.service'),
      unit('[Service]\nExecStart=/etc/k $A\n'),
    );
    expect(r).toMatchObject({ ok: true, argv: ['/etc/k', '1'], unitPath: UNIT });
  });

  it('an unknown directory ranks after every systemd directory', () => {
    const r = argvOf(
      unit('[Service]\nExecStart=/opt/k\n', '/opt/custom/kubelet.service'),
      unit('[Service]\nExecStart=/lib/k\n', '/lib/systemd/system/kubelet.service'),
    );
    expect(r).toMatchObject({ ok: true, argv: ['/lib/k'] });
  });

  it('a drop-in in /etc masks the same name in /usr/lib, listed before or after it', () => {
    const base = unit('[Service]\nExecStart=/k $A\n');
    const etc = unitDropIn('10-a.conf', '[Service]\nEnvironment=A=etc\n');
    const lib = unitDropIn(
      '10-a.conf',
      '[Service]\nEnvironment=A=lib\n',
      '/usr/lib/systemd/system/kubelet.service.d',
    );
    expect(argvOf(base, etc, lib)).toMatchObject({ ok: true, argv: ['/k', 'etc'] });
    expect(argvOf(base, lib, etc)).toMatchObject({ ok: true, argv: ['/k', 'etc'] });
  });

  it('only *.conf files of the drop-in role are drop-ins', () => {
    const r = argvOf(
      unit('[Service]\nExecStart=/k\n'),
      unitDropIn('notes.txt', '[Service]\nExecStart=\nExecStart=/other\n'),
      textFile('/etc/eks/kubelet/extra.conf', '[Service]\nExecStart=\nExecStart=/env\n', ['environment']),
    );
    expect(r).toMatchObject({ ok: true, argv: ['/k'] });
  });
});

describe('Environment= and EnvironmentFile=', () => {
  it('an assignment needs a name before "="; a word without "=" sets nothing', () => {
    const r = argvOf(unit(`[Service]\nEnvironment="=x" FOO B=2\nExecStart=/k a\${}b $FO \${B}\n`));
    expect(r).toMatchObject({ ok: true, argv: ['/k', 'ab', '2'] });
  });

  it('the EnvironmentFile= named is read, not another environment file', () => {
    const r = argvOf(
      unit('[Service]\nEnvironmentFile=/etc/b\nExecStart=/k $A\n'),
      env('/etc/a', 'A=from-a\n'),
      env('/etc/b', 'A=from-b\n'),
    );
    expect(r).toMatchObject({ ok: true, argv: ['/k', 'from-b'], sources: [UNIT, '/etc/b'] });
  });

  it('an optional file the collector found missing is skipped', () => {
    const r = argvOf(
      unit('[Service]\nEnvironmentFile=-/etc/x\nExecStart=/k $A\n'),
      missingFile('/etc/x', ['environment']),
    );
    expect(r).toMatchObject({ ok: true, argv: ['/k'], sources: [UNIT] });
  });

  it('an optional file that could not be read (not missing) is refused', () => {
    const r = argvOf(
      unit('[Service]\nEnvironmentFile=-/etc/x\nExecStart=/k $A\n'),
      missingFile('/etc/x', ['environment'], 'permission denied'),
    );
    expect(r).toEqual({ ok: false, reason: 'the environment file /etc/x is not in the evidence whole' });
  });

  it('a required file absent from the evidence is refused', () => {
    const r = argvOf(unit('[Service]\nEnvironmentFile=/etc/x\nExecStart=/k $A\n'));
    expect(r).toEqual({ ok: false, reason: 'the environment file /etc/x is not in the evidence whole' });
  });
});

describe('parseEnvironmentFile', () => {
  it.each([
    ['A=one \\\ntwo\n', { A: 'one two' }],
    ['A=x\\\\\nB=y\n', { A: 'x\\', B: 'y' }],
    ['A=x\\', { A: 'x\\' }],
    ['NOEQUALS\nA=1\n', { A: '1' }],
    ["A='x\\y '\n", { A: 'x\\y ' }],
    ["A='abc\n", { A: 'abc' }],
    ['A="x "\n', { A: 'x ' }],
    ['A="ab\n', { A: 'ab' }],
    ['A="a\\$b\\`c"\n', { A: 'a$b`c' }],
    ['A=a  \n', { A: 'a' }],
    ['1A=x\nA-B=y\n', {}],
  ])('%j → %j', (text, expected) => {
    expect(Object.fromEntries(parseEnvironmentFile(text))).toEqual(expected);
  });
});

describe('ExecStart= expansion', () => {
  it('$$ before a brace is a literal dollar; a lone $ stays', () => {
    const r = argvOf(unit(`[Service]\nEnvironment=X=1\nExecStart=/k a$\${X} $$X $\n`));
    expect(r).toMatchObject({ ok: true, argv: ['/k', `a\${X}`, '$X', '$'] });
  });

  it('a brace without a dollar is literal; two braced variables in a word expand; an unterminated one is literal', () => {
    const r = argvOf(unit(`[Service]\nEnvironment=A=1 B=2\nExecStart=/k --x={a} \${A}\${B} x\${A\n`));
    expect(r).toMatchObject({ ok: true, argv: ['/k', '--x={a}', '12', `x\${A`] });
  });

  it('a whole-word $VAR is split without C escapes', () => {
    const r = argvOf(
      unit('[Service]\nEnvironmentFile=/etc/e\nExecStart=/k $A\n'),
      env('/etc/e', 'A="x\\\\ty --v=2"\n'),
    );
    expect(r).toMatchObject({ ok: true, argv: ['/k', 'xty', '--v=2'] });
  });

  it('the - prefix alone does not move argv[0]; @ with two words does', () => {
    expect(argvOf(unit('[Service]\nExecStart=-/usr/bin/kubelet --v=2\n'))).toMatchObject({
      ok: true,
      argv: ['/usr/bin/kubelet', '--v=2'],
    });
    expect(argvOf(unit('[Service]\nExecStart=@/usr/bin/kubelet kubelet\n'))).toMatchObject({
      ok: true,
      argv: ['kubelet'],
    });
    expect(argvOf(unit('[Service]\nExecStart=@/usr/bin/kubelet\n'))).toMatchObject({
      ok: true,
      argv: ['/usr/bin/kubelet'],
    });
  });

  it('an ExecStart= of prefixes only is empty', () => {
    expect(argvOf(unit('[Service]\nExecStart=-\n'))).toEqual({ ok: false, reason: 'ExecStart= is empty' });
  });
});
