/**
 * Output of `kubelet-audit evaluate`: a readable table (coloured only on a terminal) or a stable JSON
 * array with one entry per control. The table shows node text (host name, OS, argv, paths, reasons)
 * only through sanitizeText, so a hostile node cannot move the cursor, retitle the terminal or reorder
 * what the reader sees; the JSON stays exact (JSON.stringify escapes every control).
 */
import type { EvidenceDocument } from '../collector/evidence-schema.ts';
import { PS_EF_HEADER, renderPsLine } from '../collector/ps-line.ts';
import type { ControlResult } from '../controls/control.ts';
import { controls } from '../controls/index.ts';
import { detectNodeType } from '../controls/node-type.ts';
import { describeProvenance, type Provenance } from '../kubelet/provenance.ts';
import { sanitizeText as clean } from '../text/sanitize.ts';
import { cut, pad, TABLE_WIDTH, wrapBlock } from './text-layout.ts';

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

/** Summary columns before REASON: control id, CIS EKS id, status (NOT_AVAILABLE is the widest). */
const STATUS_WIDTH = 'NOT_AVAILABLE'.length;
const CIS_HEADER = 'CIS EKS';

function nodeLines(evidence: EvidenceDocument): string[] {
  const node = detectNodeType(evidence);
  const out = wrapBlock(
    'Node     ',
    `${clean(evidence.host.hostname ?? '(hostname unknown)')} · ${clean(node.label)} [${clean(node.type)}]`,
    9,
  );
  if (!evidence.host.visible)
    out.push(
      ...wrapBlock(
        'Host     ',
        `not visible${evidence.host.note ? `: ${clean(evidence.host.note)}` : ''}`,
        9,
      ),
    );
  if (evidence.kubelets.length === 0) out.push('Kubelet  no host kubelet process found');
  else {
    out.push(`Kubelet  ${PS_EF_HEADER}`);
    for (const k of evidence.kubelets)
      out.push(...wrapBlock('         ', clean(renderPsLine(k, evidence.host)), 9));
  }
  return out;
}

/**
 * The node × control view: one summary row per control (status and its reason cut to the line), then
 * each control's full reason, value and deciding layer wrapped below. One row per control rather than
 * a status matrix because this command sees one node: the row keeps the control's name readable and
 * still answers "what is wrong" at a glance for a catalog of any size, while nothing is lost — the
 * details carry every word. Every line fits TABLE_WIDTH whatever the node's text.
 */
function summaryLines(results: readonly ControlResult[], colour: boolean): string[] {
  const cisOf = new Map(controls.map((c) => [c.id, c.cisIds.eks]));
  const idWidth = Math.max('CONTROL'.length, ...controls.map((c) => c.id.length));
  const cisWidth = Math.max(CIS_HEADER.length, ...controls.map((c) => c.cisIds.eks.length));
  const reasonWidth = TABLE_WIDTH - idWidth - cisWidth - STATUS_WIDTH - 6;
  const out = [
    `${pad('CONTROL', idWidth)}  ${pad(CIS_HEADER, cisWidth)}  ${pad('STATUS', STATUS_WIDTH)}  REASON`,
  ];
  for (const r of results) {
    const id = pad(cut(clean(r.controlId), idWidth), idWidth);
    const status = paint(pad(cut(clean(r.status), STATUS_WIDTH), STATUS_WIDTH), r.status, colour);
    out.push(
      `${id}  ${pad(cisOf.get(r.controlId) ?? '-', cisWidth)}  ${status}  ${cut(clean(r.reason), reasonWidth)}`,
    );
  }
  return out;
}

function detailLines(r: ControlResult, colour: boolean): string[] {
  const value = r.effectiveValue === undefined ? 'unknown' : String(r.effectiveValue);
  const decidedBy = describeProvenance(r.decidedBy);
  const out = [`${clean(r.controlId)}  ${paint(clean(r.status), r.status, colour)}`];
  out.push(
    ...wrapBlock(
      '    ',
      `Effective ${clean(value)}${decidedBy ? `, decided by ${clean(decidedBy)}` : ''}.`,
      4,
    ),
  );
  out.push(...wrapBlock('    ', clean(r.reason), 4));
  if (r.drift) out.push(...wrapBlock('    ', `Drift: ${clean(r.drift)}`, 4));
  return out;
}

export function toTable(
  evidence: EvidenceDocument,
  results: readonly ControlResult[],
  colour: boolean,
): string {
  const out = [...nodeLines(evidence), '', ...summaryLines(results, colour)];
  for (const r of results) out.push('', ...detailLines(r, colour));
  return `${out.join('\n')}\n`;
}
