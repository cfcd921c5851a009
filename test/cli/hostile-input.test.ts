import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildEvidence, kcJson, textFile } from '../kubelet/evidence-builder.ts';
import { hasControlCharacter, onlySgrEscapes } from '../text/controls.ts';
import { runMain } from './run-main.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'kubelet-audit.js');
const work = mkdtempSync(join(tmpdir(), 'kubelet-audit-hostile-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const C = '/etc/kubernetes/kubelet/kubelet-config.json';
const TITLE = '\x1b]0;pwned\x07';
const CLEAR = '\x1b[2J';
const RLO = '\u202e';
const hostile = buildEvidence({
  argv: ['/usr/bin/kubelet', '--config', C, `--node-labels=a${CLEAR}b`, '--make-iptables-util-chains=false'],
  files: [textFile(C, kcJson())],
  host: { hostname: `ip-10-0-0-1${TITLE}${RLO}lmth.exe` },
});

/** The same entry point in-process (fast), with captured output. */
const inProcess = (args: string[], input = '') => runMain(args, { input, isTTY: true });

describe('node text in the CLI', () => {
  it('the table (even coloured, on a terminal) carries no escape sequence from the node', async () => {
    const r = await inProcess(['evaluate', '-'], JSON.stringify(hostile));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ip-10-0-0-1lmth.exe');
    expect(r.stdout).toContain('--node-labels=a');
    expect(r.stdout).not.toContain(']0;pwned');
    expect(r.stdout).not.toContain('\x1b[2J');
    expect(r.stdout).not.toContain('\u0007');
    expect(r.stdout).not.toContain(RLO);
    // Only our own SGR colour codes remain.
    expect(r.stdout).toContain('\u001b[31m');
    expect(onlySgrEscapes(r.stdout)).toBe(true);
  });

  it('--format json stays exact: the same text, escaped by JSON', async () => {
    const r = await inProcess(['evaluate', '-', '--format', 'json'], JSON.stringify(hostile));
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('\x1b');
    expect(hasControlCharacter(r.stdout.replaceAll('\n', ' '))).toBe(false);
    expect(r.stdout).toContain('ip-10-0-0-1\\u001b]0;pwned\\u0007\\u202elmth.exe');
    const [entry] = JSON.parse(r.stdout);
    expect(entry.evidence.hostname).toBe(hostile.host.hostname);
  });
});

describe('input that could stall or crash the CLI', () => {
  it('refuses a FIFO without opening it (no hang)', async () => {
    const fifo = join(work, 'evidence.fifo');
    execFileSync('mkfifo', [fifo]);
    const child = spawn(process.execPath, [BIN, 'evaluate', fifo], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(null);
      }, 20_000);
      child.on('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(code).toBe(2);
    expect(stderr).toContain('is not a regular file');
  });

  it('refuses a directory with exit 2', async () => {
    const r = await inProcess(['evaluate', work]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not a regular file');
  });

  it.each([
    ['60,000 "["', '['.repeat(60_000)],
    ['10,000 "{"', '{"a":'.repeat(10_000)],
    ['block YAML nested 300 deep', Array.from({ length: 300 }, (_, i) => `${' '.repeat(i)}k:`).join('\n')],
    ['compact sequences 1,000 deep', `${'- '.repeat(1_000)}x`],
  ])('a config file of %s is a WARNING naming the depth limit, not a crash', (_name, content) => {
    const path = join(work, 'deep.json');
    const yamlPath = '/etc/kubernetes/kubelet/kubelet-config.yaml';
    writeFileSync(
      path,
      JSON.stringify(
        buildEvidence({
          argv: ['/usr/bin/kubelet', '--config', yamlPath],
          files: [textFile(yamlPath, content)],
        }),
      ),
    );
    const out = execFileSync(process.execPath, [BIN, 'evaluate', path, '--format', 'json'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    const entry = JSON.parse(out).find(
      (e: { controlId: string }) => e.controlId === 'kubelet-make-iptables-util-chains',
    );
    expect(entry.status).toBe('WARNING');
    expect(entry.reason).toMatch(/nested deeper than 64 levels/);
  });

  it('an evidence document nested 40,000 deep is unusable input (exit 2), not a crash', async () => {
    const r = await inProcess(['evaluate', '-'], `${'{"a":'.repeat(40_000)}1${'}'.repeat(40_000)}`);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nested deeper than \d+ levels/);
  });
});
