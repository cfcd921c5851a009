import { describe, expect, it } from 'vitest';
import { stalenessWindow } from '../../infra/constructs/scanner-alarms.ts';
import { parseScheduleExpression, ScheduleExpressionError } from '../../infra/schedule-expression.ts';
import { longestGapMinutes } from '../../infra/schedule-interval.ts';

const gap = (expression: string) => longestGapMinutes(parseScheduleExpression(expression), expression);

describe('parseScheduleExpression (EventBridge Scheduler rules)', () => {
  it.each([
    ['rate(1 minute)', 1],
    ['rate(15 minutes)', 15],
    ['rate(1 hour)', 60],
    ['rate(12 hours)', 720],
    ['rate(1 day)', 1440],
    ['rate(7 days)', 7 * 1440],
  ])('accepts %s', (expression, minutes) => {
    expect(parseScheduleExpression(expression)).toEqual({ kind: 'rate', minutes });
  });

  it.each([
    'cron(0 3 * * ? *)',
    'cron(0/15 * * * ? *)',
    'cron(0 3 ? * MON-FRI *)',
    'cron(0 3 ? * 2-6 *)',
    'cron(30 2,14 1 JAN,JUL ? 2026-2030)',
    'cron(0 3 L * ? *)',
    'cron(0 3 LW * ? *)',
    'cron(0 3 15W * ? *)',
    'cron(0 3 ? * 6L *)',
    'cron(0 3 ? * MON#2 *)',
    'cron(5-55/10 */2 */3 * ? *)',
  ])('accepts %s', (expression) => {
    expect(parseScheduleExpression(expression).kind).toBe('cron');
  });

  it.each([
    ['every day', /must be "rate\(<value> <unit>\)" or "cron\(<6 fields>\)"/],
    ['at(2026-12-01T03:00:00)', /must be "rate/],
    ['rate(6 hour)', /a rate above 1 takes the plural unit \("6 hours"\)/],
    ['rate(1 hours)', /a rate of 1 takes the singular unit \("1 hour"\)/],
    ['rate(0 hours)', /positive integer, got "0"/],
    ['rate(-1 hours)', /positive integer/],
    ['rate(1.5 hours)', /positive integer/],
    ['rate(2 weeks)', /unit must be minute\(s\), hour\(s\) or day\(s\), got "weeks"/],
    ['rate(6hours)', /"rate\(<value> <unit>\)"/],
    ['rate(6  hours)', /"rate\(<value> <unit>\)"/],
    ['cron(0 3 * * *)', /exactly 6 fields .* got 5/],
    ['cron(0 3 * * ? * *)', /exactly 6 fields .* got 7/],
    ['cron(0 3 * * * *)', /exactly one of day-of-month and day-of-week must be "\?"/],
    ['cron(0 3 ? * ? *)', /exactly one of day-of-month and day-of-week must be "\?"/],
    ['cron(60 3 * * ? *)', /minutes "60" is outside 0-59/],
    ['cron(0 24 * * ? *)', /hours "24" is outside 0-23/],
    ['cron(0 3 32 * ? *)', /day-of-month "32" is outside 1-31/],
    ['cron(0 3 0 * ? *)', /day-of-month "0" is outside 1-31/],
    ['cron(0 3 * 13 ? *)', /month "13" is outside 1-12 or JAN-DEC/],
    ['cron(0 3 * FOO ? *)', /month "FOO"/],
    ['cron(0 3 ? * 8 *)', /day-of-week "8" is outside 1-7 or SUN-SAT/],
    ['cron(0 3 ? * 0 *)', /day-of-week "0"/],
    ['cron(0 3 * * ? 1969)', /year "1969" is outside 1970-2199/],
    ['cron(0 3 * * ? 2200)', /year "2200"/],
    ['cron(? 3 * * ? *)', /"\?" is only for day-of-month or day-of-week, not minutes/],
    ['cron(0 20-10 * * ? *)', /hours range "20-10" runs backwards/],
    ['cron(0/0 3 * * ? *)', /increment "\/0" must be a positive integer/],
    ['cron(0/ 3 * * ? *)', /increment/],
    ['cron(0 3 ? * MON#6 *)', /day-of-week "MON#6"/],
    ['cron(0 3 32W * ? *)', /day-of-month "32" is outside 1-31/],
    ['cron(0 3 L ? * *)', /"\?" is only for day-of-month or day-of-week, not month/],
  ])('rejects %s', (expression, message) => {
    expect(() => parseScheduleExpression(expression)).toThrow(ScheduleExpressionError);
    expect(() => parseScheduleExpression(expression)).toThrow(message);
  });
});

describe('longestGapMinutes', () => {
  it('is the rate itself', () => {
    expect(gap('rate(6 hours)')).toBe(360);
  });

  it('measures a cron schedule over its real firings', () => {
    expect(gap('cron(0 3 * * ? *)')).toBe(1440);
    expect(gap('cron(0 */6 * * ? *)')).toBe(360);
    // 02:00 and 14:30: the longest gap is 14:30 → 02:00 the next day.
    expect(gap('cron(0,30 2,14 * * ? *)')).toBe(11 * 60 + 30);
    // Weekdays only: Friday 03:00 to Monday 03:00.
    expect(gap('cron(0 3 ? * MON-FRI *)')).toBe(3 * 1440);
    // The 1st of each month: up to 31 days apart.
    expect(gap('cron(0 3 1 * ? *)')).toBe(31 * 1440);
  });

  it('gives up on forms it cannot measure without a calendar of its own', () => {
    expect(gap('cron(0 3 L * ? *)')).toBeUndefined();
    expect(gap('cron(0 3 ? * MON#2 *)')).toBeUndefined();
    expect(gap('cron(0 3 * * ? 2026)')).toBeUndefined();
  });
});

describe('stalenessWindow (PutMetricAlarm: at most 7 days, 1 day below hourly periods)', () => {
  it.each([
    [30, { periodMinutes: 30, periods: 2 }],
    [720, { periodMinutes: 720, periods: 2 }],
    [1440, { periodMinutes: 1440, periods: 2 }],
    [3 * 1440, { periodMinutes: 1440, periods: 6 }],
    [3.5 * 1440, { periodMinutes: 1440, periods: 7 }],
  ])('covers twice an interval of %i minutes', (interval, window) => {
    expect(stalenessWindow(interval)).toEqual(window);
    const w = stalenessWindow(interval);
    expect((w?.periodMinutes ?? 0) * (w?.periods ?? 0)).toBeGreaterThanOrEqual(2 * interval);
  });

  it('has none where CloudWatch cannot look back twice the interval', () => {
    expect(stalenessWindow(7 * 1440)).toBeUndefined();
    expect(stalenessWindow(31 * 1440)).toBeUndefined();
  });
});
