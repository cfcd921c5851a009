/**
 * Output of `kubelet-audit evaluate`: a readable table (coloured only on a terminal) or a stable JSON
 * array with one entry per control. The table shows node text (host name, OS, argv, paths, reasons)
 * only through sanitizeText, so a hostile node cannot move the cursor, retitle the terminal or reorder
 * what the reader sees; the JSON stays exact (JSON.stringify escapes every control).
 */
import type { EvidenceDocument } from '../collector/evidence-schema.ts';
import { PS_EF_HEADER, renderPsLine } from '../collector/ps-line.ts';
import type { ControlResult } from '../controls/control.ts';
import { detectNodeType } from '../controls/node-type.ts';
import { describeProvenance, type Provenance } from '../kubelet/provenance.ts';
import { sanitizeText as clean } from '../text/sanitize.ts';

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

/**
 * JSON.stringify escapes only U+0000–U+001F. DEL, the C1 controls (U+009B is a one-character CSI to
 * some terminals), line/paragraph separators and bidi controls would reach the terminal raw; such
 * characters occur only inside strings, so writing them as \uXXXX keeps the JSON exact.
 */
const INVISIBLE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function escapeInvisible(json: string): string {
  return json.replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
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
  return `${escapeInvisible(JSON.stringify(entries, null, 2))}\n`;
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
  out.push(
    `Node     ${clean(evidence.host.hostname ?? '(hostname unknown)')} · ${clean(node.label)} [${clean(node.type)}]`,
  );
  if (!evidence.host.visible)
    out.push(`Host     not visible${evidence.host.note ? `: ${clean(evidence.host.note)}` : ''}`);
  if (evidence.kubelets.length === 0) out.push('Kubelet  no host kubelet process found');
  else {
    out.push(`Kubelet  ${PS_EF_HEADER}`);
    for (const k of evidence.kubelets) out.push(`         ${clean(renderPsLine(k, evidence.host))}`);
  }
  out.push('');
  const idWidth = Math.max('CONTROL'.length, ...results.map((r) => clean(r.controlId).length));
  out.push(`${'CONTROL'.padEnd(idWidth)}  ${'STATUS'.padEnd(13)}  ${'EFFECTIVE'.padEnd(9)}  DECIDED BY`);
  for (const r of results) {
    const value = clean(r.effectiveValue === undefined ? '-' : String(r.effectiveValue));
    const decidedBy = clean(describeProvenance(r.decidedBy) ?? '-');
    out.push(
      `${clean(r.controlId).padEnd(idWidth)}  ${paint(clean(r.status).padEnd(13), r.status, colour)}  ${value.padEnd(9)}  ${decidedBy}`,
    );
    out.push(wrap(clean(r.reason), 100, '    '));
    if (r.drift) out.push(wrap(`Drift: ${clean(r.drift)}`, 100, '    '));
  }
  return `${out.join('\n')}\n`;
}
