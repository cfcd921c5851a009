/**
 * Output of `kubelet-audit evaluate`: a readable table (coloured only on a terminal) or a stable JSON
 * array with one entry per control.
 */
import type { EvidenceDocument } from '../collector/evidence-schema.ts';
import { PS_EF_HEADER, renderPsLine } from '../collector/ps-line.ts';
import type { ControlResult } from '../controls/control.ts';
import { detectNodeType } from '../controls/node-type.ts';
import { describeProvenance, type Provenance } from '../kubelet/provenance.ts';

export interface JsonResult {
  readonly controlId: string;
  readonly status: string;
  readonly reason: string;
  /** null when the value could not be determined. */
  readonly effectiveValue: unknown;
  readonly decidedBy: Provenance | null;
  readonly drift?: string;
  readonly evidence: Readonly<Record<string, string>>;
}

export function toJson(results: readonly ControlResult[]): string {
  const entries: JsonResult[] = results.map((r) => ({
    controlId: r.controlId,
    status: r.status,
    reason: r.reason,
    effectiveValue: r.effectiveValue ?? null,
    decidedBy: r.decidedBy ?? null,
    ...(r.drift === undefined ? {} : { drift: r.drift }),
    evidence: r.evidence,
  }));
  return `${JSON.stringify(entries, null, 2)}\n`;
}

const COLOURS: Readonly<Record<string, string>> = {
  PASSED: '\x1b[32m',
  FAILED: '\x1b[31m',
  WARNING: '\x1b[33m',
  NOT_AVAILABLE: '\x1b[90m',
};

function paint(text: string, status: string, colour: boolean): string {
  return colour ? `${COLOURS[status] ?? ''}\x1b[1m${text}\x1b[0m` : text;
}

function wrap(text: string, width: number, indent: string): string {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line !== '' && line.length + 1 + w.length > width) {
      lines.push(line);
      line = w;
    } else line = line === '' ? w : `${line} ${w}`;
  }
  if (line !== '') lines.push(line);
  return lines.map((l) => indent + l).join('\n');
}

export function toTable(
  evidence: EvidenceDocument,
  results: readonly ControlResult[],
  colour: boolean,
): string {
  const node = detectNodeType(evidence);
  const out: string[] = [];
  out.push(`Node     ${evidence.host.hostname ?? '(hostname unknown)'} · ${node.label} [${node.type}]`);
  if (!evidence.host.visible)
    out.push(`Host     not visible${evidence.host.note ? `: ${evidence.host.note}` : ''}`);
  if (evidence.kubelets.length === 0) out.push('Kubelet  no host kubelet process found');
  else {
    out.push(`Kubelet  ${PS_EF_HEADER}`);
    for (const k of evidence.kubelets) out.push(`         ${renderPsLine(k, evidence.host)}`);
  }
  out.push('');
  const idWidth = Math.max('CONTROL'.length, ...results.map((r) => r.controlId.length));
  out.push(`${'CONTROL'.padEnd(idWidth)}  ${'STATUS'.padEnd(13)}  ${'EFFECTIVE'.padEnd(9)}  DECIDED BY`);
  for (const r of results) {
    const value = r.effectiveValue === undefined ? '-' : String(r.effectiveValue);
    out.push(
      `${r.controlId.padEnd(idWidth)}  ${paint(r.status.padEnd(13), r.status, colour)}  ${value.padEnd(9)}  ${describeProvenance(r.decidedBy) ?? '-'}`,
    );
    out.push(wrap(r.reason, 100, '    '));
    if (r.drift) out.push(wrap(`Drift: ${r.drift}`, 100, '    '));
  }
  return `${out.join('\n')}\n`;
}
