import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inflateCompactEnvelope } from '../../functions/collector/evidence.ts';
import { compactEnvelopeSchema, evidenceDocumentSchema } from '../../functions/collector/evidence-schema.ts';
import {
  COLLECTOR_STEP_NAME,
  CollectorScriptError,
  collectorDocumentContent,
  scriptToRunCommand,
} from '../../infra/constructs/collector-document.ts';
import { COLLECTOR_TIMEOUT_RANGE } from '../../infra/settings-schema.ts';
import { nodePresets, writeNodeTree } from '../sim/node-tree.ts';
import { COLLECTOR_SCRIPT, synth } from './synth.ts';

type Json = Record<string, unknown>;

/** What the SSM agent writes to _script.sh (ssm-agent pluginutil.CreateScriptFile). */
const agentScript = (runCommand: readonly string[]) => `${runCommand.join('\n')}\n`;

const work = mkdtempSync(join(tmpdir(), 'collector-document-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the deployed document', () => {
  it('holds functions/collector/collect.sh exactly, as one Linux-only step without parameters', () => {
    // Prepare
    expect(existsSync(COLLECTOR_SCRIPT), `${COLLECTOR_SCRIPT} must exist`).toBe(true);
    const script = readFileSync(COLLECTOR_SCRIPT, 'utf8');
    // Act
    const { template } = synth({ scanner: { collectorScriptPath: COLLECTOR_SCRIPT } });
    // Assess
    const documents = Object.values(template.findResources('AWS::SSM::Document'));
    expect(documents).toHaveLength(1);
    const properties = (documents[0] as Json).Properties as Json;
    expect(properties).toMatchObject({
      DocumentType: 'Command',
      DocumentFormat: 'JSON',
      TargetType: '/AWS::EC2::Instance',
      UpdateMethod: 'Replace',
    });
    // CloudFormation names it, so a changed script replaces it instead of failing on a fixed name.
    expect(properties.Name).toBeUndefined();
    const content = properties.Content as Json;
    expect(content.schemaVersion).toBe('2.2');
    expect(content).not.toHaveProperty('parameters');
    const steps = content.mainSteps as Json[];
    expect(steps).toHaveLength(1);
    const step = steps[0] as Json;
    expect(step).toMatchObject({
      action: 'aws:runShellScript',
      name: COLLECTOR_STEP_NAME,
      precondition: { StringEquals: ['platformType', 'Linux'] },
      inputs: { timeoutSeconds: '60' },
    });
    expect(agentScript((step.inputs as Json).runCommand as string[])).toBe(script);
  });

  it('takes the execution timeout from the props', () => {
    const { template } = synth({ scanner: { collectorTimeoutSeconds: 120 } });
    const document = Object.values(template.findResources('AWS::SSM::Document'))[0] as Json;
    const step = (((document.Properties as Json).Content as Json).mainSteps as Json[])[0] as Json;
    expect((step.inputs as Json).timeoutSeconds).toBe('120');
  });
});

describe('scriptToRunCommand', () => {
  it('splits so that the agent rebuilds the file byte for byte, blank lines and trailing spaces kept', () => {
    const script = '#!/usr/bin/env bash\nset -eu\n\n  echo "a  b" \n\t# tab\n\n';
    const lines = scriptToRunCommand(script, 'x.sh');
    expect(lines).toEqual(['#!/usr/bin/env bash', 'set -eu', '', '  echo "a  b" ', '\t# tab', '']);
    expect(agentScript(lines)).toBe(script);
  });

  it.each([
    ['', /is empty/],
    ['#!/usr/bin/env bash\necho hi', /must end with a newline/],
    ['#!/usr/bin/env bash\r\necho hi\r\n', /carriage returns/],
    ['#!/usr/bin/env bash\necho "{{ x }}"\n', /"\{\{"/],
    ['#!/bin/sh\necho hi\n', /bash shebang/],
    ['echo hi\n', /bash shebang/],
    ['#!/usr/bin/env bash\necho \0\n', /NUL/],
  ])('rejects %j', (script, message) => {
    expect(() => scriptToRunCommand(script, 'x.sh')).toThrow(CollectorScriptError);
    expect(() => scriptToRunCommand(script, 'x.sh')).toThrow(message);
  });

  it.each([
    '#!/bin/bash',
    '#!/usr/bin/bash',
    '#!/usr/bin/env bash',
    '#!/bin/bash -eu',
  ])('accepts %s', (line) => {
    expect(scriptToRunCommand(`${line}\necho hi\n`, 'x.sh')[0]).toBe(line);
  });
});

describe('collectorDocumentContent', () => {
  it.each([4, 172_801, 1.5])('rejects execution timeout %s (the agent would silently use 3600)', (t) => {
    expect(() => collectorDocumentContent(['#!/bin/bash'], { executionTimeoutSeconds: t })).toThrow(
      RangeError,
    );
  });

  it('refuses a script that would exceed the 64 KB document limit', () => {
    const path = join(work, 'huge.sh');
    writeFileSync(path, `#!/usr/bin/env bash\n${'# padding padding padding padding\n'.repeat(2100)}`);
    expect(() => synth({ scanner: { collectorScriptPath: path } })).toThrow(/SSM accepts at most 65536/);
  });
});

describe('running the document the way the SSM agent does', () => {
  it('executes it under bash although the agent calls `sh -c <_script.sh>`', () => {
    // Prepare: bash-only syntax that dash (this machine's and Debian's /bin/sh) rejects.
    const source = [
      '#!/usr/bin/env bash',
      'set -euo pipefail',
      'declare -A seen=([kubelet]=1)',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: bash parameter expansion, not a JS template
      'if [[ -n "${BASH_VERSION:-}" && ${seen[kubelet]} -eq 1 ]]; then printf \'{"shell":"bash"}\\n\'; fi',
      '',
    ].join('\n');
    const runCommand = scriptToRunCommand(source, 'probe.sh');
    const scriptPath = join(work, '_script.sh');
    writeFileSync(scriptPath, agentScript(runCommand));
    chmodSync(scriptPath, 0o700); // appconfig.ReadWriteExecuteAccess
    // Act: runscript.go runs ShellCommand "sh" with ["-c", scriptPath, ExitCodeTrap ("" on Unix)].
    const run = spawnSync('sh', ['-c', scriptPath, ''], { encoding: 'utf8' });
    // Assess
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('{"shell":"bash"}\n');
  });
});

describe('the synthesized document on a simulated node', () => {
  it('runs collect.sh from the document as the agent does and prints valid evidence', () => {
    // Prepare: an AL2023 node whose kubelet runs with --make-iptables-util-chains=false, and the
    // _script.sh the agent would write from the synthesized document.
    const { template } = synth({ scanner: { collectorScriptPath: COLLECTOR_SCRIPT } });
    const document = Object.values(template.findResources('AWS::SSM::Document'))[0] as Json;
    const step = (((document.Properties as Json).Content as Json).mainSteps as Json[])[0] as Json;
    const scriptPath = join(work, 'agent', '_script.sh');
    const hostRoot = join(work, 'node');
    writeNodeTree(hostRoot, nodePresets['al2023-flag-false']());
    mkdirSync(join(work, 'agent'), { recursive: true });
    writeFileSync(scriptPath, agentScript((step.inputs as Json).runCommand as string[]));
    chmodSync(scriptPath, 0o700);
    // Act
    const run = spawnSync('sh', ['-c', scriptPath, ''], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOST_ROOT: hostRoot },
      timeout: 30_000,
    });
    // Assess: the node's answer as the scanner receives it (the compressed envelope by default).
    expect(run.status).toBe(0);
    const envelope = compactEnvelopeSchema.parse(JSON.parse(run.stdout));
    const inflated = inflateCompactEnvelope(envelope);
    if (!inflated.ok) throw new Error(`compact envelope did not inflate: ${inflated.reason}`);
    const evidence = evidenceDocumentSchema.parse(JSON.parse(inflated.text));
    expect(evidence.kubelets).toHaveLength(1);
    expect(evidence.kubelets[0]?.argv).toContain('--make-iptables-util-chains=false');
  });
});

describe('the collector timeout setting', () => {
  it('never lets the agent kill the collector before its own time budget ends', () => {
    // Prepare: collect.sh stops collecting after TIME_BUDGET seconds and still prints a document.
    const budget = /^TIME_BUDGET=(\d+)$/m.exec(readFileSync(COLLECTOR_SCRIPT, 'utf8'));
    expect(budget, 'collect.sh must set TIME_BUDGET').not.toBeNull();
    // Assert: the smallest accepted execution timeout leaves at least 5 s to print and compress.
    expect(COLLECTOR_TIMEOUT_RANGE[0]).toBeGreaterThanOrEqual(Number(budget![1]) + 5);
  });
});
