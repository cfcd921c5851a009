/**
 * CIS Amazon EKS Benchmark "Ensure that the --authorization-mode argument is not set to AlwaysAllow"
 * (3.2.2 in v1.0.1–v1.2.0 and v1.5.0–v1.8.0; CIS Kubernetes Benchmark 4.2.2; Level 1, Worker Node).
 * The default depends on how the kubelet is configured: Webhook with a --config file (v1beta1
 * defaults.go, which also re-defaults an empty mode), AlwaysAllow without one (options.go
 * applyLegacyDefaults), even when --config-dir drop-ins are merged onto it. A mode other than
 * AlwaysAllow and Webhook stops the kubelet (cmd/kubelet/app/auth.go BuildAuthz), so such a value is
 * WARNING through the setting's own validation (kubelet-settings.ts), never PASSED.
 * The v1.0.1–v1.2.0 number is the one kube-bench cfg/eks-1.0.1/node.yaml gives.
 */
import { KubeletSettings } from '../kubelet/kubelet-settings.ts';
import { ComplianceStatus, defineControl, RESTART_KUBELET as RESTART } from './control.ts';

export const AUTHORIZATION_MODE_ID = 'kubelet-authorization-mode';

const SHORT =
  'Make the kubelet ask the API server before serving a request: set authorization.mode: Webhook in its config (AL2 /etc/kubernetes/kubelet/kubelet-config.json; AL2023 NodeConfig spec.kubelet.config) and remove --authorization-mode=AlwaysAllow from its flags, or pass --authorization-mode=Webhook. A kubelet run without --config defaults to AlwaysAllow. Then systemctl daemon-reload; systemctl restart kubelet.';

export const authorizationMode = defineControl({
  id: AUTHORIZATION_MODE_ID,
  cisIds: { eks: '3.2.2', eksLegacy: '3.2.2', kubernetes: '4.2.2' },
  title: 'Kubelet authorizes requests: authorization.mode / --authorization-mode is not AlwaysAllow',
  description:
    'With AlwaysAllow, the kubelet API (port 10250) serves every request that passes authentication, including ' +
    'exec, attach, port-forward and logs of every pod on the node; Webhook asks the API server (SubjectAccessReview) ' +
    'instead. The effective value is the last --authorization-mode flag, else the --config-dir drop-ins merged over ' +
    'the --config file, else the default: Webhook with a --config file, AlwaysAllow without one.',
  severity: 'HIGH',
  severityWhy:
    'AlwaysAllow lets every caller the kubelet authenticates (any service account token through webhook authentication, anonymous callers when anonymous auth is on) run commands in every pod of the node.',
  profile: 'Level 1',
  applicability: { notApplicable: {} },
  remediation: {
    short: SHORT,
    url: 'https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/',
    byNodeType: {
      al2:
        'Amazon Linux 2: in /etc/kubernetes/kubelet/kubelet-config.json set "authorization": {"mode": "Webhook"} (the EKS ' +
        'AMI writes it so). Make sure 10-kubelet-args.conf (KUBELET_ARGS) and 30-kubelet-extra-args.conf (KUBELET_EXTRA_ARGS, ' +
        'from bootstrap.sh --kubelet-extra-args) do not pass --authorization-mode=AlwaysAllow, because a flag overrides the ' +
        `config file, and that the kubelet runs with --config. Then: ${RESTART}.`,
      al2023:
        'Amazon Linux 2023 (nodeadm): nodeadm writes authorization.mode: Webhook to /etc/kubernetes/kubelet/config.json. ' +
        'Remove authorization: {mode: AlwaysAllow} from the NodeConfig spec.kubelet.config (written to ' +
        'config.json.d/40-nodeadm.conf) and --authorization-mode=AlwaysAllow from spec.kubelet.flags, and check other *.conf ' +
        `drop-ins in /etc/kubernetes/kubelet/config.json.d/. Replace the node (or edit those files and run ${RESTART}).`,
      bottlerocket:
        'Bottlerocket renders authorization.mode: Webhook in /etc/kubernetes/kubelet/config unless ' +
        'settings.kubernetes.standalone-mode is true (then AlwaysAllow). Set it to false (apiclient set ' +
        'kubernetes.standalone-mode=false) or replace the node.',
      kubeadm:
        'kubeadm-style node: set authorization.mode: Webhook in /var/lib/kubelet/config.yaml (or the file named by --config) ' +
        'and remove --authorization-mode=AlwaysAllow from KUBELET_EXTRA_ARGS / KUBELET_KUBEADM_ARGS (/etc/default/kubelet, ' +
        `/var/lib/kubelet/kubeadm-flags.env). Then: ${RESTART}.`,
      unknown:
        'Find the kubelet command line (ps -ef | grep kubelet): pass --authorization-mode=Webhook (it needs --kubeconfig), ' +
        'or give it a --config file with authorization.mode: Webhook (a kubelet without --config defaults to AlwaysAllow) ' +
        `and check any *.conf drop-in under --config-dir. Then: ${RESTART}.`,
    },
  },
  settings: { authorizationMode: KubeletSettings.authorizationMode },
  evaluate({ settings }) {
    // Only AlwaysAllow and Webhook reach here: any other mode fails the setting's validation first.
    return settings.authorizationMode.value === 'AlwaysAllow'
      ? {
          status: ComplianceStatus.FAILED,
          reason: 'The kubelet AUTHORIZES EVERY authenticated request (AlwaysAllow)',
          decidedBy: 'authorizationMode',
        }
      : {
          status: ComplianceStatus.PASSED,
          reason: `The kubelet authorizes requests through the API server (${String(settings.authorizationMode.value)})`,
          decidedBy: 'authorizationMode',
        };
  },
});
