/**
 * The demo's views: the fleet, the findings table, the scan summary, API calls, what changed.
 * Pure functions from data to text; run-demo.ts decides what to print when.
 */
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import type { ClusterScanSummary } from '../../../functions/scanner/summary.ts';
import type { Fleet, SimNode } from '../fleet.ts';
import type { Check } from './checks.ts';
import {
  briefReasonOf,
  clusterOf,
  controlOf,
  instanceOf,
  nodeTypeOf,
  recordStateOf,
  statusOf,
  workflowOf,
} from './findings-view.ts';
import { type Stylize, statusStyle } from './style.ts';
import { type Column, renderTable } from './table.ts';

export interface View {
  readonly width: number;
  readonly style: Stylize;
}

const STATUS_ORDER = ['FAILED', 'WARNING', 'NOT_AVAILABLE', 'PASSED'] as const;

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function heading(view: View, title: string): string {
  const rule = '─'.repeat(Math.max(3, view.width - title.length - 4));
  return `\n${view.style(['bold', 'cyan'], `── ${title} `)}${view.style('cyan', rule)}\n\n`;
}

const OS_LABELS: Record<SimNode['os'], string> = {
  al2: 'AL2',
  al2023: 'AL2023',
  bottlerocket: 'Bottlerocket',
  windows: 'Windows',
};

const PROVISIONER_LABELS: Record<SimNode['provisioner'], string> = {
  'managed-node-group': 'managed node group',
  karpenter: 'Karpenter',
  'auto-mode': 'EKS Auto Mode',
  'self-managed': 'self-managed (ASG)',
};

/** What is special about a simulated node, in the words of someone who set it up. */
export function simulatedSetup(node: SimNode): string | undefined {
  if (node.ssm === 'unmanaged' && node.provisioner !== 'auto-mode') return 'no SSM registration';
  if (node.ssm === 'connection-lost') return 'SSM agent offline';
  switch (node.tree?.preset) {
    case 'al2-flag-false':
    case 'al2023-flag-false':
      return 'flag --make-iptables-util-chains=false';
    case 'al2023-dropin-false':
      return 'drop-in makeIPTablesUtilChains: false';
  }
  if (node.tree?.options && 'configMakeIptables' in node.tree.options)
    return 'config file the kubelet cannot load';
  return undefined;
}

/** One row per node group / pool: what the simulated account holds. */
export function fleetTable(view: View, fleet: Fleet): string {
  interface Row {
    cluster: string;
    group: string;
    how: string;
    os: string;
    nodes: number;
    notes: Map<string, number>;
  }
  const rows = new Map<string, Row>();
  for (const node of fleet.order) {
    if (node.state !== 'running') continue;
    const key = `${node.cluster}\u0000${node.group}`;
    const row = rows.get(key) ?? {
      cluster: node.cluster + (fleet.clusters.get(node.cluster)?.autoMode ? ' (Auto Mode)' : ''),
      group: node.group,
      how: PROVISIONER_LABELS[node.provisioner],
      os: OS_LABELS[node.os],
      nodes: 0,
      notes: new Map<string, number>(),
    };
    row.nodes++;
    const note = simulatedSetup(node);
    if (note) row.notes.set(note, (row.notes.get(note) ?? 0) + 1);
    rows.set(key, row);
  }
  const columns: Column<Row>[] = [
    { header: 'CLUSTER', value: (r) => r.cluster },
    { header: 'GROUP / POOL', value: (r) => r.group, shrink: 1, min: 8 },
    { header: 'PROVISIONED BY', value: (r) => r.how, shrink: 2, min: 10 },
    { header: 'OS', value: (r) => r.os },
    { header: 'NODES', value: (r) => String(r.nodes), align: 'right' },
    {
      header: 'SET UP WITH',
      value: (r) => [...r.notes].map(([note, n]) => `${n}× ${note}`).join('; '),
      style: (r) => (r.notes.size > 0 ? 'yellow' : undefined),
      shrink: 3,
      min: 12,
    },
  ];
  return renderTable(columns, [...rows.values()], { ...view, indent: '  ' });
}

