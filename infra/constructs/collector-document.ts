/**
 * The SSM Command document that runs functions/collector/collect.sh on a node, built at synth time by
 * reading the script (never a hand-made copy).
 *
 * How the agent runs it (aws/amazon-ssm-agent agent/plugins/runscript/runscript.go, runshellscript.go,
 * pluginutil.CreateScriptFile): the runCommand strings are joined with "\n", a final "\n" is appended,
 * the result is written to `<orchestration dir>/_script.sh` with mode rwx for the owner, and the agent
 * runs `sh -c <path to _script.sh>`. `sh -c` executes the file by path, so the kernel honours its
 * `#!` line: with the script's own bash shebang as the first runCommand line, the document runs the
 * very bytes of collect.sh under bash, and `_script.sh` equals collect.sh byte for byte.
 */
import { readFileSync } from 'node:fs';
import { CfnDocument } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';

/** The only step; GetCommandInvocation's PluginName is this name. */
export const COLLECTOR_STEP_NAME = 'collectKubeletEvidence';

/** ssm CreateDocument answers MaxDocumentSizeExceeded above 64 KB. */
export const MAX_DOCUMENT_BYTES = 64 * 1024;

/** The agent clamps values outside [5, 172800] to 3600 silently (ssm-agent pluginutil.go). */
const MIN_EXECUTION_TIMEOUT = 5;
const MAX_EXECUTION_TIMEOUT = 172_800;

// `#!/bin/bash`, `#!/usr/bin/bash`, `#!/usr/bin/env bash`, each optionally followed by arguments.
const BASH_SHEBANG = /^#!\s*(?:\/usr)?\/bin\/(?:bash|env\s+bash)(?:\s.*)?$/;

export class CollectorScriptError extends Error {
  constructor(
    readonly scriptPath: string,
    message: string,
  ) {
    super(`Collector script ${scriptPath}: ${message}`);
    this.name = 'CollectorScriptError';
  }
}

/**
 * Splits the script into runCommand lines such that `lines.join('\n') + '\n'` (what the agent writes)
 * is the file's content. Rejects what would make the document differ from the file or run it under
 * another interpreter.
 */
export function scriptToRunCommand(script: string, scriptPath: string): string[] {
  if (script.length === 0) throw new CollectorScriptError(scriptPath, 'is empty');
  if (!script.endsWith('\n')) {
    // The agent always appends "\n"; without one in the file the document would not be the file.
    throw new CollectorScriptError(scriptPath, 'must end with a newline');
  }
  if (script.includes('\r')) {
    throw new CollectorScriptError(scriptPath, 'contains carriage returns (CRLF); bash would see them');
  }
  if (script.includes('\0')) throw new CollectorScriptError(scriptPath, 'contains NUL bytes');
  if (script.includes('{{')) {
    // SSM substitutes `{{ name }}` (document parameters) and `{{ssm:...}}` (Parameter Store values)
    // into runCommand text before the agent sees it: the script must contain neither.
    throw new CollectorScriptError(
      scriptPath,
      'contains "{{", which SSM would treat as a parameter reference',
    );
  }
  const lines = script.slice(0, -1).split('\n');
  if (!BASH_SHEBANG.test(lines[0] ?? '')) {
    throw new CollectorScriptError(
      scriptPath,
      `must start with a bash shebang (e.g. "#!/usr/bin/env bash"): the agent runs the document with ` +
        `\`sh -c _script.sh\`, so only the shebang makes it run under bash; found "${lines[0]}"`,
    );
  }
  return lines;
}

export interface CollectorDocumentContentOptions {
  /** Execution timeout of the step in seconds (inputs.timeoutSeconds). */
  readonly executionTimeoutSeconds: number;
}

/** The schema 2.2 document body: one Linux-only aws:runShellScript step, no parameters. */
export function collectorDocumentContent(
  runCommand: readonly string[],
  options: CollectorDocumentContentOptions,
): Record<string, unknown> {
  const timeout = options.executionTimeoutSeconds;
  if (!Number.isInteger(timeout) || timeout < MIN_EXECUTION_TIMEOUT || timeout > MAX_EXECUTION_TIMEOUT) {
    throw new RangeError(
      `executionTimeoutSeconds must be an integer in [${MIN_EXECUTION_TIMEOUT}, ${MAX_EXECUTION_TIMEOUT}], got ${timeout}`,
    );
  }
  return {
    schemaVersion: '2.2',
    description:
      'eks-kubelet-audit collector: read-only; prints one JSON document describing the host kubelet ' +
      '(command line, config files, OS facts). Generated from functions/collector/collect.sh.',
    // No `parameters`: SSM substitutes parameters textually into the script, so a static script
    // leaves nothing for a caller of SendCommand to inject.
    mainSteps: [
      {
        action: 'aws:runShellScript',
        name: COLLECTOR_STEP_NAME,
        // Windows/macOS nodes skip the step instead of failing (the scanner then reports them).
        precondition: { StringEquals: ['platformType', 'Linux'] },
        inputs: {
          timeoutSeconds: String(timeout),
          runCommand: [...runCommand],
        },
      },
    ],
  };
}

export interface CollectorDocumentProps {
  /** Path of collect.sh; read at synth. */
  readonly scriptPath: string;
  /** @default 60 */
  readonly executionTimeoutSeconds?: number;
}

/**
 * `AWS::SSM::Document` (Command) holding collect.sh. It has no fixed name: CloudFormation names it, so
 * a changed script replaces the document cleanly (a named document cannot be replaced in place) and the
 * function receives the new name through its environment.
 */
export class CollectorDocument extends Construct {
  readonly document: CfnDocument;
  /** The document's name (a token resolved at deploy time). */
  readonly documentName: string;

  constructor(scope: Construct, id: string, props: CollectorDocumentProps) {
    super(scope, id);
    let script: string;
    try {
      script = readFileSync(props.scriptPath, 'utf8');
    } catch (cause) {
      throw new CollectorScriptError(props.scriptPath, `cannot be read (${(cause as Error).message})`);
    }
    const content = collectorDocumentContent(scriptToRunCommand(script, props.scriptPath), {
      executionTimeoutSeconds: props.executionTimeoutSeconds ?? 60,
    });
    const size = Buffer.byteLength(JSON.stringify(content), 'utf8');
    if (size > MAX_DOCUMENT_BYTES) {
      throw new CollectorScriptError(
        props.scriptPath,
        `makes a ${size}-byte document; SSM accepts at most ${MAX_DOCUMENT_BYTES}`,
      );
    }
    this.document = new CfnDocument(this, 'Resource', {
      documentType: 'Command',
      documentFormat: 'JSON',
      // SendCommand with this document may only target EC2 instances (not hybrid `mi-` nodes).
      targetType: '/AWS::EC2::Instance',
      updateMethod: 'Replace',
      content,
    });
    this.documentName = this.document.ref;
  }
}
