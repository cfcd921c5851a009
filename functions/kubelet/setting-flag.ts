/**
 * The command-line value of one setting: the last occurrence of its flag (pflag calls Value.Set for
 * each, and stops at the first error, so one bad occurrence means the kubelet never started).
 *
 * `--feature-gates` is cliflag.MapStringBool (component-base/cli/flag/map_string_bool.go): each Set
 * splits on ",", skips empty elements, splits each on the first "=" ("malformed pair, expect
 * string=bool" without one), trims key and value and parses the value with strconv.ParseBool. The
 * first Set of a parse replaces the map and later ones add to it, and kubeletConfigFlagPrecedence
 * then adds back the config file's gates the flags did not name: per gate, the last flag pair wins,
 * otherwise the config decides (server.go).
 */
import { type FlagOccurrence, normalizeFlagName, type ParsedArgv } from './flags.ts';
import { parseGoBool } from './go-parse-bool.ts';
import type { SettingSpec } from './setting.ts';
import { fromFlagText, type SettingValue } from './setting-types.ts';

export type SettingFlagResult =
  | { readonly state: 'absent' }
  | {
      readonly state: 'set';
      readonly value: SettingValue;
      readonly occurrence: FlagOccurrence;
      /** Earlier occurrences that the deciding one overrides. */
      readonly overridden: readonly FlagOccurrence[];
      /** Each occurrence's own value, in argv order (the deciding one last). */
      readonly values: readonly SettingValue[];
    }
  | { readonly state: 'invalid'; readonly occurrence: FlagOccurrence; readonly reason: string };

/** MapStringBool.Set of one --feature-gates value: the pairs, or the error the kubelet exits with. */
export function parseFeatureGates(
  text: string,
):
  | { readonly ok: true; readonly gates: ReadonlyMap<string, boolean> }
  | { readonly ok: false; readonly reason: string } {
  const gates = new Map<string, boolean>();
  for (const pair of text.split(',')) {
    // Only an empty element is skipped: a blank one (" ") has no "=" and is malformed.
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    if (eq === -1) return { ok: false, reason: 'malformed pair, expect string=bool' };
    const key = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const parsed = parseGoBool(value);
    if (parsed === undefined) {
      return {
        ok: false,
        reason: `invalid value of ${key}: ${value}, err: strconv.ParseBool: parsing ${JSON.stringify(value)}: invalid syntax`,
      };
    }
    gates.set(key, parsed);
  }
  return { ok: true, gates };
}

function invalidText(o: FlagOccurrence, reason: string): string {
  return `invalid argument ${JSON.stringify(o.value)} for "--${o.name}" flag: ${reason}`;
}

export function resolveSettingFlag(parsed: ParsedArgv, spec: SettingSpec): SettingFlagResult {
  const name = normalizeFlagName(spec.flag);
  const all = parsed.occurrences.filter((o) => o.name === name);
  const deciding: { occurrence: FlagOccurrence; value: SettingValue }[] = [];
  for (const occurrence of all) {
    if (spec.gate !== undefined) {
      const gates = parseFeatureGates(occurrence.value);
      if (!gates.ok) return { state: 'invalid', occurrence, reason: invalidText(occurrence, gates.reason) };
      const value = gates.gates.get(spec.gate);
      if (value !== undefined) deciding.push({ occurrence, value });
      continue;
    }
    const typed = fromFlagText(spec.type, occurrence.value);
    if (!typed.ok) return { state: 'invalid', occurrence, reason: invalidText(occurrence, typed.reason) };
    deciding.push({ occurrence, value: typed.value });
  }
  const last = deciding[deciding.length - 1];
  if (last === undefined) return { state: 'absent' };
  return {
    state: 'set',
    value: last.value,
    occurrence: last.occurrence,
    overridden: deciding.slice(0, -1).map((d) => d.occurrence),
    values: deciding.map((d) => d.value),
  };
}
