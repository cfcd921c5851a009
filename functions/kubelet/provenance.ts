/**
 * What decided the value a kubelet runs with: its default, the --config file, a --config-dir drop-in or
 * a command-line flag (the kubelet's own precedence, effective-config.ts). The controls report it with
 * each verdict and the findings and the CLI print it.
 */

/** What decided a value: the default, a config file, a drop-in, or a command-line flag. */
export type Provenance =
  | { readonly kind: 'default' }
  | { readonly kind: 'config-file'; readonly path: string }
  | { readonly kind: 'drop-in'; readonly path: string }
  | { readonly kind: 'flag'; readonly arg: string; readonly index: number };

/**
 * What decided a value, in the words the reasons use ("argument N" counts argv from 0, as
 * /proc/<pid>/cmdline does). One wording for the CLI table and the finding's `decided-by` field.
 */
export function describeProvenance(p: Provenance | undefined): string | undefined {
  if (!p) return undefined;
  switch (p.kind) {
    case 'default':
      return 'kubelet default';
    case 'config-file':
      return `config file ${p.path}`;
    case 'drop-in':
      return `drop-in ${p.path}`;
    case 'flag':
      return `command-line flag ${p.arg} (argument ${p.index})`;
  }
}
