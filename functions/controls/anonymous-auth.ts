/**
 * CIS Amazon EKS Benchmark "Ensure that the Anonymous Auth is Not Enabled" (3.2.1 in v1.0.1–v1.2.0 and
 * v1.5.0–v1.8.0; CIS Kubernetes Benchmark 4.2.1; Level 1, Worker Node). The kubelet's default depends
 * on how it is configured: false with a --config file (v1beta1 defaults.go), true without one
 * (options.go applyLegacyDefaults), even when --config-dir drop-ins are merged onto it.
 */
import { KubeletSettings } from '../kubelet/kubelet-settings.ts';
import { ComplianceStatus, defineControl, RESTART_KUBELET as RESTART } from './control.ts';

export const ANONYMOUS_AUTH_ID = 'kubelet-anonymous-auth';

const SHORT =
  'Turn off anonymous requests to the kubelet: set authentication.anonymous.enabled: false in its config (AL2 /etc/kubernetes/kubelet/kubelet-config.json; AL2023 NodeConfig spec.kubelet.config) and remove --anonymous-auth=true from its flags, or pass --anonymous-auth=false. A kubelet run without --config defaults to true. Then systemctl daemon-reload; systemctl restart kubelet.';

export const anonymousAuth = defineControl({
  id: ANONYMOUS_AUTH_ID,
  cisIds: { eks: '3.2.1', eksLegacy: '3.2.1', kubernetes: '4.2.1' },
  title: 'Kubelet refuses anonymous requests: authentication.anonymous.enabled / --anonymous-auth is false',
  description:
    'With anonymous authentication on, requests to the kubelet API (port 10250) that carry no credentials are served as ' +
    'system:anonymous, limited only by the authorization mode. The effective value is the last --anonymous-auth flag, else ' +
    'the --config-dir drop-ins merged over the --config file, else the default: false with a --config file, true without one.',
  severity: 'HIGH',
  severityWhy:
    'An unauthenticated caller reaches the kubelet API of the node; with AlwaysAllow authorization that is command execution in every pod on it.',
  profile: 'Level 1',
  applicability: { notApplicable: {} },
  remediation: {
    short: SHORT,
    url: 'https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/',
    byNodeType: {
      al2:
        'Amazon Linux 2: in /etc/kubernetes/kubelet/kubelet-config.json set "authentication": {"anonymous": {"enabled": false}} ' +
        '(the EKS AMI writes it so). Make sure 10-kubelet-args.conf (KUBELET_ARGS) and 30-kubelet-extra-args.conf ' +
        '(KUBELET_EXTRA_ARGS, from bootstrap.sh --kubelet-extra-args) do not pass --anonymous-auth=true, because a flag ' +
        `overrides the config file. Then: ${RESTART}.`,
      al2023:
        'Amazon Linux 2023 (nodeadm): nodeadm writes authentication.anonymous.enabled: false to /etc/kubernetes/kubelet/config.json. ' +
        'Remove anonymous: {enabled: true} from the NodeConfig spec.kubelet.config (written to config.json.d/40-nodeadm.conf) ' +
        'and --anonymous-auth=true from spec.kubelet.flags, and check other *.conf drop-ins in /etc/kubernetes/kubelet/config.json.d/. ' +
        `Replace the node (or edit those files and run ${RESTART}).`,
      bottlerocket:
        'Bottlerocket renders authentication.anonymous.enabled: false in /etc/kubernetes/kubelet/config unless ' +
        'settings.kubernetes.standalone-mode is true. Set it to false (apiclient set kubernetes.standalone-mode=false) or replace the node.',
      kubeadm:
        'kubeadm-style node: set authentication.anonymous.enabled: false in /var/lib/kubelet/config.yaml (or the file named by ' +
        '--config) and remove --anonymous-auth=true from KUBELET_EXTRA_ARGS / KUBELET_KUBEADM_ARGS (/etc/default/kubelet, ' +
        `/var/lib/kubelet/kubeadm-flags.env). Then: ${RESTART}.`,
      unknown:
        'Find the kubelet command line (ps -ef | grep kubelet): pass --anonymous-auth=false, or give it a --config file with ' +
        'authentication.anonymous.enabled: false (a kubelet without --config defaults to true) and check any *.conf drop-in ' +
        `under --config-dir. Then: ${RESTART}.`,
    },
  },
  settings: { anonymousAuth: KubeletSettings.anonymousAuth },
  evaluate({ settings }) {
    return settings.anonymousAuth.value === false
      ? {
          status: ComplianceStatus.PASSED,
          reason: 'The kubelet refuses anonymous requests',
          decidedBy: 'anonymousAuth',
        }
      : {
          status: ComplianceStatus.FAILED,
          reason: 'The kubelet ACCEPTS anonymous requests',
          decidedBy: 'anonymousAuth',
        };
  },
});
