import { describe, expect, it } from 'vitest';
import { formatGoDuration, parseGoDuration } from '../../functions/kubelet/go-duration.ts';

const H = 3_600_000_000_000n;
const S = 1_000_000_000n;

describe('parseGoDuration (Go time.ParseDuration)', () => {
  it.each([
    ['0', 0n],
    ['-0', 0n],
    ['+0', 0n],
    ['0s', 0n],
    ['4h', 4n * H],
    ['4h0m0s', 4n * H],
    ['5m', 300n * S],
    ['1.5h', 5_400n * S],
    ['.5s', 500_000_000n],
    ['1.s', S],
    ['-1.5m', -90n * S],
    ['+2s', 2n * S],
    ['1h30m', 5_400n * S],
    ['300ms', 300_000_000n],
    ['10us', 10_000n],
    ['10µs', 10_000n],
    ['10μs', 10_000n],
    ['7ns', 7n],
    ['1h1h', 2n * H],
    ['9223372036854775807ns', 9_223_372_036_854_775_807n],
    ['-9223372036854775808ns', -9_223_372_036_854_775_808n],
    ['0.3333333333333333333h', 1_200_000_000_000n],
  ])('%s is %s ns', (text, ns) => {
    expect(parseGoDuration(text)).toEqual({ ok: true, nanoseconds: ns });
  });

  it.each([
    ['', 'time: invalid duration ""'],
    ['-', 'time: invalid duration "-"'],
    ['4', 'time: missing unit in duration "4"'],
    ['00', 'time: missing unit in duration "00"'],
    ['4d', 'time: unknown unit "d" in duration "4d"'],
    ['4H', 'time: unknown unit "H" in duration "4H"'],
    ['.s', 'time: invalid duration ".s"'],
    [' 4h', 'time: invalid duration " 4h"'],
    ['4h ', 'time: unknown unit "h " in duration "4h "'],
    ['s', 'time: invalid duration "s"'],
    ['9223372036854775808ns', 'time: invalid duration "9223372036854775808ns"'],
    ['3000000h', 'time: invalid duration "3000000h"'],
  ])('%j is refused: %s', (text, reason) => {
    expect(parseGoDuration(text)).toEqual({ ok: false, reason });
  });
});

describe('formatGoDuration (Go Duration.String)', () => {
  it.each([
    [0n, '0s'],
    [4n * H, '4h0m0s'],
    [300n * S, '5m0s'],
    [1_500_000_000n, '1.5s'],
    [300_000_000n, '300ms'],
    [1_500n, '1.5µs'],
    [7n, '7ns'],
    [-90n * S, '-1m30s'],
  ])('%s ns is %s', (ns, text) => {
    expect(formatGoDuration(ns)).toBe(text);
  });
});
