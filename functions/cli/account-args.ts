/**
 * Command-line parsing for the account commands, `fleet` and `archive` (node:util parseArgs, strict).
 * They have options of their own, so they are parsed here rather than beside the single-node commands.
 */
import { parseArgs } from 'node:util';

export const ACCOUNT_COMMANDS = ['fleet', 'archive'] as const;
export type AccountCommand = (typeof ACCOUNT_COMMANDS)[number];

export function isAccountCommand(word: string | undefined): word is AccountCommand {
  return (ACCOUNT_COMMANDS as readonly (string | undefined)[]).includes(word);
}

export interface FleetOptions {
  readonly command: 'fleet';
  readonly clusters?: readonly string[];
  readonly region?: string;
  readonly collect: boolean;
  readonly document?: string;
  readonly format: 'table' | 'json';
}

export interface ArchiveOptions {
  readonly command: 'archive';
  /** undefined = every cluster (--all). */
  readonly clusters?: readonly string[];
  readonly region?: string;
  readonly stateTable?: string;
  readonly yes: boolean;
}

export type AccountOptions =
  | FleetOptions
  | ArchiveOptions
  | { readonly command: 'help'; readonly of: AccountCommand };

export const FLEET_USAGE = `Usage: kubelet-audit fleet [--clusters a,b] [--region r] [--collect --document <name>] [--format table|json]

Runs the scanner's discovery with your AWS credentials (AWS_PROFILE / the SDK's default chain; region
from --region or the SDK's chain) and prints, per node, whether the scan would reach it and why not
(SSM managed and online, EKS Auto Mode, Windows, not managed by SSM, offline since ...).
With --collect it also runs the deployed collector document (version 1) on the reachable nodes over
SSM Run Command and prints each node's result per control. It never writes findings, the state table
or events.

Options:
      --clusters <a,b>      Only these clusters (default: every cluster ListClusters returns).
      --region <region>     AWS Region (default: the SDK's chain, e.g. AWS_REGION or the profile).
      --collect             Also collect and evaluate the reachable nodes.
      --document <name>     The stack's collector document (stack output CollectorDocumentName).
                            Required with --collect.
  -f, --format <table|json> Output format (default: table).

Permissions: eks:ListClusters, eks:DescribeCluster, ec2:DescribeInstances,
ssm:DescribeInstanceInformation; with --collect also ssm:SendCommand on the document and the nodes,
ssm:ListCommands, ssm:ListCommandInvocations, ssm:GetCommandInvocation.
`;

export const ARCHIVE_USAGE = `Usage: kubelet-audit archive (--all | --clusters a,b) --state-table <name> [--region r] [--yes]

Archives this scanner's ACTIVE findings (GeneratorId prefix eks-kubelet-audit/, the account's default
product) by re-importing them with RecordState ARCHIVED, and deletes the state table's items of those
clusters (cluster#<name>, node#<instance>). Asks for confirmation unless --yes. Run it before
"npx cdk destroy" to leave nothing of the scanner active in Security Hub.

Options:
      --all                 Every cluster's findings and every state item.
      --clusters <a,b>      Only these clusters.
      --state-table <name>  The stack output StateTableName.
      --region <region>     AWS Region (default: the SDK's chain).
  -y, --yes                 Do not ask for confirmation.

Permissions: securityhub:GetFindings, securityhub:BatchImportFindings, dynamodb:Scan (with --all),
dynamodb:Query on its by-cluster index (with --clusters), dynamodb:DeleteItem on the state table.
`;

export type ParsedAccountCli = { ok: true; options: AccountOptions } | { ok: false; error: string };

const OPTIONS = {
  clusters: { type: 'string' },
  region: { type: 'string' },
  collect: { type: 'boolean' },
  document: { type: 'string' },
  format: { type: 'string', short: 'f' },
  all: { type: 'boolean' },
  'state-table': { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<
  typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>
>['values'];

function listOf(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const FLEET_ONLY = ['collect', 'document', 'format'] as const;
const ARCHIVE_ONLY = ['all', 'state-table', 'yes'] as const;

export function parseAccountCli(args: readonly string[]): ParsedAccountCli {
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...args],
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    }));
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  const [command, ...rest] = positionals;
  if (!isAccountCommand(command)) return { ok: false, error: `unknown command ${JSON.stringify(command)}` };
  if (rest.length > 0) return { ok: false, error: `unexpected argument ${JSON.stringify(rest[0])}` };
  if (values.help) return { ok: true, options: { command: 'help', of: command } };
  const foreign = (command === 'fleet' ? ARCHIVE_ONLY : FLEET_ONLY).find((k) => values[k] !== undefined);
  if (foreign) return { ok: false, error: `--${foreign} is not an option of ${command}` };
  const clusters = listOf(values.clusters);
  if (clusters?.length === 0) return { ok: false, error: '--clusters names no cluster' };
  const region = values.region === undefined ? {} : { region: values.region };
  return command === 'fleet'
    ? fleetOptions(values, clusters, region)
    : archiveOptions(values, clusters, region);
}

function fleetOptions(
  values: Values,
  clusters: string[] | undefined,
  region: { region?: string },
): ParsedAccountCli {
  const format = values.format ?? 'table';
  if (format !== 'table' && format !== 'json') {
    return { ok: false, error: `unknown --format ${JSON.stringify(format)} (use table or json)` };
  }
  if (values.document !== undefined && !values.collect) {
    return { ok: false, error: '--document is only used with --collect' };
  }
  return {
    ok: true,
    options: {
      command: 'fleet',
      ...(clusters ? { clusters } : {}),
      ...region,
      collect: values.collect === true,
      ...(values.document === undefined ? {} : { document: values.document }),
      format,
    },
  };
}

function archiveOptions(
  values: Values,
  clusters: string[] | undefined,
  region: { region?: string },
): ParsedAccountCli {
  if (values.all === true && clusters)
    return { ok: false, error: 'give either --all or --clusters, not both' };
  if (values.all !== true && !clusters) return { ok: false, error: 'archive needs --all or --clusters a,b' };
  return {
    ok: true,
    options: {
      command: 'archive',
      ...(clusters ? { clusters } : {}),
      ...region,
      ...(values['state-table'] === undefined ? {} : { stateTable: values['state-table'] }),
      yes: values.yes === true,
    },
  };
}
