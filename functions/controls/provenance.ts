import type { Provenance } from './control.ts';

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
