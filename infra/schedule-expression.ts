/**
 * EventBridge Scheduler's schedule expressions, checked at synth so a typo fails `cdk synth` instead of
 * a CloudFormation update half an hour later. The rules (EventBridge Scheduler User Guide, "Schedule
 * types", https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html, and the cron
 * field table it shares with EventBridge, eb-scheduled-rule-pattern):
 *
 * - `rate(value unit)`: value a positive integer, unit minute(s) | hour(s) | day(s); singular only
 *   with 1 and plural only above 1 (`rate(1 hours)`, `rate(5 hour)` are refused).
 * - `cron(minutes hours day-of-month month day-of-week year)`: exactly six fields; `?` in exactly one of
 *   day-of-month and day-of-week; `L`, `W` only in day-of-month, `L`, `#` only in day-of-week.
 *
 * One-time `at(...)` schedules are not a scan cadence and are refused.
 */

export class ScheduleExpressionError extends Error {
  constructor(
    readonly expression: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`schedule "${expression}": ${reason}`, options);
    this.name = 'ScheduleExpressionError';
  }
}

export type ParsedSchedule =
  | { readonly kind: 'rate'; readonly minutes: number }
  | { readonly kind: 'cron'; readonly fields: CronFields };

export interface CronFields {
  readonly minutes: string;
  readonly hours: string;
  readonly dayOfMonth: string;
  readonly month: string;
  readonly dayOfWeek: string;
  readonly year: string;
}

const RATE_UNITS = { minute: 1, hour: 60, day: 24 * 60 } as const;

function parseRate(expression: string, inside: string): ParsedSchedule {
  const match = /^(\S+) (\S+)$/.exec(inside);
  if (!match) {
    throw new ScheduleExpressionError(expression, 'a rate is "rate(<value> <unit>)", e.g. "rate(6 hours)"');
  }
  const [, valueText = '', unitText = ''] = match;
  if (!/^[1-9][0-9]*$/.test(valueText)) {
    throw new ScheduleExpressionError(
      expression,
      `the rate value must be a positive integer, got "${valueText}"`,
    );
  }
  const value = Number(valueText);
  const singular = unitText.replace(/s$/, '');
  if (!(singular in RATE_UNITS)) {
    throw new ScheduleExpressionError(
      expression,
      `the rate unit must be minute(s), hour(s) or day(s), got "${unitText}"`,
    );
  }
  const plural = unitText.endsWith('s');
  if (value === 1 && plural) {
    throw new ScheduleExpressionError(expression, `a rate of 1 takes the singular unit ("1 ${singular}")`);
  }
  if (value > 1 && !plural) {
    throw new ScheduleExpressionError(
      expression,
      `a rate above 1 takes the plural unit ("${value} ${singular}s")`,
    );
  }
  return { kind: 'rate', minutes: value * RATE_UNITS[singular as keyof typeof RATE_UNITS] };
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldRule {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Names accepted for 1, 2, … (months, weekdays). */
  readonly names?: readonly string[];
}

export const CRON_FIELD_RULES = {
  minutes: { name: 'minutes', min: 0, max: 59 },
  hours: { name: 'hours', min: 0, max: 23 },
  dayOfMonth: { name: 'day-of-month', min: 1, max: 31 },
  month: { name: 'month', min: 1, max: 12, names: MONTHS },
  dayOfWeek: { name: 'day-of-week', min: 1, max: 7, names: WEEKDAYS },
  year: { name: 'year', min: 1970, max: 2199 },
} as const satisfies Record<keyof CronFields, FieldRule>;

function fieldValue(rule: FieldRule, text: string, expression: string): number {
  const named = rule.names?.indexOf(text.toUpperCase()) ?? -1;
  const value = named >= 0 ? named + 1 : /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(value) || value < rule.min || value > rule.max) {
    const names = rule.names ? ` or ${rule.names[0]}-${rule.names[rule.names.length - 1]}` : '';
    throw new ScheduleExpressionError(
      expression,
      `${rule.name} "${text}" is outside ${rule.min}-${rule.max}${names}`,
    );
  }
  return value;
}

/**
 * The values one cron field selects, for the fields built of `*`, values, ranges, increments and
 * lists. Ranges wrap nowhere: `a-b` needs a ≤ b.
 */
