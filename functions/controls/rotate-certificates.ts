/**
 * CIS Amazon EKS Benchmark "Ensure that the --rotate-certificates argument is not present or is set
 * to true" (3.2.8 in v1.5.0–v1.8.0; 3.2.10 "is not set to false" in v1.0.1–v1.2.0, kube-bench
 * cfg/eks-1.0.1/node.yaml; CIS Kubernetes Benchmark 4.2.10). The
 * CIS text names "--RotateCertificate"; the kubelet's flag is --rotate-certificates and its config key
 * rotateCertificates (options.go AddKubeletConfigFlags; a plain bool in v1beta1 that defaults.go leaves
 * false, and applyLegacyDefaults does not touch it, so a kubelet without --config has false too).
 *
 * Why "set nowhere" passes although the kubelet then runs with false: the benchmark's own pass
 * condition is "not present or set to true" (kube-bench cfg/eks-1.8.0/node.yaml tests `set: false`
 * OR `eq true`), because the setting only matters to a kubelet that authenticates to the API server
 * with a client certificate, and EKS node kubeconfigs authenticate with an IAM token from an exec
 * credential plugin instead (Bottlerocket's cis-k8s report marks 4.2.10 manual for that reason). What
 * an auditor must not accept is someone turning rotation off explicitly: that is FAILED wherever it
 * decides (flag, drop-in or --config file). The verdict therefore needs the provenance of the
 * effective value, not only the value.
 */
import { KubeletSettings } from '../kubelet/kubelet-settings.ts';
import { ComplianceStatus, defineControl, RESTART_KUBELET as RESTART } from './control.ts';

export const ROTATE_CERTIFICATES_ID = 'kubelet-rotate-certificates';

const SHORT =
  'Do not turn off kubelet client certificate rotation: remove rotateCertificates: false from the kubelet config (AL2 /etc/kubernetes/kubelet/kubelet-config.json; AL2023 NodeConfig spec.kubelet.config or /etc/kubernetes/kubelet/config.json.d/*.conf) and --rotate-certificates=false from its flags, or set it to true. Then systemctl daemon-reload; systemctl restart kubelet.';

export const rotateCertificates = defineControl({
  id: ROTATE_CERTIFICATES_ID,
  cisIds: { eks: '3.2.8', eksLegacy: '3.2.10', kubernetes: '4.2.10' },
  title:
    'Kubelet client certificate rotation is not turned off: rotateCertificates / --rotate-certificates is unset or true',
  description:
    'With rotateCertificates the kubelet renews its client certificate from the API server before it expires. CIS passes a node ' +
    'where it is not set at all (EKS kubelets authenticate with IAM tokens) or is true, and fails one that sets it to false. The ' +
    'effective value is the last --rotate-certificates flag, else the drop-ins over the --config file, else the default (false, ' +
    'which counts as not set).',
  severity: 'LOW',
  severityWhy:
    'It only affects a kubelet that authenticates with a client certificate (EKS kubelets use IAM tokens), where the risk is an expiring or long-lived credential.',
  profile: 'Level 1',
  applicability: { notApplicable: {} },
  bottlerocket: {
    reading: 'rendered',
    why: 'Bottlerocket\'s check 4.2.10 is Manual in most releases and, where automatic, FAILs an absent rotateCertificates, which CIS passes ("not present or set to true"); Bottlerocket\'s template never writes it',
  },
  remediation: {
    short: SHORT,
    url: 'https://kubernetes.io/docs/reference/access-authn-authz/kubelet-tls-bootstrapping/#certificate-rotation',
    byNodeType: {
      al2:
        'Amazon Linux 2: the EKS AMI does not set rotateCertificates. Remove "rotateCertificates": false from ' +
        '/etc/kubernetes/kubelet/kubelet-config.json (or set it to true) and make sure 10-kubelet-args.conf (KUBELET_ARGS) and ' +
        '30-kubelet-extra-args.conf (KUBELET_EXTRA_ARGS, from bootstrap.sh --kubelet-extra-args) do not pass ' +
        `--rotate-certificates=false, because a flag overrides the config file. Then: ${RESTART}.`,
      al2023:
        'Amazon Linux 2023 (nodeadm): nodeadm does not set rotateCertificates. Remove rotateCertificates: false from the NodeConfig ' +
        'spec.kubelet.config (written to /etc/kubernetes/kubelet/config.json.d/40-nodeadm.conf) and --rotate-certificates=false from ' +
        'spec.kubelet.flags, and check other *.conf drop-ins in /etc/kubernetes/kubelet/config.json.d/. Replace the node (or edit ' +
        `those files and run ${RESTART}).`,
      bottlerocket:
        'Bottlerocket renders /etc/kubernetes/kubelet/config from its settings and does not write rotateCertificates: false. A false ' +
        'value means the node was modified outside the Bottlerocket API: replace the node.',
      kubeadm:
        'kubeadm-style node: kubeadm writes rotateCertificates: true to /var/lib/kubelet/config.yaml. Restore it (or remove the key) ' +
        'and remove --rotate-certificates=false from KUBELET_EXTRA_ARGS / KUBELET_KUBEADM_ARGS (/etc/default/kubelet, ' +
        `/var/lib/kubelet/kubeadm-flags.env). Then: ${RESTART}.`,
      unknown:
        'Find the kubelet command line (ps -ef | grep kubelet): remove --rotate-certificates=false (or pass =true), and remove ' +
        'rotateCertificates: false from the file named by --config and from any *.conf drop-in under --config-dir. ' +
        `Then: ${RESTART}.`,
    },
  },
  settings: { rotateCertificates: KubeletSettings.rotateCertificates },
  evaluate({ settings }) {
    const setting = settings.rotateCertificates;
    if (setting.value === true) {
      return {
        status: ComplianceStatus.PASSED,
        reason: 'The kubelet rotates its client certificate (rotateCertificates is true)',
        decidedBy: 'rotateCertificates',
        evidence: { rotateCertificatesSet: 'true' },
      };
    }
    if (setting.decidedBy?.kind === 'default') {
      return {
        status: ComplianceStatus.PASSED,
        reason:
          'rotateCertificates is not set, which CIS accepts ("not present or set to true"): the kubelet runs with its default, ' +
          'false, and rotates no client certificate, which matters only to a kubelet that authenticates with one (EKS kubelets ' +
          'use an IAM token)',
        decidedBy: 'rotateCertificates',
        evidence: { rotateCertificatesSet: 'no' },
      };
    }
    return {
      status: ComplianceStatus.FAILED,
      reason: 'Client certificate rotation is turned OFF (rotateCertificates is false)',
      decidedBy: 'rotateCertificates',
      evidence: { rotateCertificatesSet: 'false' },
    };
  },
});
