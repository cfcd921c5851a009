/**
 * What each control says of a Windows node, written out independently of the controls' data: its own
 * not-applicable reason where it has one, the catalog's "not assessed" otherwise.
 */
const ACL = 'Windows nodes protect files with ACLs, not POSIX permission bits.';
const SID = 'Windows nodes own files by security identifiers and ACLs, not uid and gid.';
const OWN: Readonly<Record<string, string>> = {
  'kubeconfig-file-permissions': ACL,
  'kubeconfig-file-ownership': SID,
  'kubelet-config-file-permissions': ACL,
  'kubelet-config-file-ownership': SID,
  'kubelet-make-iptables-util-chains':
    'Windows nodes have no iptables, and the kubelet ignores this setting there.',
};

export function expectedWindowsReason(controlId: string): string {
  const own = OWN[controlId];
  return own === undefined
    ? 'Windows node: the collector runs only on Linux nodes, so this kubelet setting was not assessed'
    : `Not applicable: ${own}`;
}
