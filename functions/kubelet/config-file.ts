/**
 * Decode a KubeletConfiguration file (the --config file or a --config-dir drop-in) the way the
 * kubelet does, or say why the kubelet could not have loaded it.
 *
 * - Format by CONTENT, never by file name: apimachinery's recognizer hands data to the JSON
 *   serializer when `yaml.IsJSONBuffer` is true (first non-space rune, per unicode.IsSpace, is `{`),
 *   otherwise to the YAML serializer (k8s apimachinery runtime/serializer/json, util/yaml).
 * - YAML is YAML 1.1 as go-yaml v2 resolves it (sigs.k8s.io/yaml → goyaml.v2 resolve.go): the bools
 *   are y Y yes Yes YES n N no No NO true True TRUE false False FALSE on On ON off Off OFF. The `yaml`
 *   package's '1.1' schema uses exactly that list. Only the first document counts (yaml.Unmarshal).
 *   go-yaml rejects invalid UTF-8 and control characters ("control characters are not allowed").
 * - Field names are case-sensitive (the kubelet codecs decode with sigs.k8s.io/json, case-sensitive).
 * - Duplicate or unknown fields fail strict decoding, and the kubelet then falls back to lenient
 *   decoding with a warning (k8s pkg/kubelet/kubeletconfig/util/codec/codec.go
 *   DecodeKubeletConfiguration), where the last duplicate wins. So neither makes a file unloadable.
 * - kind/apiVersion must be KubeletConfiguration / kubelet.config.k8s.io/v1beta1, and an empty file
 *   is an error (pkg/kubelet/kubeletconfig/configfiles/configfiles.go: "was empty").
 * - Alias bombs: go-yaml v2 refuses "excessive aliasing"; we cap alias expansion (maxAliasCount) so
 *   such a file is unloadable here too, never a hang.
 * - Nesting: a pre-scan refuses text nested deeper than NODE_TEXT_MAX_DEPTH before any parser runs
 *   (functions/text/nesting-depth.ts): the YAML composer recurses and 60,000 `[` would exhaust the
 *   stack. The kubelet accepts deeper files (Go's encoding/json allows 10,000), so such a file is
 *   "cannot be judged" (WARNING), never PASSED. Aliases can build depth the text does not show, so
 *   the decoded value is checked again, iteratively.
 */
import { isMap, isScalar, parseAllDocuments } from 'yaml';
import { measureNesting, NODE_TEXT_MAX_DEPTH, tooDeepReason } from '../text/nesting-depth.ts';

export const KUBELET_CONFIG_KIND = 'KubeletConfiguration';
export const KUBELET_CONFIG_API_VERSION = 'kubelet.config.k8s.io/v1beta1';
/** Deepest nesting decoded (the pre-scan's limit; the kubelet's own configs nest fewer than 10). */
export const MAX_NESTING_DEPTH = NODE_TEXT_MAX_DEPTH;
/** Expansion budget for YAML aliases (the `yaml` package's own default). */
export const MAX_ALIAS_COUNT = 100;

export const ConfigDecodeFailure = {
  empty: 'empty',
  invalidUtf8: 'invalid-utf8',
  parseError: 'parse-error',
  notAMapping: 'not-a-mapping',
  missingTypeMeta: 'missing-type-meta',
  wrongTypeMeta: 'wrong-type-meta',
  tooDeep: 'too-deep',
  excessiveAliasing: 'excessive-aliasing',
} as const;
export type ConfigDecodeFailure = (typeof ConfigDecodeFailure)[keyof typeof ConfigDecodeFailure];

export type ConfigFormat = 'json' | 'yaml';

export type DecodedConfig =
  | {
      readonly ok: true;
      readonly format: ConfigFormat;
      readonly object: Readonly<Record<string, unknown>>;
      /** Top-level keys that occur more than once (the last one wins). */
      readonly duplicateKeys: readonly string[];
    }
  | {
      readonly ok: false;
      readonly format?: ConfigFormat;
      readonly code: ConfigDecodeFailure;
      readonly reason: string;
    };

// Go unicode.IsSpace, as bytes.TrimLeftFunc(buf, unicode.IsSpace) uses in IsJSONBuffer.
// Stryker disable next-line Regex: its mutants of a /u class (\v → \V) are invalid regexes that fail the module at load
const GO_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*/u;
// go-yaml v2 readerc.go: the characters YAML 1.1 allows in a stream.
// Stryker disable next-line Regex: as GO_SPACE (a mutant that fails to load hides every test of this module)
const YAML_NOT_PRINTABLE = /[^\t\n\r\u0020-\u007e\u0085\u00a0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

function fail(code: ConfigDecodeFailure, reason: string, format?: ConfigFormat): DecodedConfig {
  return format === undefined ? { ok: false, code, reason } : { ok: false, code, reason, format };
}

function short(message: string): string {
  const line = message.split('\n')[0] ?? message;
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

/** True when nesting exceeds the limit; iterative so hostile input cannot exhaust the stack here. */
function tooDeep(root: unknown, limit: number): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value: root, depth: 1 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(value as object)) stack.push({ value: child, depth: depth + 1 });
  }
  return false;
}

