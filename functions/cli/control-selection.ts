/**
 * `--control ID`: which of the catalog's controls a run reports. The ids are checked against the
 * catalog itself, so a new control is selectable the moment it is in functions/controls/index.ts.
 */
import type { Control, ControlResult } from '../controls/control.ts';
import { controls as catalog } from '../controls/index.ts';

/** A usage error naming the unknown ids and every accepted one, or undefined when all are known. */
export function checkControlIds(ids: readonly string[]): string | undefined {
  const known = new Set(catalog.map((c) => c.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length === 0) return undefined;
  return (
    `unknown --control ${unknown.map((id) => JSON.stringify(id)).join(', ')} ` +
    `(use one of: ${catalog.map((c) => c.id).join(', ')})`
  );
}

/** The catalog's controls in catalog order, narrowed to `ids` when given. */
export function selectControls(ids: readonly string[] | undefined): readonly Control[] {
  if (ids === undefined || ids.length === 0) return catalog;
  return catalog.filter((c) => ids.includes(c.id));
}

/**
 * The results of the selected controls, in catalog order. The evaluator always runs the whole
 * catalog (it is cheap and pure); narrowing its answers keeps one evaluation path for the CLI and the
 * scanner, and --fail-on then trips only on what the reader asked for.
 */
export function selectResults(
  results: readonly ControlResult[],
  ids: readonly string[] | undefined,
): ControlResult[] {
  if (ids === undefined || ids.length === 0) return [...results];
  return results.filter((r) => ids.includes(r.controlId));
}
