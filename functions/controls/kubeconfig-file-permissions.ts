/**
 * CIS Amazon EKS Benchmark "Ensure that the kubeconfig file permissions are set to 644 or more
 * restrictive" (3.1.1 in v1.0.1–v1.2.0 and v1.5.0–v1.8.0; CIS Kubernetes Benchmark 4.1.5; Level 1,
 * Worker Node). The file is the one the running kubelet's last --kubeconfig names; a symbolic link is
 * judged by its target, which is what the kubelet opens. A setuid/setgid/sticky bit fails too: the
 * benchmark's audit (`stat -c %a`) shows them, and they are not "644 or more restrictive".
 */
import { defineFileControl } from './control.ts';
import { judgePermissions } from './file-rules.ts';

export const KUBECONFIG_FILE_PERMISSIONS_ID = 'kubeconfig-file-permissions';

const SHORT =
  'Make the kubelet kubeconfig writable by root only: chmod 644 (or 600) the file named by the kubelet --kubeconfig flag (AL2/AL2023 /var/lib/kubelet/kubeconfig; Bottlerocket /etc/kubernetes/kubelet/kubeconfig; kubeadm /etc/kubernetes/kubelet.conf). chmod follows a symbolic link to the file the kubelet opens. No restart is needed.';

const NO_SYSTEMD = 'The kubelet reads the file at start; the mode change needs no restart.';

export const kubeconfigFilePermissions = defineFileControl({
  id: KUBECONFIG_FILE_PERMISSIONS_ID,
  cisIds: { eks: '3.1.1', eksLegacy: '3.1.1', kubernetes: '4.1.5' },
  title: 'Kubelet kubeconfig file (--kubeconfig) has permissions 644 or more restrictive',
  description:
    'The kubeconfig names the API server the kubelet trusts and how it authenticates (client certificate, or on EKS an ' +
    'exec credential command run as root). The file the running kubelet names with its last --kubeconfig flag, or the ' +
    'target of that link, must have no permission bit outside 0644 and no setuid, setgid or sticky bit.',
  severity: 'HIGH',
  severityWhy:
    'Whoever can write the kubeconfig can point the kubelet at another API server or replace its exec credential command, which the kubelet runs as root.',
  profile: 'Level 1',
  applicability: {
    notApplicable: {
      standalone: 'a standalone kubelet (no --kubeconfig) talks to no API server and has no kubeconfig file.',
      windows: 'Windows nodes protect files with ACLs, not POSIX permission bits.',
    },
  },
  // Bottlerocket's check 4.1.5 asks for 644 or, in later releases, 600: the mode bloodhound prints is
  // judged again by our 644 rule (bottlerocket-file-mode.ts).
  bottlerocket: { reading: 'file-mode', allowedMode: 0o644 },
  remediation: {
    short: SHORT,
    url: 'https://kubernetes.io/docs/concepts/configuration/organize-cluster-access-kubeconfig/',
    byNodeType: {
      al2: `Amazon Linux 2: chmod 644 /var/lib/kubelet/kubeconfig (bootstrap.sh writes it 0644; 600 is stricter). ${NO_SYSTEMD}`,
      al2023: `Amazon Linux 2023 (nodeadm): chmod 644 /var/lib/kubelet/kubeconfig (nodeadm writes it 0644), or replace the node. ${NO_SYSTEMD}`,
      bottlerocket:
        'Bottlerocket renders /etc/kubernetes/kubelet/kubeconfig with mode 0600; any other mode means the node was changed ' +
        'outside the Bottlerocket API: replace the node.',
      kubeadm: `kubeadm-style node: chmod 600 /etc/kubernetes/kubelet.conf (kubeadm writes it 0600). ${NO_SYSTEMD}`,
      unknown:
        'Find the kubelet command line (ps -ef | grep kubelet) and its last --kubeconfig value; chmod 644 (or 600) that file, ' +
        `or the file a symbolic link there points to (chmod follows links). ${NO_SYSTEMD}`,
    },
  },
  files: 'kubeconfig',
  evaluate: ({ files }) => judgePermissions(files),
});
