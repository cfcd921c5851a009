/**
 * Output of `kubelet-audit fleet`: per node what a scan would do (and, with --collect, per node and
 * control what it found), as a table or JSON. As in render.ts, every text that comes from a node or
 * its tags reaches the table only through sanitizeText, and the JSON escapes invisible characters.
 */
import { describeProvenance } from '../kubelet/provenance.ts';
import { sanitizeText as clean } from '../text/sanitize.ts';
import type { FleetView } from './fleet.ts';
import type { NodeResult } from './fleet-collect.ts';
import { escapeInvisible } from './render.ts';

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

function missingNote(view: FleetView): string {
  return view.missing.length > 0
    ? `Clusters not found: ${view.missing.map((m) => clean(m)).join(', ')}\n`
    : '';
}

export function fleetJson(view: FleetView): string {
  const entries = view.verdicts.map((v) => ({
    cluster: v.cluster,
    instanceId: v.node.instanceId,
    provisioner: v.node.provisioner,
    platform: v.node.platform,
    nodeGroup: v.node.nodeGroup ?? v.node.nodePool ?? null,
    scan: v.reachable,
    code: v.code,
    reason: v.reason,
  }));
  return `${escapeInvisible(JSON.stringify({ missingClusters: view.missing, nodes: entries }, null, 2))}\n`;
}

export function fleetTable(view: FleetView): string {
  const rows = view.verdicts.map((v) => [
    clean(v.cluster),
    clean(v.node.instanceId),
    clean(v.node.nodeGroup ?? v.node.nodePool ?? v.node.provisioner),
    v.node.platform,
    v.reachable ? 'yes' : 'no',
    clean(v.reason),
  ]);
  const scanned = view.verdicts.filter((v) => v.reachable).length;
  const summary = `${view.verdicts.length} nodes in ${view.clusters.length} clusters; ${scanned} would be scanned.\n`;
  return `${table(['CLUSTER', 'INSTANCE', 'GROUP', 'PLATFORM', 'SCAN', 'WHY'], rows)}${missingNote(view)}${summary}`;
}

export function resultsJson(results: readonly NodeResult[]): string {
  const entries = results.flatMap(({ verdict, answer }) =>
    answer.results.map((r) => ({
      cluster: verdict.cluster,
      instanceId: verdict.node.instanceId,
      controlId: r.controlId,
      status: r.status,
      reason: r.reason,
      reasonCode: answer.reasonCode ?? null,
      effectiveValue: r.effectiveValue ?? null,
      decidedBy: r.decidedBy ?? null,
    })),
  );
  return `${escapeInvisible(JSON.stringify(entries, null, 2))}\n`;
}

export function resultsTable(view: FleetView, results: readonly NodeResult[]): string {
  const rows = results.flatMap(({ verdict, answer }) =>
    answer.results.map((r) => [
      clean(verdict.cluster),
      clean(verdict.node.instanceId),
      clean(r.controlId),
      clean(r.status),
      clean(r.effectiveValue === undefined ? '-' : String(r.effectiveValue)),
      clean(describeProvenance(r.decidedBy) ?? '-'),
      clean(r.reason),
    ]),
  );
  return `${table(['CLUSTER', 'INSTANCE', 'CONTROL', 'STATUS', 'EFFECTIVE', 'DECIDED BY', 'REASON'], rows)}${missingNote(view)}`;
}
