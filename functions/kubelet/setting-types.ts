/**
 * The value types of the kubelet settings the controls judge, read the way the kubelet reads them:
 * from a config file (JSON, or YAML 1.1 turned into JSON, then Go encoding/json into the v1beta1
 * struct) and from a flag (pflag Value.Set). A value the kubelet would refuse gives the reason, so the
 * caller reports "cannot be judged" instead of guessing.
 */
import { formatGoDuration, parseGoDuration } from './go-duration.ts';
import { parseGoBool } from './go-parse-bool.ts';

export const SettingType = {
  bool: 'bool',
  int32: 'int32',
  string: 'string',
  duration: 'duration',
} as const;
export type SettingType = (typeof SettingType)[keyof typeof SettingType];

/** bool, int32 (a safe integer), string, or a duration as Go's Duration.String ("4h0m0s"). */
export type SettingValue = boolean | number | string;

export type TypedValue =
  | { readonly ok: true; readonly value: SettingValue }
  | { readonly ok: false; readonly reason: string };

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

const GO_TYPE: Readonly<Record<SettingType, string>> = {
  bool: 'a boolean',
  int32: 'an int32 integer',
  string: 'a string',
  duration: 'a duration string (metav1.Duration)',
};

/**
 * A decoded config value → the typed value. Go's json.Unmarshal refuses a number for a bool or a
 * string, a string for a number, and a fraction or an out-of-range number for int32;
 * metav1.Duration.UnmarshalJSON takes only a JSON string and parses it with time.ParseDuration.
 */
export function fromConfigValue(type: SettingType, raw: unknown): TypedValue {
  const wrong = (): TypedValue => ({ ok: false, reason: `not ${GO_TYPE[type]}` });
  switch (type) {
    case 'bool':
      return typeof raw === 'boolean' ? { ok: true, value: raw } : wrong();
    case 'string':
      return typeof raw === 'string' ? { ok: true, value: raw } : wrong();
    case 'int32':
      if (typeof raw !== 'number' || !Number.isInteger(raw)) return wrong();
      return raw < INT32_MIN || raw > INT32_MAX
        ? { ok: false, reason: 'out of the int32 range' }
        : { ok: true, value: raw };
    case 'duration': {
      if (typeof raw !== 'string') return wrong();
      const parsed = parseGoDuration(raw);
      return parsed.ok ? { ok: true, value: formatGoDuration(parsed.nanoseconds) } : parsed;
    }
  }
}

/** A flag's text → the typed value, as pflag's Value.Set parses it (the kubelet exits on an error). */
export function fromFlagText(type: SettingType, text: string): TypedValue {
  switch (type) {
    case 'bool': {
      const value = parseGoBool(text);
      return value === undefined
        ? { ok: false, reason: `strconv.ParseBool: parsing ${JSON.stringify(text)}: invalid syntax` }
        : { ok: true, value };
    }
    case 'string':
      return { ok: true, value: text };
    case 'int32':
      return parseGoInt32(text);
    case 'duration': {
      const parsed = parseGoDuration(text);
      return parsed.ok ? { ok: true, value: formatGoDuration(parsed.nanoseconds) } : parsed;
    }
  }
}

/** The zero value of the type (what SetDefaults compares with for non-pointer fields). */
export function isZeroValue(value: SettingValue): boolean {
  return value === false || value === 0 || value === '' || value === '0s';
}

/** How a value reads in a reason: strings quoted, the rest as written. */
export function showValue(value: SettingValue): string {
  return typeof value === 'string' && !/^-?[\d.]+(ns|µs|ms|s|m|h)/.test(value)
    ? JSON.stringify(value)
    : String(value);
}

const PREFIXES: readonly { readonly prefix: RegExp; readonly base: number; readonly digits: RegExp }[] = [
  { prefix: /^0[xX]/, base: 16, digits: /^[0-9a-fA-F_]+$/ },
  { prefix: /^0[oO]/, base: 8, digits: /^[0-7_]+$/ },
  { prefix: /^0[bB]/, base: 2, digits: /^[01_]+$/ },
];

/**
 * Go strconv.ParseInt(s, 0, 32), as pflag's int32Value.Set calls it: optional sign, base from the
 * prefix (0x, 0o, 0b, a leading 0 = octal), underscores only between digits (base 0 allows them).
 */
export function parseGoInt32(text: string): TypedValue {
  const syntax: TypedValue = {
    ok: false,
    reason: `strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax`,
  };
  let s = text;
  let sign = 1;
  if (s[0] === '+' || s[0] === '-') {
    sign = s[0] === '-' ? -1 : 1;
    s = s.slice(1);
  }
  if (s === '') return syntax;
  let base = 10;
  let body = s;
  let digits = /^[0-9_]+$/;
  const prefixed = PREFIXES.find((p) => p.prefix.test(s));
  if (prefixed) {
    base = prefixed.base;
    digits = prefixed.digits;
    body = s.slice(2);
  } else if (s.length > 1 && s[0] === '0') {
    base = 8;
    digits = /^[0-7_]+$/;
    body = s.slice(1);
  }
  if (body === '' || !digits.test(body)) return syntax;
  // underscoreOK: the base prefix counts as a digit; "_" must sit between digits.
  const marked = `${base === 10 ? '' : '0'}${body}`;
  if (/__|_$/.test(marked) || (base === 10 && marked.startsWith('_'))) return syntax;
  const magnitude = Number.parseInt(body.replaceAll('_', ''), base);
  const value = sign * magnitude;
  if (value < INT32_MIN || value > INT32_MAX) {
    return { ok: false, reason: `strconv.ParseInt: parsing ${JSON.stringify(text)}: value out of range` };
  }
  return { ok: true, value: value === 0 ? 0 : value };
}
