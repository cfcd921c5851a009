/**
 * `kubelet-audit controls`: the catalog as the reader sees it before a scan, straight from the
 * controls' data (functions/controls/index.ts), so a new control is listed without touching the CLI.
 */
import type { Control } from '../controls/control.ts';
import type { Format } from './cli-args.ts';
import { renderControlsMarkdown } from './controls-markdown.ts';
import { pad, TABLE_WIDTH, wrapLines } from './text-layout.ts';

export interface ControlListing {
  readonly id: string;
  /** CIS Amazon EKS Benchmark v1.5.0–v1.8.0 id. */
  readonly cisEks: string;
  /** CIS Amazon EKS Benchmark v1.0.1–v1.2.0 id; null when the control was not in those versions. */
  readonly cisEksLegacy: string | null;
  /** CIS Kubernetes Benchmark worker-node (4.x) id. */
  readonly cisKubernetes: string;
  readonly title: string;
  readonly severity: string;
  readonly profile: string;
  /** Every CIS EKS version and id, as the Security Hub finding lists them. */
  readonly references: Control['cis'];
}

export function listing(control: Control): ControlListing {
  return {
    id: control.id,
    cisEks: control.cisIds.eks,
    cisEksLegacy: control.cisIds.eksLegacy ?? null,
    cisKubernetes: control.cisIds.kubernetes,
    title: control.title,
    severity: control.severity,
    profile: control.profile,
    references: control.cis,
  };
}

const HEADERS = ['CONTROL', 'EKS 1.5-1.8', 'EKS 1.0-1.2', 'K8S', 'SEVERITY'] as const;

function cells(entry: ControlListing): string[] {
  return [entry.id, entry.cisEks, entry.cisEksLegacy ?? '-', entry.cisKubernetes, entry.severity];
}

/** One row per control; the title, the only long field, wraps inside the last column. */
function table(entries: readonly ControlListing[]): string {
  const rows = entries.map(cells);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (values: readonly string[]) => values.map((v, i) => pad(v, widths[i]!)).join('  ');
  const titleAt = widths.reduce((sum, w) => sum + w + 2, 0);
  const out = [`${line(HEADERS)}  TITLE`];
  entries.forEach((entry, i) => {
    const title = wrapLines(entry.title, TABLE_WIDTH - titleAt);
    out.push(`${line(rows[i]!)}  ${title[0] ?? ''}`);
    for (const more of title.slice(1)) out.push(' '.repeat(titleAt) + more);
  });
  out.push(
    '',
    `${entries.length} control${entries.length === 1 ? '' : 's'}; narrow a scan with --control <id>.`,
  );
  return `${out.join('\n')}\n`;
}

export function renderControls(catalog: readonly Control[], format: Format): string {
  if (format === 'markdown') return renderControlsMarkdown(catalog);
  const entries = catalog.map(listing);
  return format === 'json' ? `${JSON.stringify(entries, null, 2)}\n` : table(entries);
}
