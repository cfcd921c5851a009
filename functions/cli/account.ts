/**
 * The account commands, `fleet` and `archive`: parse, run against the caller's account (or whatever
 * the injected clients point at), print. Exit codes as for the node commands: 0 done, 1 not done
 * (declined, or some findings were not archived), 2 usage error or an AWS error.
 */
import { sanitizeText } from '../text/sanitize.ts';
import {
  ARCHIVE_USAGE,
  type ArchiveOptions,
  FLEET_USAGE,
  type FleetOptions,
  parseAccountCli,
} from './account-args.ts';
import { type AccountDeps, defaultAccountDeps } from './account-deps.ts';
import { archiveFindings, deleteStateItems, listOurActiveFindings, stateKeysOf } from './archive.ts';
import { viewFleet } from './fleet.ts';
import { collectFleet } from './fleet-collect.ts';
import { fleetJson, fleetTable, resultsJson, resultsTable } from './fleet-render.ts';

export interface AccountIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export const NO_DOCUMENT = `--collect needs --document <name>: the stack output CollectorDocumentName, from
  aws cloudformation describe-stacks --stack-name EksKubeletAuditStack --query 'Stacks[0].Outputs'`;

export const NO_STATE_TABLE = `archive needs --state-table <name>: the stack output StateTableName, from
  aws cloudformation describe-stacks --stack-name EksKubeletAuditStack --query 'Stacks[0].Outputs'`;

async function runFleet(options: FleetOptions, io: AccountIo, deps: AccountDeps): Promise<number> {
  if (options.collect && options.document === undefined) {
    io.stderr(`kubelet-audit: ${NO_DOCUMENT}\n`);
    return 2;
  }
  const clients = deps.clients(options.region);
  const view = await viewFleet(clients, options.clusters);
  if (!options.collect || options.document === undefined) {
    io.stdout(options.format === 'json' ? fleetJson(view) : fleetTable(view));
    return 0;
  }
  const results = await collectFleet({ clients, deps, view, documentName: options.document });
  io.stdout(options.format === 'json' ? resultsJson(results) : resultsTable(view, results));
  return 0;
}

async function runArchive(options: ArchiveOptions, io: AccountIo, deps: AccountDeps): Promise<number> {
  if (options.stateTable === undefined) {
    io.stderr(`kubelet-audit: ${NO_STATE_TABLE}\n`);
    return 2;
  }
  const clients = deps.clients(options.region);
  const scope = options.clusters ? `clusters ${options.clusters.join(', ')}` : 'every cluster';
  const findings = await listOurActiveFindings(clients.securityHub, options.clusters);
  const keys = await stateKeysOf(clients, options.stateTable, { ...options, findings });
  const question = `Archive ${findings.length} ACTIVE findings of ${scope} and delete ${keys.length} items of ${options.stateTable}?`;
  if (!options.yes && !(await deps.confirm(sanitizeText(question)))) {
    io.stderr('kubelet-audit: nothing archived\n');
    return 1;
  }
  const result = await archiveFindings(clients.securityHub, findings, deps.now());
  await deleteStateItems(clients, options.stateTable, keys);
  io.stdout(
    `Archived ${result.succeeded} findings of ${sanitizeText(scope)} (${result.requests} imports).\n`,
  );
  io.stdout(`Deleted ${keys.length} state items from ${sanitizeText(options.stateTable)}.\n`);
  for (const f of result.failed) {
    io.stderr(
      `kubelet-audit: not archived ${sanitizeText(f.id)}: ${sanitizeText(f.errorCode)} ${sanitizeText(f.errorMessage)}\n`,
    );
  }
  return result.failed.length > 0 ? 1 : 0;
}

export async function runAccountCommand(
  args: readonly string[],
  io: AccountIo,
  deps: AccountDeps = defaultAccountDeps(),
): Promise<number> {
  const cli = parseAccountCli(args);
  if (!cli.ok) {
    io.stderr(`kubelet-audit: ${cli.error} (see kubelet-audit ${args[0]} --help)\n`);
    return 2;
  }
  const { options } = cli;
  try {
    if (options.command === 'help') {
      io.stdout(options.of === 'fleet' ? FLEET_USAGE : ARCHIVE_USAGE);
      return 0;
    }
    return options.command === 'fleet'
      ? await runFleet(options, io, deps)
      : await runArchive(options, io, deps);
  } catch (error) {
    const name = (error as { name?: string }).name ?? 'Error';
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`kubelet-audit: ${sanitizeText(name)}: ${sanitizeText(message.split('\n')[0] ?? '')}\n`);
    return 2;
  }
}
