/**
 * Terminal styling for the demo: ANSI colour only when the output is a terminal (or FORCE_COLOR
 * says so), never when NO_COLOR is set (https://no-color.org), so piped output and captured test
 * output stay plain text.
 */

export interface Output {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export function wantsColor(out: Output, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return out.isTTY === true && env.TERM !== 'dumb';
}

/**
 * Width to fit: the terminal's; when piped (CI logs, files), $COLUMNS or 160, since a log viewer
 * has no fixed width and a reason cut too short helps nobody.
 */
export function outputWidth(out: Output, env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = Number(env.COLUMNS);
  const width = out.columns ?? (Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 160);
  // Below ~70 columns the tables cannot show a useful reason: let the terminal wrap instead.
  return Math.max(70, Math.min(width, 300));
}

const CODES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
  gray: [90, 39],
} as const;

export type StyleName = keyof typeof CODES;
export type Stylize = (style: StyleName | readonly StyleName[] | undefined, text: string) => string;

export function stylizer(color: boolean): Stylize {
  return (style, text) => {
    if (!color || style === undefined || text === '') return text;
    const names: readonly StyleName[] = typeof style === 'string' ? [style] : style;
    return names.reduce((acc, name) => `\u001b[${CODES[name][0]}m${acc}\u001b[${CODES[name][1]}m`, text);
  };
}

/** Colour of a compliance status, workflow status or record state as Security Hub's console shows it. */
export function statusStyle(value: string): StyleName | undefined {
  switch (value) {
    case 'FAILED':
      return 'red';
    case 'WARNING':
      return 'yellow';
    case 'NOT_AVAILABLE':
    case 'ARCHIVED':
      return 'gray';
    case 'PASSED':
    case 'RESOLVED':
      return 'green';
    case 'NEW':
      return 'cyan';
    default:
      return undefined;
  }
}
