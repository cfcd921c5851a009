/**
 * Go's strconv.ParseBool (src/strconv/atob.go), which pflag's boolValue.Set calls for `--flag=v`
 * (spf13/pflag bool.go). Exactly these twelve spellings parse; anything else ("yes", "on", "tRUE",
 * "", " true") is an error, and the kubelet refuses to start on a flag parse error.
 */
const GO_TRUE: ReadonlySet<string> = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const GO_FALSE: ReadonlySet<string> = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** The parsed value, or undefined when Go would return a syntax error. */
export function parseGoBool(text: string): boolean | undefined {
  if (GO_TRUE.has(text)) return true;
  if (GO_FALSE.has(text)) return false;
  return undefined;
}
