/**
 * `kubelet-audit`: collect | evaluate <file|-> | scan-local | controls. Exit codes: 0 the evaluation ran,
 * 1 --fail-on matched, 2 unusable input or usage error (with a one-line error on stderr).
 */
import { parseEvidence } from '../collector/evidence.ts';
import { evaluateEvidence } from '../controls/index.ts';
import { sanitizeText } from '../text/sanitize.ts';
import { runAccountCommand } from './account.ts';
import { isAccountCommand } from './account-args.ts';
import type { AccountDeps } from './account-deps.ts';
import { type CliOptions, parseCli, USAGE } from './cli-args.ts';
import { selectControls, selectResults } from './control-selection.ts';
import { renderControls } from './controls-command.ts';
import { readInput } from './read-input.ts';
import { toJson, toTable } from './render.ts';
import { runCollector } from './run-collector.ts';

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stdin: AsyncIterable<Buffer | string>;
  readonly env: NodeJS.ProcessEnv;
  readonly isTTY: boolean;
}

export const ExitCode = { ok: 0, failOnMatched: 1, unusable: 2 } as const;

function defaultIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stdin: process.stdin,
    env: process.env,
    isTTY: process.stdout.isTTY === true,
  };
}

function evaluateText(raw: string, options: CliOptions, io: CliIo): number {
  const parsed = parseEvidence(raw);
  if (!parsed.ok) {
    io.stderr(
      `kubelet-audit: unusable evidence (${parsed.code}): ${sanitizeText(parsed.reason.split('\n')[0] ?? '')}\n`,
    );
    return ExitCode.unusable;
  }
  const results = selectResults(
    evaluateEvidence(
      parsed.evidence,
      options.platform === undefined ? undefined : { platform: options.platform },
    ),
    options.controls,
  );
  const colour = io.isTTY && io.env.NO_COLOR === undefined && io.env.TERM !== 'dumb';
  io.stdout(options.format === 'json' ? toJson(results) : toTable(parsed.evidence, results, colour));
  const trip =
    options.failOn === 'failed' ? ['FAILED'] : options.failOn === 'warning' ? ['FAILED', 'WARNING'] : [];
  return results.some((r) => trip.includes(r.status)) ? ExitCode.failOnMatched : ExitCode.ok;
}

export async function main(
  args: readonly string[],
  io: CliIo = defaultIo(),
  accountDeps?: AccountDeps,
): Promise<number> {
  // fleet and archive parse their own options (account-args.ts).
  if (isAccountCommand(args.find((a) => !a.startsWith('-')))) return runAccountCommand(args, io, accountDeps);
  const cli = parseCli(args);
  if (!cli.ok) {
    io.stderr(`kubelet-audit: ${cli.error} (see kubelet-audit --help)\n`);
    return ExitCode.unusable;
  }
  const { options } = cli;
  switch (options.command) {
    case 'help':
      io.stdout(USAGE);
      return ExitCode.ok;
    case 'controls':
      io.stdout(renderControls(selectControls(options.controls), options.format));
      return ExitCode.ok;
    case 'collect': {
      const collected = runCollector(io.env);
      if (!collected.ok) {
        io.stderr(`kubelet-audit: ${collected.error}\n`);
        return ExitCode.unusable;
      }
      io.stdout(collected.output.endsWith('\n') ? collected.output : `${collected.output}\n`);
      return ExitCode.ok;
    }
    case 'scan-local': {
      const collected = runCollector(io.env);
      if (!collected.ok) {
        io.stderr(`kubelet-audit: ${collected.error}\n`);
        return ExitCode.unusable;
      }
      return evaluateText(collected.output, options, io);
    }
    case 'evaluate': {
      const input = await readInput(options.input ?? '-', io.stdin);
      if (!input.ok) {
        io.stderr(`kubelet-audit: ${sanitizeText(input.error)}\n`);
        return ExitCode.unusable;
      }
      return evaluateText(input.text, options, io);
    }
  }
}
