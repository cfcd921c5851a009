/** Command-line parsing for `kubelet-audit` (node:util parseArgs, strict). */
import { parseArgs } from 'node:util';
import { checkControlIds } from './control-selection.ts';

export const COMMANDS = ['collect', 'evaluate', 'scan-local', 'controls', 'help'] as const;
export type Command = (typeof COMMANDS)[number];
export const FORMATS = ['table', 'json', 'markdown'] as const;
export type Format = (typeof FORMATS)[number];
export const FAIL_ON = ['failed', 'warning', 'none'] as const;
export type FailOn = (typeof FAIL_ON)[number];

export interface CliOptions {
  readonly command: Command;
  readonly input?: string;
  readonly format: Format;
  readonly failOn: FailOn;
  readonly platform?: string;
  /** --control ids, each one of the catalog's; absent = every control. */
  readonly controls?: readonly string[];
}

export const USAGE = `Usage: kubelet-audit <command> [options]

Audits the kubelet of an EKS worker node against the CIS Amazon EKS Benchmark worker-node controls
(section 3), one result per control, each with the layer that decided the kubelet's effective value.

Commands:
  collect              Run the node collector on this host (honours HOST_ROOT) and print its evidence JSON.
  evaluate <file|->    Evaluate an evidence document from a file or standard input.
  scan-local           collect + evaluate on this host.
  controls             List the controls this tool checks, with their CIS ids, title and severity.
  fleet                With your AWS credentials: which nodes a scan would reach, and why not
                       (--collect: collect and evaluate them; see kubelet-audit fleet --help).
  archive              Archive this scanner's findings and clear its state table before teardown
                       (see kubelet-audit archive --help).

Options:
  -f, --format <table|json>      Output format (default: table; colours only on a terminal);
                                 controls also takes markdown (the reference page).
      --fail-on <failed|warning> Exit 1 when a result is FAILED (or FAILED/WARNING).
      --platform <name>          Node platform known from elsewhere, e.g. "windows".
      --control <id>             Only this control (repeatable); \`kubelet-audit controls\` lists the ids.
  -h, --help                     Show this help.

Exit codes: 0 the evaluation ran, 1 --fail-on matched, 2 unusable input or usage error.
`;

export type ParsedCli = { ok: true; options: CliOptions } | { ok: false; error: string };

export function parseCli(args: readonly string[]): ParsedCli {
  let parsed: ReturnType<
    typeof parseArgs<{
      options: {
        format: { type: 'string'; short: 'f' };
        'fail-on': { type: 'string' };
        platform: { type: 'string' };
        control: { type: 'string'; multiple: true };
        help: { type: 'boolean'; short: 'h' };
      };
      allowPositionals: true;
      strict: true;
    }>
  >;
  try {
    parsed = parseArgs({
      args: [...args],
      options: {
        format: { type: 'string', short: 'f' },
        'fail-on': { type: 'string' },
        platform: { type: 'string' },
        control: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  const { values, positionals } = parsed;
  const format = values.format ?? 'table';
  if (!(FORMATS as readonly string[]).includes(format)) {
    return { ok: false, error: `unknown --format ${JSON.stringify(format)} (use table or json)` };
  }
  if (format === 'markdown' && positionals[0] !== 'controls') {
    return { ok: false, error: '--format markdown is only for the controls command' };
  }
  const failOn = values['fail-on'] ?? 'none';
  if (!(FAIL_ON as readonly string[]).includes(failOn)) {
    return { ok: false, error: `unknown --fail-on ${JSON.stringify(failOn)} (use failed or warning)` };
  }
  const unknownControl = checkControlIds(values.control ?? []);
  if (unknownControl !== undefined) return { ok: false, error: unknownControl };
  const base = {
    format: format as Format,
    failOn: failOn as FailOn,
    ...(values.platform === undefined ? {} : { platform: values.platform }),
    ...(values.control === undefined ? {} : { controls: values.control }),
  };
  if (values.help) return { ok: true, options: { command: 'help', ...base } };
  const [command, ...rest] = positionals;
  if (command === undefined) return { ok: false, error: 'no command given' };
  if (!(COMMANDS as readonly string[]).includes(command)) {
    return { ok: false, error: `unknown command ${JSON.stringify(command)}` };
  }
  if (command === 'evaluate') {
    if (rest.length !== 1)
      return { ok: false, error: 'evaluate needs exactly one input: a file path or "-" for stdin' };
    return { ok: true, options: { command, input: rest[0]!, ...base } };
  }
  if (rest.length > 0) return { ok: false, error: `unexpected argument ${JSON.stringify(rest[0])}` };
  return { ok: true, options: { command: command as Command, ...base } };
}
