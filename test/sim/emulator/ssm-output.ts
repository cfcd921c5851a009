/**
 * How SSM shapes a command's output, reproduced byte for byte from the SSM agent (aws/amazon-ssm-agent
 * agent/framework/processor/executer/iohandler/iohandler.go):
 * - ListCommandInvocations(Details) `CommandPlugins[].Output`: stdout and stderr joined and cut to
 *   2,500 bytes by the agent's `TruncateOutput` (ssm-agent iohandler.go), with
 *   "\n---Output truncated---" / "\n---Error truncated----" markers.
 * - GetCommandInvocation `StandardOutputContent` (24,000) / `StandardErrorContent` (8,000): the
 *   agent's `StringPrefix`, i.e. the first max-len(suffix) bytes + "--output truncated--".
 * Lengths are Go `len()`, i.e. bytes: multi-byte UTF-8 can be cut mid-character, as on AWS.
 */
export const PLUGIN_OUTPUT_CAPACITY = 2500;
export const STDOUT_CONTENT_MAX = 24_000;
export const STDERR_CONTENT_MAX = 8000;
export const ERROR_TITLE = '\n----------ERROR-------\n';
export const TRUNCATE_OUT = '\n---Output truncated---';
export const TRUNCATE_ERROR = '\n---Error truncated----';
export const CONTENT_TRUNCATED_SUFFIX = '--output truncated--';

const bytes = (s: string) => Buffer.from(s, 'utf8');
const cut = (b: Buffer, n: number) => b.subarray(0, Math.max(0, n)).toString('utf8');

/** ssm-agent `TruncateOutput(stdout, stderr, capacity)`. */
export function truncatePluginOutput(
  stdout: string,
  stderr: string,
  capacity = PLUGIN_OUTPUT_CAPACITY,
): string {
  const out = bytes(stdout);
  const err = bytes(stderr);
  const errorTitle = err.length > 0 ? ERROR_TITLE : '';
  const available = capacity - errorTitle.length;
  if (out.length + err.length < available) return stdout + errorTitle + stderr;
  if (out.length > available / 2 && err.length > available / 2) {
    const size = available - TRUNCATE_ERROR.length - TRUNCATE_OUT.length;
    const half = Math.trunc(size / 2);
    return cut(out, half) + TRUNCATE_OUT + errorTitle + cut(err, half) + TRUNCATE_ERROR;
  }
  if (out.length < available / 2) {
    const size = available - TRUNCATE_ERROR.length;
    return stdout + errorTitle + cut(err, size - out.length) + TRUNCATE_ERROR;
  }
  const size = available - TRUNCATE_OUT.length;
  return cut(out, size - err.length) + TRUNCATE_OUT + errorTitle + stderr;
}

/** ssm-agent `pluginutil.StringPrefix(input, max, suffix)`. */
export function contentPrefix(input: string, max: number): string {
  const b = bytes(input);
  if (b.length <= max) return input;
  return cut(b, max - CONTENT_TRUNCATED_SUFFIX.length) + CONTENT_TRUNCATED_SUFFIX;
}

/**
 * What a Windows node's agent reports for a Linux-only schema 2.2 step: the step is skipped, and a
 * skip is a form of success (aws/amazon-ssm-agent agent/framework/runpluginutil/runpluginutil.go,
 * agent/contracts/aggregator.go).
 */
export function preconditionSkipOutput(stepName: string, platform: string): string {
  return `Step execution skipped due to unsatisfied preconditions: '"StringEquals": [platformType, ${platform}]'. Step name: ${stepName}`;
}