function checkTypeMeta(object: Record<string, unknown>, format: ConfigFormat): DecodedConfig | undefined {
  const { kind, apiVersion } = object;
  if (kind === undefined || kind === null || kind === '' || apiVersion === undefined || apiVersion === null) {
    return fail(
      ConfigDecodeFailure.missingTypeMeta,
      `no ${kind === undefined || kind === null || kind === '' ? 'kind' : 'apiVersion'} (a KubeletConfiguration file needs kind: ${KUBELET_CONFIG_KIND} and apiVersion: ${KUBELET_CONFIG_API_VERSION})`,
      format,
    );
  }
  if (kind !== KUBELET_CONFIG_KIND || apiVersion !== KUBELET_CONFIG_API_VERSION) {
    return fail(
      ConfigDecodeFailure.wrongTypeMeta,
      `kind ${JSON.stringify(kind)} apiVersion ${JSON.stringify(apiVersion)} is not ${KUBELET_CONFIG_KIND} ${KUBELET_CONFIG_API_VERSION}`,
      format,
    );
  }
  return undefined;
}

function decodeJson(bytes: Uint8Array): DecodedConfig {
  // Go's JSON decoder replaces invalid UTF-8 inside strings instead of failing; a non-fatal decode
  // does the same, and stray bytes outside strings still fail the JSON grammar below.
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return fail(ConfigDecodeFailure.parseError, `not valid JSON: ${short(String(error))}`, 'json');
  }
  return finish(value, 'json', []);
}

function decodeYaml(bytes: Uint8Array): DecodedConfig {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return fail(ConfigDecodeFailure.invalidUtf8, 'not valid UTF-8 (the YAML parser rejects it)', 'yaml');
  }
  const bad = YAML_NOT_PRINTABLE.exec(text);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).padStart(4, '0');
    return fail(ConfigDecodeFailure.parseError, `control character U+${code} (not allowed in YAML)`, 'yaml');
  }
  try {
    const docs = parseAllDocuments(text, {
      version: '1.1',
      uniqueKeys: false,
      merge: true,
      prettyErrors: false,
    });
    const doc = Array.isArray(docs) ? docs[0] : undefined;
    if (doc === undefined)
      return fail(ConfigDecodeFailure.notAMapping, 'no YAML document (the file is blank)', 'yaml');
    if (doc.errors.length > 0) {
      return fail(ConfigDecodeFailure.parseError, `not valid YAML: ${short(doc.errors[0]!.message)}`, 'yaml');
    }
    // Sets, not arrays: a file of thousands of repeated keys must stay linear.
    const duplicates = new Set<string>();
    if (isMap(doc.contents)) {
      const seen = new Set<string>();
      for (const item of doc.contents.items) {
        const key = isScalar(item.key) ? String(item.key.value) : String(item.key);
        if (seen.has(key)) duplicates.add(key);
        seen.add(key);
      }
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      if (error instanceof RangeError) throw error;
      return fail(
        ConfigDecodeFailure.excessiveAliasing,
        `YAML aliases rejected: ${short(String(error))}`,
        'yaml',
      );
    }
    return finish(value, 'yaml', [...duplicates]);
  } catch (error) {
    if (error instanceof RangeError) {
      return fail(ConfigDecodeFailure.tooDeep, 'nested too deeply to parse', 'yaml');
    }
    return fail(ConfigDecodeFailure.parseError, `not valid YAML: ${short(String(error))}`, 'yaml');
  }
}

function finish(value: unknown, format: ConfigFormat, duplicateKeys: string[]): DecodedConfig {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Map) {
    const what =
      value === null || value === undefined ? 'empty (null)' : Array.isArray(value) ? 'a list' : typeof value;
    return fail(ConfigDecodeFailure.notAMapping, `the document is ${what}, not a mapping`, format);
  }
  if (tooDeep(value, MAX_NESTING_DEPTH)) {
    return fail(ConfigDecodeFailure.tooDeep, tooDeepReason(MAX_NESTING_DEPTH), format);
  }
  const object = value as Record<string, unknown>;
  const typeMeta = checkTypeMeta(object, format);
  if (typeMeta) return typeMeta;
  return { ok: true, format, object, duplicateKeys };
}

/** Decode by content. Never throws. */
export function decodeKubeletConfig(bytes: Uint8Array): DecodedConfig {
  if (bytes.length === 0) return fail(ConfigDecodeFailure.empty, 'the file is empty');
  // IsJSONBuffer looks at the first non-space rune; a lenient decode is enough for that (a BOM is
  // kept: it is not a space, so such a file goes to the YAML parser, as in Go).
  const text = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(bytes);
  const trimmed = text.replace(GO_SPACE, '');
  const format: ConfigFormat = trimmed.startsWith('{') ? 'json' : 'yaml';
  if (measureNesting(text, MAX_NESTING_DEPTH) > MAX_NESTING_DEPTH) {
    return fail(ConfigDecodeFailure.tooDeep, tooDeepReason(MAX_NESTING_DEPTH), format);
  }
  return format === 'json' ? decodeJson(bytes) : decodeYaml(bytes);
}

/** Human name of a format for reasons. */
export function formatName(format: ConfigFormat): string {
  return format === 'json' ? 'JSON' : 'YAML';
}
