/**
 * Go's time.ParseDuration (src/time/format.go) and Duration.String, exactly: the kubelet reads
 * duration flags (pflag DurationVar) and config durations (metav1.Duration.UnmarshalJSON) with
 * ParseDuration, so a value it would refuse must be refused here too, never guessed at.
 *
 * Grammar: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`, units ns us µs (U+00B5) μs (U+03BC) ms s m h; a lone
 * "0" needs no unit; fractions are scaled in float64 as Go does; the total must fit in an int64 of
 * nanoseconds. Nanoseconds are bigint here so no duration loses precision.
 */

const UNITS: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['µs', 1_000n],
  ['μs', 1_000n],
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);

const MAX = 1n << 63n;

export type GoDurationResult =
  | { readonly ok: true; readonly nanoseconds: bigint }
  | { readonly ok: false; readonly reason: string };

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

function invalid(orig: string): GoDurationResult {
  return { ok: false, reason: `time: invalid duration ${JSON.stringify(orig)}` };
}

/** leadingInt: the digits at the start; undefined on overflow. */
function leadingInt(s: string): { value: bigint; rest: string } | undefined {
  let i = 0;
  let x = 0n;
  for (; i < s.length && isDigit(s[i]); i += 1) {
    if (x > MAX / 10n) return undefined;
    x = x * 10n + BigInt(s.charCodeAt(i) - 48);
    if (x > MAX) return undefined;
  }
  return { value: x, rest: s.slice(i) };
}

/** leadingFraction: digits after the point and their scale; digits past int64 precision are dropped. */
function leadingFraction(s: string): { value: bigint; scale: number; rest: string } {
  let i = 0;
  let x = 0n;
  let scale = 1;
  let overflow = false;
  for (; i < s.length && isDigit(s[i]); i += 1) {
    if (overflow) continue;
    if (x > (MAX - 1n) / 10n) {
      overflow = true;
      continue;
    }
    const y = x * 10n + BigInt(s.charCodeAt(i) - 48);
    if (y > MAX) {
      overflow = true;
      continue;
    }
    x = y;
    scale *= 10;
  }
  return { value: x, scale, rest: s.slice(i) };
}

/** One `number unit` element; undefined rest = error already given. */
function element(s: string, orig: string): { ns: bigint; rest: string } | GoDurationResult {
  if (!(s[0] === '.' || isDigit(s[0]))) return invalid(orig);
  const int = leadingInt(s);
  if (int === undefined) return invalid(orig);
  const pre = int.rest.length !== s.length;
  let rest = int.rest;
  let fraction = { value: 0n, scale: 1 };
  let post = false;
  if (rest[0] === '.') {
    const after = rest.slice(1);
    const f = leadingFraction(after);
    post = f.rest.length !== after.length;
    fraction = f;
    rest = f.rest;
  }
  if (!pre && !post) return invalid(orig);
  let i = 0;
  while (i < rest.length && rest[i] !== '.' && !isDigit(rest[i])) i += 1;
  if (i === 0) return { ok: false, reason: `time: missing unit in duration ${JSON.stringify(orig)}` };
  const name = rest.slice(0, i);
  const unit = UNITS.get(name);
  if (unit === undefined) {
    return {
      ok: false,
      reason: `time: unknown unit ${JSON.stringify(name)} in duration ${JSON.stringify(orig)}`,
    };
  }
  if (int.value > MAX / unit) return invalid(orig);
  let v = int.value * unit;
  if (fraction.value > 0n) {
    // Go: v += uint64(float64(f) * (float64(unit) / scale)), truncated toward zero.
    v += BigInt(Math.trunc(Number(fraction.value) * (Number(unit) / fraction.scale)));
    if (v > MAX) return invalid(orig);
  }
  return { ns: v, rest: rest.slice(i) };
}

export function parseGoDuration(orig: string): GoDurationResult {
  let s = orig;
  let neg = false;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return { ok: true, nanoseconds: 0n };
  if (s === '') return invalid(orig);
  let d = 0n;
  while (s !== '') {
    const step = element(s, orig);
    if ('ok' in step) return step;
    d += step.ns;
    if (d > MAX) return invalid(orig);
    s = step.rest;
  }
  if (neg) return { ok: true, nanoseconds: -d };
  if (d > MAX - 1n) return invalid(orig);
  return { ok: true, nanoseconds: d };
}

/** Go Duration.String for whole-unit display: "4h0m0s", "1.5s", "300ms", "0s". */
export function formatGoDuration(nanoseconds: bigint): string {
  if (nanoseconds === 0n) return '0s';
  const neg = nanoseconds < 0n;
  const u = neg ? -nanoseconds : nanoseconds;
  const sign = neg ? '-' : '';
  if (u < 1_000_000_000n) {
    const [unit, size] = u < 1_000n ? ['ns', 1n] : u < 1_000_000n ? ['µs', 1_000n] : ['ms', 1_000_000n];
    return `${sign}${decimal(u, size as bigint)}${unit}`;
  }
  const hours = u / 3_600_000_000_000n;
  const minutes = (u / 60_000_000_000n) % 60n;
  const seconds = decimal(u % 60_000_000_000n, 1_000_000_000n);
  if (hours > 0n) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0n) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}

/** value/size with the fraction's trailing zeros dropped, as Go's fmtFrac does. */
function decimal(value: bigint, size: bigint): string {
  const whole = value / size;
  const frac = value % size;
  if (frac === 0n) return String(whole);
  const digits = String(size).length - 1;
  return `${whole}.${String(frac).padStart(digits, '0').replace(/0+$/, '')}`;
}
