/**
 * CIS Amazon EKS Benchmark "Ensure that the --make-iptables-util-chains argument is set to true"
 * (3.2.7 in v1.0.1–v1.2.0, 3.2.6 in v1.5.0–v1.8.0; Level 1, Worker Node). The control text and
 * remediation are taken from CIS Amazon EKS Benchmark v1.8.0, recommendation 3.2.6; the
 * per-node-type remediation follows where each EKS node type keeps its kubelet settings
 * (awslabs/amazon-eks-ami templates and nodeadm; bottlerocket-os/bottlerocket-core-kit
 * packages/kubernetes-1.31).
 */
import { KubeletSettings } from '../kubelet/kubelet-settings.ts';
import { ComplianceStatus, defineControl, RESTART_KUBELET as RESTART } from './control.ts';

export const MAKE_IPTABLES_UTIL_CHAINS_ID = 'kubelet-make-iptables-util-chains';

const SHORT =
  'Let the kubelet manage iptables: remove makeIPTablesUtilChains: false from its config (AL2 /etc/kubernetes/kubelet/kubelet-config.json; AL2023 NodeConfig spec.kubelet.config or /etc/kubernetes/kubelet/config.json.d/*.conf) and --make-iptables-util-chains=false from its flags (AL2 kubelet.service.d/10-kubelet-args.conf, 30-kubelet-extra-args.conf; AL2023 spec.kubelet.flags), or set --make-iptables-util-chains=true. Then systemctl daemon-reload; systemctl restart kubelet.';

export const makeIptablesUtilChains = defineControl({
  id: MAKE_IPTABLES_UTIL_CHAINS_ID,
  cisIds: { eks: '3.2.6', eksLegacy: '3.2.7', kubernetes: '4.2.6' },
  title: 'Kubelet manages iptables: makeIPTablesUtilChains / --make-iptables-util-chains is true',
  description:
    'Kubelets can automatically manage the required changes to iptables based on the networking options chosen for the pods. ' +
    'Letting the kubelet manage them keeps the iptables configuration in sync with the pod networking configuration; ' +
    'manually managed rules may be too restrictive or too open. The effective value is the last --make-iptables-util-chains ' +
    'flag, else the last --config-dir drop-in that sets makeIPTablesUtilChains, else the --config file, else the default (true).',
  severity: 'MEDIUM',
  severityWhy:
    'Unmanaged iptables chains let pod traffic rules drift from the pod network configuration, too open or too strict, on every pod of the node.',
  profile: 'Level 1',
  applicability: {
    // k8s pkg/kubelet/kubelet_network_others.go: no iptables utility chains outside Linux.
    notApplicable: { windows: 'Windows nodes have no iptables, and the kubelet ignores this setting there.' },
  },
  remediation: {
    short: SHORT,
    url: 'https://kubernetes.io/docs/tasks/administer-cluster/kubelet-config-file/',
    byNodeType: {
      al2:
        'Amazon Linux 2: in /etc/kubernetes/kubelet/kubelet-config.json set "makeIPTablesUtilChains": true (or remove the key; ' +
        'the default is true). Make sure /etc/systemd/system/kubelet.service.d/10-kubelet-args.conf (KUBELET_ARGS) and ' +
        '30-kubelet-extra-args.conf (KUBELET_EXTRA_ARGS, from bootstrap.sh --kubelet-extra-args) do not pass ' +
        '--make-iptables-util-chains=false, because a flag overrides the config file; or add --make-iptables-util-chains=true ' +
        `at the end of KUBELET_ARGS. Then: ${RESTART}.`,
      al2023:
        'Amazon Linux 2023 (nodeadm): in the NodeConfig user data remove makeIPTablesUtilChains: false from spec.kubelet.config ' +
        '(nodeadm writes it to /etc/kubernetes/kubelet/config.json.d/40-nodeadm.conf) and --make-iptables-util-chains=false from ' +
        'spec.kubelet.flags (nodeadm writes them to NODEADM_KUBELET_ARGS in /etc/eks/kubelet/environment); also check other ' +
        '*.conf drop-ins in /etc/kubernetes/kubelet/config.json.d/, which override /etc/kubernetes/kubelet/config.json in file-name ' +
        `order. Replace the node (or edit those files and run ${RESTART}).`,
      bottlerocket:
        'Bottlerocket renders /etc/kubernetes/kubelet/config from its settings and exposes no setting for makeIPTablesUtilChains, ' +
        'so the default (true) applies. A false value means the node was modified outside the Bottlerocket API: replace the node.',
      kubeadm:
        'kubeadm-style node: set makeIPTablesUtilChains: true in /var/lib/kubelet/config.yaml (or the file named by --config) and ' +
        'remove --make-iptables-util-chains=false from KUBELET_EXTRA_ARGS / KUBELET_KUBEADM_ARGS (/etc/default/kubelet, ' +
        `/var/lib/kubelet/kubeadm-flags.env). Then: ${RESTART}.`,
      unknown:
        'Find the kubelet command line (ps -ef | grep kubelet): if it has --make-iptables-util-chains=false, remove it or set ' +
        '--make-iptables-util-chains=true; otherwise set makeIPTablesUtilChains: true in the file named by --config and in any ' +
        `*.conf drop-in under --config-dir. Then: ${RESTART}.`,
    },
  },
  settings: { makeIPTablesUtilChains: KubeletSettings.makeIPTablesUtilChains },
  evaluate({ settings }) {
    return settings.makeIPTablesUtilChains.value === true
      ? {
          status: ComplianceStatus.PASSED,
          reason: 'The kubelet manages iptables utility chains',
          decidedBy: 'makeIPTablesUtilChains',
        }
      : {
          status: ComplianceStatus.FAILED,
          reason: 'The kubelet does NOT manage iptables utility chains',
          decidedBy: 'makeIPTablesUtilChains',
        };
  },
});