function statusRank(status: string): number {
  const i = (STATUS_ORDER as readonly string[]).indexOf(status);
  return i < 0 ? STATUS_ORDER.length : i;
}

/** The findings a user sees in Security Hub, worst first within each cluster. */
export function findingsTable(
  view: View,
  findings: readonly AwsSecurityFinding[],
  options: { showControl: boolean },
): string {
  const rows = [...findings].sort(
    (a, b) =>
      clusterOf(a).localeCompare(clusterOf(b)) ||
      statusRank(statusOf(a)) - statusRank(statusOf(b)) ||
      instanceOf(a).localeCompare(instanceOf(b)) ||
      controlOf(a).localeCompare(controlOf(b)),
  );
  const columns: Column<AwsSecurityFinding>[] = [
    { header: 'CLUSTER', value: clusterOf },
    { header: 'INSTANCE', value: instanceOf },
    { header: 'NODE TYPE', value: nodeTypeOf, shrink: 1, min: 12, prefer: 20 },
    ...(options.showControl
      ? [
          // Every control id starts with "kubelet-": the rest names it.
          {
            header: 'CONTROL',
            value: (f: AwsSecurityFinding) => controlOf(f).replace(/^kubelet-/, ''),
            shrink: 2,
            min: 14,
          },
        ]
      : []),
    { header: 'STATUS', value: statusOf, style: (f) => statusStyle(statusOf(f)) },
    { header: 'REASON', value: briefReasonOf, shrink: 3, min: 24, prefer: 40 },
  ];
  return renderTable(columns, rows, { ...view, indent: '  ' });
}

/** Nodes by status per cluster, from the summaries the handler returned (and put as "Scan Completed"). */
export function summaryTable(view: View, scans: readonly ClusterScanSummary[]): string {
  type Row = {
    cluster: string;
    nodes: number;
    byStatus: Record<string, number>;
    notAssessed: string;
    duration: string;
  };
  const rows: Row[] = [...scans]
    .sort((a, b) => a.cluster.localeCompare(b.cluster))
    .map((s) => ({
      cluster: s.cluster,
      nodes: s.nodes.inScope,
      byStatus: s.nodes.byStatus,
      notAssessed: Object.entries(s.nodes.notAssessedByCode)
        .map(([code, n]) => `${code} ${n}`)
        .join(', '),
      duration: formatMs(s.durationMs),
    }));
  const total: Row = {
    cluster: 'total',
    nodes: rows.reduce((n, r) => n + r.nodes, 0),
    byStatus: Object.fromEntries(
      STATUS_ORDER.map((s) => [s, rows.reduce((n, r) => n + (r.byStatus[s] ?? 0), 0)]),
    ),
    notAssessed: '',
    duration: '',
  };
  const count = (status: string): Column<Row> => ({
    header: status,
    value: (r) => String(r.byStatus[status] ?? 0),
    style: (r) => ((r.byStatus[status] ?? 0) > 0 ? statusStyle(status) : undefined),
    align: 'right',
  });
  const columns: Column<Row>[] = [
    { header: 'CLUSTER', value: (r) => r.cluster, style: (r) => (r === total ? 'bold' : undefined) },
    { header: 'NODES', value: (r) => String(r.nodes), align: 'right' },
    ...STATUS_ORDER.map(count),
    { header: 'SCAN TIME', value: (r) => r.duration, align: 'right' },
    { header: 'NOT ASSESSED, BY REASON CODE', value: (r) => r.notAssessed, shrink: 1, min: 12 },
  ];
  return renderTable(columns, [...rows, total], { ...view, indent: '  ' });
}

