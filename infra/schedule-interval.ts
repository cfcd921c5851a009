/**
 * The longest time between two scheduled scans, which the "no successful scan" alarm doubles. For a
 * rate it is the rate; for a cron expression it is measured by walking 800 days of its firings (UTC,
 * from a fixed date, so a synth is reproducible). Expressions whose gaps this cannot know without a
 * calendar of its own (`L`, `W`, `#`, or a year other than `*`: a schedule that ends) give undefined,
 * and the stack then has no such alarm (a synth warning says so).
 */
import { CRON_FIELD_RULES, expandCronField, type ParsedSchedule } from './schedule-expression.ts';

const DAY_MINUTES = 24 * 60;
const WALK_DAYS = 800;
const WALK_START = Date.UTC(2026, 0, 1);

function dailyFirings(minutes: string, hours: string, expression: string): number[] {
  const m = expandCronField(CRON_FIELD_RULES.minutes, minutes, expression);
  const h = expandCronField(CRON_FIELD_RULES.hours, hours, expression);
  return h.flatMap((hour) => m.map((minute) => hour * 60 + minute)).sort((a, b) => a - b);
}

function matchingDays(parsed: Extract<ParsedSchedule, { kind: 'cron' }>, expression: string): number[] {
  const f = parsed.fields;
  const months = new Set(expandCronField(CRON_FIELD_RULES.month, f.month, expression));
  const doms =
    f.dayOfMonth === '?'
      ? undefined
      : new Set(expandCronField(CRON_FIELD_RULES.dayOfMonth, f.dayOfMonth, expression));
  const dows =
    f.dayOfWeek === '?'
      ? undefined
      : new Set(expandCronField(CRON_FIELD_RULES.dayOfWeek, f.dayOfWeek, expression));
  const days: number[] = [];
  for (let d = 0; d < WALK_DAYS; d++) {
    const date = new Date(WALK_START + d * DAY_MINUTES * 60_000);
    if (!months.has(date.getUTCMonth() + 1)) continue;
    if (doms && !doms.has(date.getUTCDate())) continue;
    // Scheduler numbers weekdays 1 (SUN) to 7 (SAT).
    if (dows && !dows.has(date.getUTCDay() + 1)) continue;
    days.push(d);
  }
  return days;
}

/** Minutes of the longest gap between two runs, or undefined when it cannot be known (see above). */
export function longestGapMinutes(parsed: ParsedSchedule, expression: string): number | undefined {
  if (parsed.kind === 'rate') return parsed.minutes;
  const f = parsed.fields;
  if (f.year !== '*' || /[LW#]/i.test(f.dayOfMonth + f.dayOfWeek)) return undefined;
  const firings = dailyFirings(f.minutes, f.hours, expression);
  const days = matchingDays(parsed, expression);
  const first = firings[0];
  const last = firings[firings.length - 1];
  if (first === undefined || last === undefined || days.length < 2) return undefined;
  let longest = 0;
  for (let i = 1; i < firings.length; i++) {
    longest = Math.max(longest, (firings[i] as number) - (firings[i - 1] as number));
  }
  for (let i = 1; i < days.length; i++) {
    const apart = (days[i] as number) - (days[i - 1] as number);
    longest = Math.max(longest, apart * DAY_MINUTES - (last - first));
  }
  return longest;
}
