/**
 * CIS Amazon EKS Benchmark "Ensure that the --streaming-connection-idle-timeout argument is not set
 * to 0" (3.2.5 in v1.0.1–v1.2.0 and v1.5.0–v1.8.0; CIS Kubernetes Benchmark 4.2.5; Level 1, Worker
 * Node). The default is 4h (defaults.go), and a zero in a config file is re-defaulted to 4h when it is
 * loaded (`if obj.StreamingConnectionIdleTimeout == zeroDuration`), so only a flag `=0`, or a drop-in
 * zero on kubelets up to 1.31 (merged without re-defaulting), leaves it at 0.
 *
 * From kubelet 1.34 the field is documented "Deprecated: no longer has any effect" (kubernetes/kubelet
 * c3d7806, config/v1beta1/types.go; kubernetes/kubernetes#131992: the code that used it moved to the
 * CRI runtime's streaming server, e.g. containerd's stream_idle_timeout). Older kubelets document it
 * as in effect, so only from 1.34 does the reason say otherwise. The verdict still follows the value,
 * on purpose: CIS EKS v1.8.0 audits
 * the configured value and does not exempt newer kubelets, auditors compare our finding with the
 * benchmark text and with other scanners reading the same configuration, and NOT_AVAILABLE would hide
 * a configuration the benchmark calls non-compliant. The reason says that the setting has no effect
 * there, so an engineer can rank the finding accordingly.
 * The v1.0.1–v1.2.0 number is the one kube-bench cfg/eks-1.0.1/node.yaml gives.
 */

import { KubeletSettings } from '../kubelet/kubelet-settings.ts';
import { isAtLeast } from '../kubelet/kubelet-version.ts';
import {
  ComplianceStatus,
  type ControlContext,
  defineControl,
  RESTART_KUBELET as RESTART,
} from './control.ts';

export const STREAMING_CONNECTION_IDLE_TIMEOUT_ID = 'kubelet-streaming-connection-idle-timeout';

const SHORT =
  'Keep an idle timeout on kubelet streaming connections: remove --streaming-connection-idle-timeout=0 from the kubelet flags (AL2 kubelet.service.d/*.conf, KUBELET_EXTRA_ARGS; AL2023 NodeConfig spec.kubelet.flags) or set it to a duration such as 4h, and remove a zero streamingConnectionIdleTimeout from --config-dir drop-ins. Kubelets from 1.34 ignore the setting. Then systemctl daemon-reload; systemctl restart kubelet.';

/** What the kubelet's version says about the setting: from 1.34 it is documented to have no effect. */
function effectNote(context: ControlContext): { note: string; evidence?: Record<string, string> } {
  const version = context.kubeletVersion;
  if (version === undefined) {
    return {
      note: ' (the kubelet version is unknown; from 1.34 this setting no longer has any effect)',
      evidence: { settingEffect: 'unknown: kubelet version unknown' },
    };
  }
  if (isAtLeast(version, 1, 34)) {
    return {
      note: `, though on kubelet ${version.major}.${version.minor} this setting no longer has any effect (from 1.34; the container runtime's own streaming idle timeout applies)`,
      evidence: { settingEffect: `none: kubelet ${version.major}.${version.minor}` },
    };
  }
  return { note: '' };
}

export const streamingConnectionIdleTimeout = defineControl({
  id: STREAMING_CONNECTION_IDLE_TIMEOUT_ID,
  cisIds: { eks: '3.2.5', eksLegacy: '3.2.5', kubernetes: '4.2.5' },
  // No word longer than the CLI's title column: the flag is named in the description and remediation.
  title: 'Kubelet closes idle streaming connections: streamingConnectionIdleTimeout is not 0',
  description:
    'An idle timeout closes exec, attach and port-forward streams nobody uses, protecting the node against ' +
    'exhausted connections and ports. The effective value is the last --streaming-connection-idle-timeout flag, else ' +
    'the --config-dir drop-ins merged over the --config file, else the default 4h; a zero in the --config file is ' +
    're-defaulted to 4h, a zero flag stays 0. From kubelet 1.34 the setting no longer has any effect.',
  severity: 'LOW',
  severityWhy:
    'Without the timeout idle streams stay open indefinitely: a resource-exhaustion risk on the node, not a way in.',
  profile: 'Level 1',
  applicability: { notApplicable: {} },
  // bloodhound reads the value as a number of seconds: its FAIL is a bare 0, which the kubelet refuses
  // for a duration.
  bottlerocket: {
    fail: {
      status: 'WARNING',
      why: 'streamingConnectionIdleTimeout is the number 0, which the kubelet refuses for a duration (metav1.Duration reads only a string)',
    },
    note: 'kubelets from 1.34 no longer use this setting; the kubelet version is not visible from the control container.',
  },
  remediation: {
    short: SHORT,
    url: 'https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/',
    byNodeType: {
      al2:
        'Amazon Linux 2: the EKS AMI does not set it (default 4h). Remove --streaming-connection-idle-timeout=0 from ' +
        '10-kubelet-args.conf (KUBELET_ARGS) and 30-kubelet-extra-args.conf (KUBELET_EXTRA_ARGS, from bootstrap.sh ' +
        `--kubelet-extra-args), or set it to a duration such as 4h. Then: ${RESTART}.`,
      al2023:
        'Amazon Linux 2023 (nodeadm): nodeadm does not set it (default 4h). Remove --streaming-connection-idle-timeout=0 ' +
        'from the NodeConfig spec.kubelet.flags and streamingConnectionIdleTimeout: 0s from spec.kubelet.config ' +
        '(config.json.d/40-nodeadm.conf) and other *.conf drop-ins in /etc/kubernetes/kubelet/config.json.d/. Replace the ' +
        `node (or edit those files and run ${RESTART}).`,
      bottlerocket:
        'Bottlerocket does not set it (default 4h) and exposes no setting for it. A zero means the node was modified outside ' +
        'the Bottlerocket API: replace the node.',
      kubeadm:
        'kubeadm-style node: remove --streaming-connection-idle-timeout=0 from KUBELET_EXTRA_ARGS / KUBELET_KUBEADM_ARGS ' +
        '(/etc/default/kubelet, /var/lib/kubelet/kubeadm-flags.env) and any zero streamingConnectionIdleTimeout from ' +
        `--config-dir drop-ins (kubeadm's own 0s in config.yaml is re-defaulted to 4h). Then: ${RESTART}.`,
      unknown:
        'Find the kubelet command line (ps -ef | grep kubelet): remove --streaming-connection-idle-timeout=0 or set it to a ' +
        'duration such as 4h, and remove a zero streamingConnectionIdleTimeout from any *.conf drop-in under --config-dir. ' +
        `Then: ${RESTART}.`,
    },
  },
  settings: { streamingConnectionIdleTimeout: KubeletSettings.streamingConnectionIdleTimeout },
  evaluate(context) {
    const timeout = String(context.settings.streamingConnectionIdleTimeout.value);
    const { note, evidence } = effectNote(context);
    const facts = evidence === undefined ? {} : { evidence };
    return timeout === '0s'
      ? {
          status: ComplianceStatus.FAILED,
          reason: `The kubelet NEVER closes idle streaming connections (timeout 0)${note}`,
          decidedBy: 'streamingConnectionIdleTimeout',
          ...facts,
        }
      : {
          status: ComplianceStatus.PASSED,
          reason: `The kubelet closes streaming connections idle for ${timeout}${note}`,
          decidedBy: 'streamingConnectionIdleTimeout',
          ...facts,
        };
  },
});