const SERVICES: readonly [key: string, label: string][] = [
  ['eks', 'EKS'],
  ['ec2', 'EC2'],
  ['ssm', 'SSM'],
  ['securityhub', 'Security Hub'],
  ['events', 'EventBridge'],
];

/** API calls by service and operation ("service:Operation" keys, as the emulator counts them). */
export function apiCallsBlock(view: View, calls: Record<string, number>, nodes: number): string {
  const total = Object.values(calls).reduce((a, b) => a + b, 0);
  const lines = [
    `  ${view.style('bold', `${total} API calls`)} for ${nodes} nodes = ${(total / nodes).toFixed(2)} per node ` +
      view.style('dim', '(counted by the emulator, retries included)'),
  ];
  const labelWidth = Math.max(...SERVICES.map(([, l]) => l.length));
  for (const [key, label] of SERVICES) {
    const ops = Object.entries(calls)
      .filter(([k]) => k.startsWith(`${key}:`))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, n]) => `${k.slice(key.length + 1)} ${view.style('bold', String(n))}`);
    if (ops.length > 0) lines.push(`    ${label.padEnd(labelWidth)}  ${ops.join(view.style('dim', ' · '))}`);
  }
  return `${lines.join('\n')}\n`;
}

export interface ChangeRow {
  readonly change: 'fixed' | 'terminated' | 'added';
  readonly before?: AwsSecurityFinding;
  readonly after?: AwsSecurityFinding;
}

function transition(before: string | undefined, after: string | undefined): string {
  if (before === after || before === undefined) return after ?? '—';
  return `${before} → ${after ?? '—'}`;
}

// Both scans run within seconds, so the time of day to the millisecond is what tells them apart.
const timeOfDay = (iso: string | undefined) => iso?.slice(11).replace(/Z$/, '') ?? '—';

/** Before → after for the findings of the nodes that changed, one short block per finding. */
export function changesBlock(view: View, rows: readonly ChangeRow[]): string {
  const lines: string[] = [];
  const show = (label: string, get: (f: AwsSecurityFinding) => string, r: ChangeRow) => {
    const value = transition(r.before && get(r.before), r.after && get(r.after));
    return `${view.style('dim', label)} ${view.style(statusStyle(r.after ? get(r.after) : ''), value)}`;
  };
  const sep = view.style('dim', ' · ');
  for (const r of rows) {
    const f = (r.after ?? r.before) as AwsSecurityFinding;
    const created = r.before
      ? r.after?.CreatedAt === r.before.CreatedAt
        ? `${timeOfDay(f.CreatedAt)} (kept)`
        : `${timeOfDay(r.before.CreatedAt)} → ${timeOfDay(r.after?.CreatedAt)}`
      : timeOfDay(f.CreatedAt);
    const updated = transition(timeOfDay(r.before?.UpdatedAt), timeOfDay(r.after?.UpdatedAt));
    lines.push(
      `  ${view.style('bold', r.change.padEnd(10))}  ${instanceOf(f)}  ${view.style('dim', controlOf(f))}`,
    );
    lines.push(
      `              ${[show('compliance', statusOf, r), show('workflow', workflowOf, r), show('record', recordStateOf, r)].join(sep)}`,
    );
    lines.push(
      `              ${view.style('dim', 'created')} ${created}${sep}${view.style('dim', 'updated')} ${updated} ${view.style('dim', '(UTC)')}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export function checksBlock(view: View, checks: readonly Check[]): string {
  const lines: string[] = [];
  for (const c of checks) {
    lines.push(`  ${c.ok ? view.style('green', '✓') : view.style(['bold', 'red'], '✗')} ${c.text}`);
    const shown = c.details.slice(0, 12);
    // Not cut to the width: the whole message is what someone needs to fix it.
    for (const d of shown) lines.push(`      ${view.style('red', d)}`);
    if (c.details.length > shown.length) lines.push(`      … and ${c.details.length - shown.length} more`);
  }
  return `${lines.join('\n')}\n`;
}
