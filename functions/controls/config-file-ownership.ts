/**
 * CIS Amazon EKS Benchmark "Ensure that the kubelet configuration file ownership is set to root:root"
 * (3.1.4 in v1.0.1–v1.2.0 and v1.5.0–v1.8.0; CIS Kubernetes Benchmark 4.1.10; Level 1, Worker Node).
 * Judged: the --config file and every *.conf drop-in the running kubelet reads (see
 * config-file-permissions.ts), owner and group as numbers, symbolic links by their target.
 */
import { defineFileControl } from './control.ts';
import { judgeOwnership } from './file-rules.ts';

export const CONFIG_FILE_OWNERSHIP_ID = 'kubelet-config-file-ownership';

const SHORT =
  'Give the kubelet config files to root: chown root:root the file named by --config (AL2 /etc/kubernetes/kubelet/kubelet-config.json; AL2023 /etc/kubernetes/kubelet/config.json; kubeadm /var/lib/kubelet/config.yaml) and every *.conf drop-in under --config-dir (AL2023 /etc/kubernetes/kubelet/config.json.d/). chown follows symbolic links. No restart is needed.';

export const configFileOwnership = defineFileControl({
  id: CONFIG_FILE_OWNERSHIP_ID,
  cisIds: { eks: '3.1.4', eksLegacy: '3.1.4', kubernetes: '4.1.10' },
  title: 'Kubelet config file (--config) and its *.conf drop-ins are owned by root:root',
  description:
    'The kubelet reads its security settings from the --config file and the *.conf drop-ins of --config-dir, which override ' +
    'it. Each file the running kubelet reads, or the target of a link there, must belong to uid 0 and gid 0: its owner ' +
    'can change its mode and content whatever the mode says now.',
  severity: 'HIGH',
  severityWhy:
    'A non-root owner can make a kubelet config file writable and turn off kubelet authentication or add a static pod path at the next kubelet start.',
  profile: 'Level 1',
  applicability: {
    notApplicable: { windows: 'Windows nodes own files by security identifiers and ACLs, not uid and gid.' },
  },
  bottlerocket: {
    note: 'Bottlerocket starts the kubelet without --config-dir, so /etc/kubernetes/kubelet/config is its only configuration file.',
  },
  remediation: {
    short: SHORT,
    url: 'https://kubernetes.io/docs/tasks/administer-cluster/kubelet-config-file/',
    byNodeType: {
      al2: 'Amazon Linux 2: chown root:root /etc/kubernetes/kubelet/kubelet-config.json (and any --config-dir drop-in the node was given).',
      al2023:
        'Amazon Linux 2023 (nodeadm): chown root:root /etc/kubernetes/kubelet/config.json and every ' +
        '/etc/kubernetes/kubelet/config.json.d/*.conf (nodeadm writes them as root), or replace the node.',
      bottlerocket:
        'Bottlerocket renders /etc/kubernetes/kubelet/config as root:root; another owner means the node was changed outside ' +
        'the Bottlerocket API: replace the node.',
      kubeadm:
        'kubeadm-style node: chown root:root /var/lib/kubelet/config.yaml and every *.conf under the --config-dir, if any.',
      unknown:
        'Find the kubelet command line (ps -ef | grep kubelet): chown root:root the file named by its last --config and every ' +
        '*.conf file under its last --config-dir (chown follows symbolic links), and find out who changed their owner.',
    },
  },
  files: 'kubelet-config',
  evaluate: ({ files }) => judgeOwnership(files),
});
