/**
 * CIS Amazon EKS Benchmark "Ensure that the kubelet kubeconfig file ownership is set to root:root"
 * (3.1.2 in v1.0.1–v1.2.0 and v1.5.0–v1.8.0; CIS Kubernetes Benchmark 4.1.6; Level 1, Worker Node).
 * Owner and group are compared as numbers (uid 0, gid 0): names differ between images, ids do not.
 * A symbolic link is judged by its target, which is what the kubelet opens.
 */
import { defineFileControl } from './control.ts';
import { judgeOwnership } from './file-rules.ts';

export const KUBECONFIG_FILE_OWNERSHIP_ID = 'kubeconfig-file-ownership';

const SHORT =
  'Give the kubelet kubeconfig to root: chown root:root the file named by the kubelet --kubeconfig flag (AL2/AL2023 /var/lib/kubelet/kubeconfig; Bottlerocket /etc/kubernetes/kubelet/kubeconfig; kubeadm /etc/kubernetes/kubelet.conf). chown follows a symbolic link to the file the kubelet opens. No restart is needed.';

export const kubeconfigFileOwnership = defineFileControl({
  id: KUBECONFIG_FILE_OWNERSHIP_ID,
  cisIds: { eks: '3.1.2', eksLegacy: '3.1.2', kubernetes: '4.1.6' },
  title: 'Kubelet kubeconfig file (--kubeconfig) is owned by root:root',
  description:
    'The kubeconfig names the API server the kubelet trusts and how it authenticates. The file the running kubelet names ' +
    'with its last --kubeconfig flag, or the target of that link, must belong to uid 0 and gid 0: its owner can change ' +
    'its mode and content whatever the mode says now.',
  severity: 'HIGH',
  severityWhy:
    'A non-root owner can make the kubeconfig writable and redirect the kubelet or replace its exec credential command, run as root.',
  profile: 'Level 1',
  applicability: {
    notApplicable: {
      standalone: 'a standalone kubelet (no --kubeconfig) talks to no API server and has no kubeconfig file.',
      windows: 'Windows nodes own files by security identifiers and ACLs, not uid and gid.',
    },
  },
  remediation: {
    short: SHORT,
    url: 'https://kubernetes.io/docs/concepts/configuration/organize-cluster-access-kubeconfig/',
    byNodeType: {
      al2: 'Amazon Linux 2: chown root:root /var/lib/kubelet/kubeconfig (bootstrap.sh writes it as root).',
      al2023:
        'Amazon Linux 2023 (nodeadm): chown root:root /var/lib/kubelet/kubeconfig (nodeadm writes it as root), or replace the node.',
      bottlerocket:
        'Bottlerocket renders /etc/kubernetes/kubelet/kubeconfig as root:root; another owner means the node was changed ' +
        'outside the Bottlerocket API: replace the node.',
      kubeadm:
        'kubeadm-style node: chown root:root /etc/kubernetes/kubelet.conf (kubeadm writes it as root).',
      unknown:
        'Find the kubelet command line (ps -ef | grep kubelet) and its last --kubeconfig value; chown root:root that file ' +
        '(chown follows a symbolic link to its target), and find out who changed its owner.',
    },
  },
  files: 'kubeconfig',
  evaluate: ({ files }) => judgeOwnership(files),
});
