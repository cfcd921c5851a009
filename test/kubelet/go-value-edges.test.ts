/**
 * The edges of the Go value parsers the kubelet uses: time.ParseDuration at the int64 limits (Go's own
 * src/time/time_test.go cases), Duration.String at each unit boundary, strconv.ParseInt(s, 0, 32)
 * prefixes and ranges, and the config-file types encoding/json refuses. A value the kubelet refuses
 * is WARNING in every control, so each refusal here is a verdict.
 */
import { describe, expect, it } from 'vitest';
import { formatGoDuration, parseGoDuration } from '../../functions/kubelet/go-duration.ts';
import { fromConfigValue, fromFlagText, parseGoInt32 } from '../../functions/kubelet/setting-types.ts';

const MAX = 9_223_372_036_854_775_807n;

describe('parseGoDuration at the int64 limits (Go time_test.go)', () => {
  it.each([
    ['9007199254740993ns', 9_007_199_254_740_993n],
    ['9223372036854775.807us', MAX],
    ['9223372036s854ms775us807ns', MAX],
    ['2562047h47m16.854775807s', MAX],
    ['-9223372036854775.808us', -MAX - 1n],
    ['-9223372036s854ms775us808ns', -MAX - 1n],
    ['-2562047h47m16.854775808s', -MAX - 1n],
    ['0.100000000000000000000h', 360_000_000_000n],
    // The first overflow check of leadingFraction drops the digits past int64 precision.
    ['0.830103483285477580700h', 2_988_372_539_827n],
    ['1.0000000000000000000000001s', 1_000_000_000n],
    ['0.000000001s', 1n],
    ['1.000000001s', 1_000_000_001n],
    ['1.1ns', 1n],
    ['0.5ns', 0n],
    ['00.5s', 500_000_000n],
    ['.0s', 0n],
    ['3.h', 10_800_000_000_000n],
  ])('%s is %s ns', (text, ns) => {
    expect(parseGoDuration(text)).toEqual({ ok: true, nanoseconds: ns });
  });

  it.each([
    ['9223372036854775.808us', 'time: invalid duration "9223372036854775.808us"'],
    ['9223372036854ms775us808ns', 'time: invalid duration "9223372036854ms775us808ns"'],
    ['2562047h47m16.854775808s', 'time: invalid duration "2562047h47m16.854775808s"'],
    ['-9223372036854775809ns', 'time: invalid duration "-9223372036854775809ns"'],
    ['99999999999999999999s', 'time: invalid duration "99999999999999999999s"'],
    ['92233720368547758070ns', 'time: invalid duration "92233720368547758070ns"'],
    ['.5', 'time: missing unit in duration ".5"'],
    ['1.5.5s', 'time: missing unit in duration "1.5.5s"'],
    ['1e3s', 'time: unknown unit "e" in duration "1e3s"'],
    ['1x2s', 'time: unknown unit "x" in duration "1x2s"'],
    ['1h.', 'time: invalid duration "1h."'],
    ['1h-1s', 'time: unknown unit "h-" in duration "1h-1s"'],
    ['h1', 'time: invalid duration "h1"'],
  ])('%j is refused: %s', (text, reason) => {
    expect(parseGoDuration(text)).toEqual({ ok: false, reason });
  });
});

describe('formatGoDuration at each unit boundary (Go Duration.String)', () => {
  it.each([
    [1n, '1ns'],
    [999n, '999ns'],
    [1_000n, '1µs'],
    [999_999n, '999.999µs'],
    [1_000_000n, '1ms'],
    [100_000_000n, '100ms'],
    [999_999_999n, '999.999999ms'],
    [1_000_000_000n, '1s'],
    [1_000_000_001n, '1.000000001s'],
    [1_100_000_000n, '1.1s'],
    [59_000_000_000n, '59s'],
    [60_000_000_000n, '1m0s'],
    [3_600_000_000_000n, '1h0m0s'],
    [3_661_500_000_000n, '1h1m1.5s'],
    [-1n, '-1ns'],
    [-1_000n, '-1µs'],
    [-3_600_000_000_000n, '-1h0m0s'],
    [-MAX - 1n, '-2562047h47m16.854775808s'],
    [MAX, '2562047h47m16.854775807s'],
  ])('%s ns is %s', (ns, text) => {
    expect(formatGoDuration(ns)).toBe(text);
  });
});