export function expandCronField(rule: FieldRule, field: string, expression: string): number[] {
  const values = new Set<number>();
  for (const part of field.split(',')) {
    const [base = '', stepText] = part.split('/');
    if (part.split('/').length > 2)
      throw new ScheduleExpressionError(expression, `${rule.name} "${part}" has two "/"`);
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1 || stepText === '') {
      throw new ScheduleExpressionError(
        expression,
        `${rule.name} increment "/${stepText}" must be a positive integer`,
      );
    }
    let from: number;
    let to: number;
    if (base === '*') [from, to] = [rule.min, rule.max];
    else if (base.includes('-')) {
      const [a = '', b = ''] = base.split('-');
      [from, to] = [fieldValue(rule, a, expression), fieldValue(rule, b, expression)];
      if (from > to)
        throw new ScheduleExpressionError(expression, `${rule.name} range "${base}" runs backwards`);
    } else {
      from = fieldValue(rule, base, expression);
      to = stepText === undefined ? from : rule.max;
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return [...values].sort((x, y) => x - y);
}

const DAY_OF_MONTH_SPECIAL = /^(L|LW|[0-9]{1,2}W)$/;
const DAY_OF_WEEK_SPECIAL = /^([1-7]|SUN|MON|TUE|WED|THU|FRI|SAT)(L|#[1-5])$|^L$/i;

function checkDayFields(fields: CronFields, expression: string): void {
  const domAny = fields.dayOfMonth === '?';
  const dowAny = fields.dayOfWeek === '?';
  if (domAny === dowAny) {
    throw new ScheduleExpressionError(
      expression,
      'exactly one of day-of-month and day-of-week must be "?" (e.g. "cron(0 3 * * ? *)")',
    );
  }
  if (!domAny) {
    if (DAY_OF_MONTH_SPECIAL.test(fields.dayOfMonth)) {
      const day = /^([0-9]+)W$/.exec(fields.dayOfMonth)?.[1];
      if (day !== undefined) fieldValue(CRON_FIELD_RULES.dayOfMonth, day, expression);
    } else expandCronField(CRON_FIELD_RULES.dayOfMonth, fields.dayOfMonth, expression);
  }
  if (!dowAny) {
    if (!DAY_OF_WEEK_SPECIAL.test(fields.dayOfWeek)) {
      expandCronField(CRON_FIELD_RULES.dayOfWeek, fields.dayOfWeek, expression);
    }
  }
}

function parseCron(expression: string, inside: string): ParsedSchedule {
  const parts = inside.split(' ');
  if (parts.length !== 6 || parts.some((p) => p === '')) {
    throw new ScheduleExpressionError(
      expression,
      `a cron expression has exactly 6 fields (minutes hours day-of-month month day-of-week year), ` +
        `got ${inside.split(/\s+/).filter(Boolean).length}; e.g. "cron(0 3 * * ? *)"`,
    );
  }
  const [minutes = '', hours = '', dayOfMonth = '', month = '', dayOfWeek = '', year = ''] = parts;
  const fields: CronFields = { minutes, hours, dayOfMonth, month, dayOfWeek, year };
  for (const key of ['minutes', 'hours', 'month', 'year'] as const) {
    if (fields[key] === '?') {
      throw new ScheduleExpressionError(
        expression,
        `"?" is only for day-of-month or day-of-week, not ${CRON_FIELD_RULES[key].name}`,
      );
    }
    expandCronField(CRON_FIELD_RULES[key], fields[key], expression);
  }
  checkDayFields(fields, expression);
  return { kind: 'cron', fields };
}

/** Parses and checks a recurring Scheduler expression; throws ScheduleExpressionError naming the rule. */
export function parseScheduleExpression(expression: string): ParsedSchedule {
  const match = /^(rate|cron)\((.*)\)$/.exec(expression);
  if (!match) {
    throw new ScheduleExpressionError(
      expression,
      'must be "rate(<value> <unit>)" or "cron(<6 fields>)", e.g. "rate(6 hours)" or "cron(0 3 * * ? *)"',
    );
  }
  const [, kind, inside = ''] = match;
  return kind === 'rate' ? parseRate(expression, inside) : parseCron(expression, inside);
}
