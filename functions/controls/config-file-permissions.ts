/**
 * CIS Amazon EKS Benchmark "Ensure that the kubelet configuration file has permissions set to 644 or
 * more restrictive" (3.1.3 in v1.0.1–v1.2.0 and v1.5.0–v1.8.0; CIS Kubernetes Benchmark 4.1.9; Level 1,
 * Worker Node). Judged: the file of the running kubelet's last --config AND every *.conf drop-in it
 * reads from its last --config-dir (k8s cmd/kubelet/app/server.go mergeKubeletConfigurations), since a
 * drop-in carries the same settings and overrides the file. Symbolic links are judged by their target.
 */
import { defineFileControl } from './control.ts';
import { judgePermissions } from './file-rules.ts';

export const CONFIG_FILE_PERMISSIONS_ID = 'kubelet-config-file-permissions';

const SHORT =
  'Make the kubelet config files writable by root only: chmod 644 (or 600) the file named by --config (AL2 /etc/kubernetes/kubelet/kubelet-config.json; AL2023 /etc/kubernetes/kubelet/config.json; kubeadm /var/lib/kubelet/config.yaml) and every *.conf drop-in under --config-dir (AL2023 /etc/kubernetes/kubelet/config.json.d/). chmod follows symbolic links. No restart is needed.';

export const configFilePermissions = defineFileControl({
  id: CONFIG_FILE_PERMISSIONS_ID,
  cisIds: { eks: '3.1.3', eksLegacy: '3.1.3', kubernetes: '4.1.9' },
  title: 'Kubelet config file (--config) and its *.conf drop-ins have permissions 644 or more restrictive',
  description:
    'The kubelet reads its security settings (authentication, authorization, read-only port) from the --config file and ' +
    'the *.conf drop-ins of --config-dir, which override it. Each file the running kubelet reads, or the target of a link ' +
    'there, must have no permission bit outside 0644 and no setuid, setgid or sticky bit.',
  severity: 'HIGH',
  severityWhy:
    'Whoever can write a kubelet config file can turn on anonymous access and AlwaysAllow, or add a static pod path: command execution on the node at the next kubelet start.',
  profile: 'Level 1',
  applicability: {
    notApplicable: { windows: 'Windows nodes protect files with ACLs, not POSIX permission bits.' },
  },
  // Bottlerocket's check 4.1.9 demands 600, stricter than our 644: a FAIL is judged again on the mode
  // bloodhound prints.
  bottlerocket: {
    reading: 'file-mode',
    allowedMode: 0o644,
    note: 'Bottlerocket starts the kubelet without --config-dir, so /etc/kubernetes/kubelet/config is its only configuration file.',
  },
  remediation: {
    short: SHORT,
    url: 'https://kubernetes.io/docs/tasks/administer-cluster/kubelet-config-file/',
    byNodeType: {
      al2: 'Amazon Linux 2: chmod 644 /etc/kubernetes/kubelet/kubelet-config.json (and any --config-dir drop-in the node was given).',
      al2023:
        'Amazon Linux 2023 (nodeadm): chmod 644 /etc/kubernetes/kubelet/config.json and every /etc/kubernetes/kubelet/config.json.d/*.conf ' +
        '(nodeadm writes them 0644); a drop-in written by other tooling must be written with mode 0644 or stricter. Or replace the node.',
      bottlerocket:
        'Bottlerocket renders /etc/kubernetes/kubelet/config with mode 0600; any other mode means the node was changed ' +
        'outside the Bottlerocket API: replace the node.',
      kubeadm:
        'kubeadm-style node: chmod 644 /var/lib/kubelet/config.yaml (or 600) and every *.conf under the --config-dir, if any.',
      unknown:
        'Find the kubelet command line (ps -ef | grep kubelet): chmod 644 (or 600) the file named by its last --config and every ' +
        '*.conf file under its last --config-dir, including subdirectories (chmod follows symbolic links).',
    },
  },
  files: 'kubelet-config',
  evaluate: ({ files }) => judgePermissions(files),
});
