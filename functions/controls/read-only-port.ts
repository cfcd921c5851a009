/**
 * CIS Amazon EKS Benchmark "Ensure that the --read-only-port is disabled" (3.2.4 in v1.0.1–v1.2.0 and
 * v1.5.0–v1.8.0; CIS Kubernetes Benchmark 4.2.4; Level 1, Worker Node). The v1beta1 config has no
 * default for readOnlyPort (0, off), while a kubelet without --config starts from the flag default
 * 10255 (options.go applyLegacyDefaults, ports.KubeletReadOnlyPort), even under --config-dir drop-ins.
 * A port outside 0–65535 fails the kubelet's validation (validation.go): WARNING through the
 * setting's own validation (kubelet-settings.ts), never a verdict.
 * The v1.0.1–v1.2.0 number is the one kube-bench cfg/eks-1.0.1/node.yaml gives.
 */
import { KubeletSettings } from '../kubelet/kubelet-settings.ts';
import { ComplianceStatus, defineControl, RESTART_KUBELET as RESTART } from './control.ts';

export const READ_ONLY_PORT_ID = 'kubelet-read-only-port';

const SHORT =
  'Close the kubelet read-only port: set readOnlyPort: 0 in its config (AL2 /etc/kubernetes/kubelet/kubelet-config.json; AL2023 NodeConfig spec.kubelet.config or /etc/kubernetes/kubelet/config.json.d/*.conf) and remove --read-only-port=<port> from its flags, or pass --read-only-port=0. A kubelet run without --config listens on 10255. Then systemctl daemon-reload; systemctl restart kubelet.';

export const readOnlyPort = defineControl({
  id: READ_ONLY_PORT_ID,
  cisIds: { eks: '3.2.4', eksLegacy: '3.2.4', kubernetes: '4.2.4' },
  title: 'Kubelet read-only port is closed: readOnlyPort / --read-only-port is 0',
  description:
    'The read-only port serves the kubelet API without authentication or authorization: pod specs (with their ' +
    'environment variables), node and pod metrics, to anyone who can reach the node. The effective value is the last ' +
    '--read-only-port flag, else the --config-dir drop-ins merged over the --config file, else the default: 0 (closed) ' +
    'with a --config file, 10255 without one.',
  severity: 'MEDIUM',
  severityWhy:
    'An open read-only port discloses every pod spec and metrics on the node to any network peer, without credentials, but allows no changes.',
  profile: 'Level 1',
  applicability: { notApplicable: {} },
  remediation: {
    short: SHORT,
    url: 'https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/',
    byNodeType: {
      al2:
        'Amazon Linux 2: in /etc/kubernetes/kubelet/kubelet-config.json set "readOnlyPort": 0 (the EKS AMI writes it so). Make ' +
        'sure 10-kubelet-args.conf (KUBELET_ARGS) and 30-kubelet-extra-args.conf (KUBELET_EXTRA_ARGS, from bootstrap.sh ' +
        `--kubelet-extra-args) do not pass --read-only-port, because a flag overrides the config file. Then: ${RESTART}.`,
      al2023:
        'Amazon Linux 2023 (nodeadm): nodeadm writes readOnlyPort: 0 to /etc/kubernetes/kubelet/config.json. Remove ' +
        'readOnlyPort from the NodeConfig spec.kubelet.config (written to config.json.d/40-nodeadm.conf) and ' +
        '--read-only-port from spec.kubelet.flags, and check other *.conf drop-ins in /etc/kubernetes/kubelet/config.json.d/, ' +
        `which override config.json in file-name order. Replace the node (or edit those files and run ${RESTART}).`,
      bottlerocket:
        'Bottlerocket renders readOnlyPort: 0 in /etc/kubernetes/kubelet/config and exposes no setting for it. Another value ' +
        'means the node was modified outside the Bottlerocket API: replace the node.',
      kubeadm:
        'kubeadm-style node: set readOnlyPort: 0 in /var/lib/kubelet/config.yaml (or the file named by --config) and remove ' +
        '--read-only-port from KUBELET_EXTRA_ARGS / KUBELET_KUBEADM_ARGS (/etc/default/kubelet, ' +
        `/var/lib/kubelet/kubeadm-flags.env). Then: ${RESTART}.`,
      unknown:
        'Find the kubelet command line (ps -ef | grep kubelet): pass --read-only-port=0, or give it a --config file (a kubelet ' +
        'without --config listens on 10255) and set readOnlyPort: 0 there and in any *.conf drop-in under --config-dir. ' +
        `Then: ${RESTART}.`,
    },
  },
  settings: { readOnlyPort: KubeletSettings.readOnlyPort },
  evaluate({ settings }) {
    const port = settings.readOnlyPort.value;
    return port === 0
      ? {
          status: ComplianceStatus.PASSED,
          reason: 'The kubelet read-only port is closed (0)',
          decidedBy: 'readOnlyPort',
        }
      : {
          status: ComplianceStatus.FAILED,
          reason: `The kubelet serves its unauthenticated read-only API on port ${String(port)}`,
          decidedBy: 'readOnlyPort',
        };
  },
});
