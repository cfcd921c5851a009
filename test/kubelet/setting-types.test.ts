import { describe, expect, it } from 'vitest';
import { parseFeatureGates } from '../../functions/kubelet/setting-flag.ts';
import { fromConfigValue, fromFlagText, parseGoInt32 } from '../../functions/kubelet/setting-types.ts';

describe('parseGoInt32 (strconv.ParseInt(s, 0, 32), as pflag int32 flags read)', () => {
  it.each([
    ['0', 0],
    ['10255', 10255],
    ['-5', -5],
    ['+7', 7],
    ['0x10', 16],
    ['0X1f', 31],
    ['010', 8],
    ['0o17', 15],
    ['0b101', 5],
    ['1_000', 1000],
    ['0x_10', 16],
    ['2147483647', 2147483647],
    ['-2147483648', -2147483648],
    ['-0', 0],
  ])('%s is %d', (text, value) => {
    expect(parseGoInt32(text)).toEqual({ ok: true, value });
  });

  it.each([
    '',
    ' 1',
    '1 ',
    '1.0',
    '1e3',
    '0x',
    '09',
    '_1',
    '1_',
    '1__0',
    'abc',
    '--1',
  ])('%j is invalid syntax', (text) => {
    expect(parseGoInt32(text)).toEqual({
      ok: false,
      reason: `strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax`,
    });
  });

  it.each(['2147483648', '-2147483649', '0x80000000'])('%s is out of range', (text) => {
    expect(parseGoInt32(text)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('value out of range'),
    });
  });
});

describe('fromConfigValue (Go encoding/json into the v1beta1 field)', () => {
  it.each([
    ['bool', true, true],
    ['int32', 10255, 10255],
    ['string', 'Webhook', 'Webhook'],
    ['duration', '4h', '4h0m0s'],
    ['duration', '0s', '0s'],
    ['duration', '90m', '1h30m0s'],
  ] as const)('%s %j is %j', (type, raw, value) => {
    expect(fromConfigValue(type, raw)).toEqual({ ok: true, value });
  });

  it.each([
    ['bool', 'true'],
    ['bool', 1],
    ['int32', '0'],
    ['int32', 1.5],
    ['int32', 2 ** 31],
    ['string', 5],
    ['duration', 0],
    ['duration', '4'],
    ['duration', '1d'],
  ] as const)('%s %j is refused', (type, raw) => {
    expect(fromConfigValue(type, raw).ok).toBe(false);
  });
});

describe('fromFlagText (pflag Value.Set)', () => {
  it('reads bools with strconv.ParseBool only', () => {
    expect(fromFlagText('bool', 'F')).toEqual({ ok: true, value: false });
    expect(fromFlagText('bool', 'yes').ok).toBe(false);
  });

  it('reads durations with time.ParseDuration: "0" needs no unit, "5" does', () => {
    expect(fromFlagText('duration', '0')).toEqual({ ok: true, value: '0s' });
    expect(fromFlagText('duration', '5')).toEqual({
      ok: false,
      reason: 'time: missing unit in duration "5"',
    });
  });

  it('takes any text for a string flag', () => {
    expect(fromFlagText('string', '')).toEqual({ ok: true, value: '' });
  });
});

describe('parseFeatureGates (cliflag.MapStringBool.Set)', () => {
  it('splits on commas, trims, and parses each value with ParseBool', () => {
    const r = parseFeatureGates(' A=true, B = false ,,C=0');
    expect(r.ok && [...r.gates]).toEqual([
      ['A', true],
      ['B', false],
      ['C', false],
    ]);
  });

  it('refuses a pair without "=" and a value ParseBool refuses', () => {
    expect(parseFeatureGates('A')).toEqual({ ok: false, reason: 'malformed pair, expect string=bool' });
    expect(parseFeatureGates('A=true, ')).toEqual({
      ok: false,
      reason: 'malformed pair, expect string=bool',
    });
    expect(parseFeatureGates('A=yes')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('invalid value of A: yes'),
    });
  });
});