describe('parseGoInt32 (strconv.ParseInt(s, 0, 32))', () => {
  it.each([
    ['2147483647', 2_147_483_647],
    ['-2147483648', -2_147_483_648],
    ['+7', 7],
    ['-0', 0],
    ['0x1F', 31],
    ['0X_1f', 31],
    ['0o17', 15],
    ['0O7', 7],
    ['0b101', 5],
    ['0B_1', 1],
    ['017', 15],
    ['0_17', 15],
    ['1_000', 1000],
    ['0', 0],
  ])('%s is %s', (text, value) => {
    expect(parseGoInt32(text)).toEqual({ ok: true, value });
  });

  it.each([
    '',
    '+',
    '-',
    '0x',
    '0o',
    '0b',
    '0xg1',
    '0x1g',
    '0o81',
    '0o18',
    '0b21',
    '0b12',
    '081',
    '018',
    '1__0',
    '1_',
    '_1',
    '0x1_',
    '1.5',
    ' 1',
    '1 ',
    '10x1',
  ])('%j is invalid syntax', (text) => {
    expect(parseGoInt32(text)).toEqual({
      ok: false,
      reason: `strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax`,
    });
  });

  it.each(['2147483648', '-2147483649', '0x80000000', '99999999999'])('%s is out of range', (text) => {
    expect(parseGoInt32(text)).toEqual({
      ok: false,
      reason: `strconv.ParseInt: parsing ${JSON.stringify(text)}: value out of range`,
    });
  });
});

describe('fromConfigValue (encoding/json into the v1beta1 struct)', () => {
  it.each([
    ['bool', 1, 'not a boolean'],
    ['bool', 'true', 'not a boolean'],
    ['string', 1, 'not a string'],
    ['string', false, 'not a string'],
    ['int32', '5', 'not an int32 integer'],
    ['int32', 1.5, 'not an int32 integer'],
    ['int32', true, 'not an int32 integer'],
    ['int32', 2_147_483_648, 'out of the int32 range'],
    ['int32', -2_147_483_649, 'out of the int32 range'],
    ['duration', 5, 'not a duration string (metav1.Duration)'],
    ['duration', null, 'not a duration string (metav1.Duration)'],
    ['duration', '5', 'time: missing unit in duration "5"'],
  ] as const)('a %s setting refuses %j: %s', (type, raw, reason) => {
    expect(fromConfigValue(type, raw)).toEqual({ ok: false, reason });
  });

  it.each([
    ['int32', 2_147_483_647, 2_147_483_647],
    ['int32', -2_147_483_648, -2_147_483_648],
    ['duration', '90m', '1h30m0s'],
    ['string', '', ''],
    ['bool', false, false],
  ] as const)('a %s setting takes %j as %j', (type, raw, value) => {
    expect(fromConfigValue(type, raw)).toEqual({ ok: true, value });
  });
});

describe('fromFlagText (pflag Value.Set)', () => {
  it('a duration flag is normalised as Duration.String', () => {
    expect(fromFlagText('duration', '240m')).toEqual({ ok: true, value: '4h0m0s' });
    expect(fromFlagText('duration', '4')).toEqual({
      ok: false,
      reason: 'time: missing unit in duration "4"',
    });
  });

  it('an int32 flag uses ParseInt base 0', () => {
    expect(fromFlagText('int32', '0x10')).toEqual({ ok: true, value: 16 });
  });
});
