/**
 * CIS Amazon EKS Benchmark "Ensure that the RotateKubeletServerCertificate argument is set to true"
 * (3.2.9 in v1.5.0–v1.8.0, 3.2.11 in v1.0.1–v1.2.0; CIS Kubernetes Benchmark 4.2.11). The CIS text
 * names a --rotate-kubelet-server-certificate flag that does not exist: the setting is the feature
 * gate, featureGates.RotateKubeletServerCertificate in the config or --feature-gates on the command
 * line (merged per gate, the command line winning: server.go kubeletConfigFlagPrecedence).
 *
 * pkg/features/kube_features.go: Beta, default true since 1.12, and not locked (no LockToDefault) in
 * any version through 1.35, so false is a value the kubelet accepts. The gate only allows rotation;
 * serverTLSBootstrap (--rotate-server-certificates) makes the kubelet request its serving certificate
 * from the API server, so the reason states it too. validation.go refuses serverTLSBootstrap: true
 * with the gate off ("serverTLSBootstrap true requires feature gate RotateKubeletServerCertificate"),
 * so that pair is WARNING: a running kubelet cannot have it, like every value the kubelet refuses.
 * A gate name this scanner does not know needs no check: SetFromMap refuses unknown gates when the
 * kubelet starts, so a running kubelet knew every gate it was given. kube-bench (cfg/eks-1.8.0 and
 * cfg/eks-1.0.1 node.yaml, 3.2.9 / 3.2.11) fails a node where the gate is set nowhere; the kubelet runs
 * with the gate's default (true) there, and the effective value is what is judged here.
 */
import { KubeletSettings } from '../kubelet/kubelet-settings.ts';
import { showValue } from '../kubelet/setting-types.ts';
import { ComplianceStatus, defineControl, RESTART_KUBELET as RESTART } from './control.ts';

export const ROTATE_SERVER_CERTIFICATES_ID = 'kubelet-rotate-server-certificates';

const SHORT =
  "Keep the RotateKubeletServerCertificate feature gate on: remove RotateKubeletServerCertificate=false from the kubelet's --feature-gates flags and from featureGates in its config (AL2 /etc/kubernetes/kubelet/kubelet-config.json; AL2023 NodeConfig spec.kubelet.config) and keep serverTLSBootstrap: true so the kubelet requests and rotates its serving certificate. Then systemctl daemon-reload; systemctl restart kubelet.";

export const rotateServerCertificates = defineControl({
  id: ROTATE_SERVER_CERTIFICATES_ID,
  cisIds: { eks: '3.2.9', eksLegacy: '3.2.11', kubernetes: '4.2.11' },
  title: 'Kubelet may rotate its serving certificate: feature gate RotateKubeletServerCertificate is true',
  description:
    'The RotateKubeletServerCertificate feature gate lets the kubelet request its serving certificate (port 10250) from the API ' +
    'server and renew it before it expires; with serverTLSBootstrap the kubelet does so, otherwise it serves a self-signed or ' +
    'file-provided certificate. The effective gate is the last --feature-gates pair that names it, else the --config-dir drop-ins ' +
    'merged over the --config file (featureGates, key by key), else the default (true).',
  severity: 'MEDIUM',
  severityWhy:
    'Without it the kubelet keeps a self-signed or long-lived serving certificate, so the API server cannot verify the kubelet it sends exec, logs and port-forward to.',
  profile: 'Level 1',
  applicability: { notApplicable: {} },
  remediation: {
    short: SHORT,
    url: 'https://kubernetes.io/docs/reference/access-authn-authz/kubelet-tls-bootstrapping/#certificate-rotation',
    byNodeType: {
      al2:
        'Amazon Linux 2: the EKS AMI writes "featureGates": {"RotateKubeletServerCertificate": true} and "serverTLSBootstrap": true ' +
        'to /etc/kubernetes/kubelet/kubelet-config.json. Restore them, and make sure 10-kubelet-args.conf (KUBELET_ARGS) and ' +
        '30-kubelet-extra-args.conf (KUBELET_EXTRA_ARGS) pass no --feature-gates=RotateKubeletServerCertificate=false, because ' +
        `the flag's pair overrides the config file's gate. Then: ${RESTART}.`,
      al2023:
        'Amazon Linux 2023 (nodeadm): nodeadm writes featureGates.RotateKubeletServerCertificate: true and serverTLSBootstrap: true ' +
        'to /etc/kubernetes/kubelet/config.json. Remove RotateKubeletServerCertificate: false from the NodeConfig ' +
        'spec.kubelet.config featureGates and from --feature-gates in spec.kubelet.flags, and check other *.conf drop-ins in ' +
        `/etc/kubernetes/kubelet/config.json.d/. Replace the node (or edit those files and run ${RESTART}).`,
      bottlerocket:
        'Bottlerocket does not set the gate (default true) and renders serverTLSBootstrap from settings.kubernetes.server-tls-bootstrap ' +
        '(true on aws variants). A false gate means the node was modified outside the Bottlerocket API: replace the node.',
      kubeadm:
        'kubeadm-style node: remove RotateKubeletServerCertificate: false from featureGates in /var/lib/kubelet/config.yaml and from ' +
        '--feature-gates in KUBELET_EXTRA_ARGS / KUBELET_KUBEADM_ARGS (/etc/default/kubelet, /var/lib/kubelet/kubeadm-flags.env); ' +
        `set serverTLSBootstrap: true and approve the kubelet-serving CSRs. Then: ${RESTART}.`,
      unknown:
        'Find the kubelet command line (ps -ef | grep kubelet): remove RotateKubeletServerCertificate=false from --feature-gates and ' +
        'from featureGates in the file named by --config and any *.conf drop-in under --config-dir, and set serverTLSBootstrap: true. ' +
        `Then: ${RESTART}.`,
    },
  },
  settings: {
    rotateKubeletServerCertificate: KubeletSettings.rotateKubeletServerCertificateGate,
    serverTLSBootstrap: KubeletSettings.serverTLSBootstrap,
  },
  evaluate({ settings }) {
    const gate = settings.rotateKubeletServerCertificate.value;
    const bootstrap = settings.serverTLSBootstrap;
    const tls = `serverTLSBootstrap is ${showValue(bootstrap.value)} (${bootstrap.decidedByText ?? 'unknown source'})`;
    const evidence = { serverTLSBootstrap: showValue(bootstrap.value) };
    if (gate === true) {
      return {
        status: ComplianceStatus.PASSED,
        reason:
          bootstrap.value === true
            ? `The kubelet requests its serving certificate from the API server and rotates it: the RotateKubeletServerCertificate feature gate is on and ${tls}`
            : `The RotateKubeletServerCertificate feature gate is on, but ${tls}, so the kubelet serves a self-signed or file-provided certificate and rotates nothing (CIS 3.2.9 judges the gate only)`,
        decidedBy: 'rotateKubeletServerCertificate',
        evidence,
      };
    }
    if (bootstrap.value === true) {
      return {
        status: ComplianceStatus.WARNING,
        reason: `The RotateKubeletServerCertificate feature gate is off while ${tls}: the kubelet refuses that configuration (validation.go: serverTLSBootstrap requires the gate), so a running kubelet cannot have it and was started from other settings`,
        decidedBy: 'rotateKubeletServerCertificate',
        evidence: { ...evidence, problem: 'refused-combination' },
      };
    }
    return {
      status: ComplianceStatus.FAILED,
      reason: `The kubelet CANNOT rotate its serving certificate: the RotateKubeletServerCertificate feature gate is OFF and ${tls}`,
      decidedBy: 'rotateKubeletServerCertificate',
      evidence,
    };
  },
});
