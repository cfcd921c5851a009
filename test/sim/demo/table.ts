/**
 * Plain-text tables that fit the terminal: columns keep their natural width while the row fits;
 * otherwise the shrinkable columns (the reason first) are cut with an ellipsis, down to their
 * minimum. Widths are measured before colour is applied, so ANSI codes never misalign a row.
 */
import type { StyleName, Stylize } from './style.ts';

export interface Column<Row> {
  readonly header: string;
  readonly value: (row: Row) => string;
  /** Colour of a cell (by its value). */
  readonly style?: (row: Row) => StyleName | readonly StyleName[] | undefined;
  /** Shrinks before the others when the row is too wide; higher shrinks first. */
  readonly shrink?: number;
  /** Never narrower than this (default: the header's width). */
  readonly min?: number;
  /** Shrinks to this first, letting the other columns give way before going down to `min`. */
  readonly prefer?: number;
  readonly align?: 'left' | 'right';
}

const GAP = '  ';

/** Visible width: code points (the demo prints no wide or combining characters). */
export function visibleWidth(text: string): number {
  return [...text].length;
}

/** Cuts at the end, on a word boundary when one is near, and marks the cut with an ellipsis. */
export function cut(text: string, width: number): string {
  const chars = [...text.replace(/\s+/g, ' ').trim()];
  if (chars.length <= width) return chars.join('');
  if (width <= 1) return chars.slice(0, width).join('');
  const head = chars.slice(0, width - 1).join('');
  const space = head.lastIndexOf(' ');
  return `${(space >= width * 0.75 ? head.slice(0, space) : head).trimEnd()}…`;
}

function pad(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const fill = ' '.repeat(Math.max(0, width - visibleWidth(text)));
  return align === 'right' ? fill + text : text + fill;
}

/** Column widths that fit `maxWidth`, shrinking the shrinkable columns (highest `shrink` first). */
export function fitWidths<Row>(
  columns: readonly Column<Row>[],
  rows: readonly Row[],
  maxWidth: number,
): number[] {
  const widths = columns.map((c) =>
    Math.max(
      visibleWidth(c.header),
      ...rows.map((r) => visibleWidth(c.value(r).replace(/\s+/g, ' ').trim())),
    ),
  );
  let excess = widths.reduce((a, b) => a + b, 0) + GAP.length * (columns.length - 1) - maxWidth;
  const order = columns
    .map((c, i) => ({ i, shrink: c.shrink ?? 0 }))
    .filter((c) => c.shrink > 0)
    .sort((a, b) => b.shrink - a.shrink);
  const floor = (c: Column<Row>) => c.min ?? visibleWidth(c.header);
  for (const pass of [(c: Column<Row>) => Math.max(floor(c), c.prefer ?? 0), floor]) {
    for (const { i } of order) {
      if (excess <= 0) break;
      const take = Math.min(excess, Math.max(0, (widths[i] as number) - pass(columns[i] as Column<Row>)));
      widths[i] = (widths[i] as number) - take;
      excess -= take;
    }
  }
  return widths;
}

export function renderTable<Row>(
  columns: readonly Column<Row>[],
  rows: readonly Row[],
  options: { width: number; style: Stylize; indent?: string },
): string {
  const indent = options.indent ?? '';
  const widths = fitWidths(columns, rows, options.width - indent.length);
  const line = (cells: string[]) => `${indent}${cells.join(GAP)}`.trimEnd();
  // The last column is not padded, so no line ends in (coloured) spaces.
  const cell = (c: Column<Row>, i: number, text: string) =>
    i === columns.length - 1 && c.align !== 'right' ? text : pad(text, widths[i] as number, c.align);
  const header = line(
    columns.map((c, i) => options.style('bold', cell(c, i, cut(c.header, widths[i] as number)))),
  );
  const body = rows.map((row) =>
    line(
      columns.map((c, i) =>
        options.style(c.style?.(row), cell(c, i, cut(c.value(row), widths[i] as number))),
      ),
    ),
  );
  return `${[header, ...body].join('\n')}\n`;
}
