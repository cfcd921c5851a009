/**
 * CIS Amazon EKS Benchmark "Ensure that the --eventRecordQPS argument is set to 0 or a level which
 * ensures appropriate event capture" (3.2.7 in v1.5.0–v1.8.0, 3.2.9 in v1.0.1–v1.2.0, where
 * protect-kernel-defaults (3.2.6) and hostname-override (3.2.8) came before it; CIS Kubernetes
 * Benchmark 4.2.8), as kube-bench cfg/eks-1.0.1/node.yaml and cfg/eks-1.8.0/node.yaml number it.
 *
 * What the value means (read from the Kubernetes source, not the field documentation):
 * - v1beta1 defaults.go: EventRecordQPS is a *int32 defaulted to 50 when absent; an explicit 0 stays 0.
 * - cmd/kubelet/app/server.go gives the event client `QPS: float32(s.EventRecordQPS)` and
 *   `Burst: s.EventBurst`; client-go rest.RESTClientFor replaces a QPS of 0 with DefaultQPS (5) and
 *   only a negative QPS builds no rate limiter. So 0, which the KubeletConfiguration documentation
 *   calls "no limit", limits events to 5 per second (the --event-qps help says exactly that:
 *   "If 0 will use DefaultQPS: 5").
 * - validation.go refuses a negative value ("must not be a negative number"): the kubelet exits,
 *   so a negative value is never what a running kubelet has (kubelet-settings.ts validate → WARNING).
 * CIS asks for "0 or a level which ensures appropriate event capture", a judgement no scanner can
 * make for the operator, so every value the kubelet accepts passes and the reason states the rate.
 */
import { KubeletSettings } from '../kubelet/kubelet-settings.ts';
import { ComplianceStatus, defineControl, RESTART_KUBELET as RESTART } from './control.ts';

export const EVENT_QPS_ID = 'kubelet-event-qps';

/** client-go rest.DefaultQPS: what the kubelet's event client uses when eventRecordQPS is 0. */
export const CLIENT_GO_DEFAULT_QPS = 5;

const SHORT =
  'Keep the kubelet recording events at a rate that captures them: leave eventRecordQPS unset (default 50 per second) or set it to a positive level in the kubelet config (AL2 /etc/kubernetes/kubelet/kubelet-config.json; AL2023 NodeConfig spec.kubelet.config; Bottlerocket settings.kubernetes.event-qps), and remove any --event-qps flag with a negative value. Then systemctl daemon-reload; systemctl restart kubelet.';

function meaning(qps: number): string {
  if (qps === 0) {
    return (
      'eventRecordQPS is 0: documented as "no limit", but the kubelet hands it to client-go, which replaces a rate of 0 ' +
      `with its default, so events are limited to ${CLIENT_GO_DEFAULT_QPS} per second (bursts up to eventBurst)`
    );
  }
  return `eventRecordQPS is ${qps}: the kubelet sends up to ${qps} event${qps === 1 ? '' : 's'} per second to the API server (bursts up to eventBurst)`;
}

export const eventQps = defineControl({
  id: EVENT_QPS_ID,
  cisIds: { eks: '3.2.7', eksLegacy: '3.2.9', kubernetes: '4.2.8' },
  title: 'Kubelet records events at a rate the kubelet accepts: eventRecordQPS / --event-qps is 0 or more',
  description:
    'Events the kubelet sends to the API server (pod starts, evictions, probe failures) are security information; eventRecordQPS ' +
    'caps how many per second, and events over the cap are dropped. CIS leaves the level to the operator. The effective value is ' +
    "the last --event-qps flag, else the drop-ins over the --config file, else the default (50). 0 means client-go's default of " +
    '5 per second, not unlimited.',
  severity: 'LOW',
  severityWhy:
    'The rate only decides how many node events reach the API server during a burst; it grants no access and every value the kubelet accepts still records events.',
  profile: 'Level 1',
  applicability: { notApplicable: {} },
  bottlerocket: {
    reading: 'rendered',
    why: "Bottlerocket's check 4.2.8 is Manual (Level 2): bloodhound never verifies it",
  },
  remediation: {
    short: SHORT,
    url: 'https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/',
    byNodeType: {
      al2:
        'Amazon Linux 2: the EKS AMI does not set eventRecordQPS, so the default (50 per second) applies. To change it set ' +
        '"eventRecordQPS": <n> (n >= 0) in /etc/kubernetes/kubelet/kubelet-config.json and make sure 10-kubelet-args.conf ' +
        '(KUBELET_ARGS) and 30-kubelet-extra-args.conf (KUBELET_EXTRA_ARGS) pass no --event-qps flag that overrides it. ' +
        `Then: ${RESTART}.`,
      al2023:
        'Amazon Linux 2023 (nodeadm): nodeadm does not set eventRecordQPS. Set eventRecordQPS in the NodeConfig spec.kubelet.config ' +
        '(written to /etc/kubernetes/kubelet/config.json.d/40-nodeadm.conf) and remove --event-qps from spec.kubelet.flags; check ' +
        `other *.conf drop-ins in /etc/kubernetes/kubelet/config.json.d/. Replace the node (or edit those files and run ${RESTART}).`,
      bottlerocket:
        'Bottlerocket renders eventRecordQPS from settings.kubernetes.event-qps and leaves it out when that setting is unset ' +
        '(default 50). Set it with apiclient set kubernetes.event-qps=<n> (n >= 0), or in the user data [settings.kubernetes].',
      kubeadm:
        'kubeadm-style node: set eventRecordQPS: <n> (n >= 0) in /var/lib/kubelet/config.yaml (or the file named by --config) and ' +
        'remove --event-qps from KUBELET_EXTRA_ARGS / KUBELET_KUBEADM_ARGS (/etc/default/kubelet, ' +
        `/var/lib/kubelet/kubeadm-flags.env). Then: ${RESTART}.`,
      unknown:
        'Find the kubelet command line (ps -ef | grep kubelet): remove a negative --event-qps, or set eventRecordQPS: <n> (n >= 0) ' +
        `in the file named by --config and in any *.conf drop-in under --config-dir. Then: ${RESTART}.`,
    },
  },
  settings: { eventRecordQPS: KubeletSettings.eventRecordQPS },
  evaluate({ settings }) {
    const qps = settings.eventRecordQPS.value;
    // The setting's validate already turns a negative value into a blocking problem (judge.ts); this
    // keeps evaluate total without trusting that.
    if (typeof qps !== 'number' || qps < 0) {
      return {
        status: ComplianceStatus.WARNING,
        reason: `eventRecordQPS is ${String(qps)}, which the kubelet refuses (validation.go: it must not be a negative number), so a running kubelet cannot have it`,
        decidedBy: 'eventRecordQPS',
      };
    }
    return {
      status: ComplianceStatus.PASSED,
      reason: `The kubelet records events: ${meaning(qps)}`,
      decidedBy: 'eventRecordQPS',
      evidence: { eventsPerSecond: String(qps === 0 ? CLIENT_GO_DEFAULT_QPS : qps) },
    };
  },
});
