/**
 * CIS Amazon EKS Benchmark "Ensure that the --client-ca-file argument is set as appropriate" (3.2.3 in
 * v1.0.1–v1.2.0 and v1.5.0–v1.8.0; CIS Kubernetes Benchmark 4.2.3; Level 1, Worker Node). The setting
 * has no default (""), with or without --config. Set and present: PASSED; empty: FAILED; set but the
 * file is missing or unusable: WARNING, because the kubelet reads it at start and exits if it cannot
 * (client-ca-path.ts), so a running kubelet with a missing file lost it after it started and will not
 * start again, which is an outage to fix rather than a compliance verdict. The file's content never
 * leaves the node: the collector ships its metadata only (role client-ca, redacted).
 * The v1.0.1–v1.2.0 number is the one kube-bench cfg/eks-1.0.1/node.yaml gives.
 */
import { KubeletSettings } from '../kubelet/kubelet-settings.ts';
import { type ClientCaFileState, clientCaFileState, clientCaPath } from './client-ca-path.ts';
import {
  ComplianceStatus,
  type ControlContext,
  defineControl,
  RESTART_KUBELET as RESTART,
  type Verdict,
} from './control.ts';

export const CLIENT_CA_FILE_ID = 'kubelet-client-ca-file';

const SHORT =
  'Give the kubelet the cluster CA to verify client certificates: set authentication.x509.clientCAFile to the CA bundle (EKS: /etc/kubernetes/pki/ca.crt) in its config (AL2 /etc/kubernetes/kubelet/kubelet-config.json; AL2023 NodeConfig spec.kubelet.config) or pass --client-ca-file, and make sure that file exists: a kubelet whose CA file is missing does not start. Then systemctl daemon-reload; systemctl restart kubelet.';

type Key = 'clientCAFile';

const STATUS_OF: Readonly<Record<ClientCaFileState['kind'], Verdict<Key>['status']>> = {
  exists: ComplianceStatus.PASSED,
  missing: ComplianceStatus.WARNING,
  unusable: ComplianceStatus.WARNING,
  unknown: ComplianceStatus.WARNING,
};

/** The lead sentence for each state of the file the kubelet names. */
function leadFor(state: ClientCaFileState, path: string): string {
  switch (state.kind) {
    case 'exists':
      return `The kubelet verifies client certificates against ${path}, which ${state.text}`;
    case 'missing':
      return `The kubelet's client CA file ${path} ${state.text}: a kubelet cannot start without it, so it was removed after this one started and the kubelet will fail at its next restart`;
    case 'unusable':
      return `The kubelet's client CA file ${path} ${state.text}: the kubelet would fail at its next restart`;
    case 'unknown':
      return `The kubelet's client CA file is ${path}, but ${state.text}`;
  }
}

function judgeClientCa(context: ControlContext<Key>): Verdict<Key> {
  const setting = context.settings.clientCAFile;
  const value = String(setting.value);
  if (value === '') {
    return {
      status: ComplianceStatus.FAILED,
      reason: 'The kubelet has NO client CA file, so it authenticates no client certificate',
      decidedBy: 'clientCAFile',
      evidence: { clientCAFileState: 'unset' },
    };
  }
  const location = clientCaPath(value, setting.decidedBy, context.kubeletCwd);
  if (!location.ok) {
    return {
      status: ComplianceStatus.WARNING,
      reason: `The kubelet's client CA file cannot be located: ${location.reason}`,
      decidedBy: 'clientCAFile',
      evidence: { clientCAFileState: 'unlocated' },
    };
  }
  const state = clientCaFileState(context.files?.(location.path));
  const relative =
    location.relativeTo === undefined ? '' : ` (relative, resolved against ${location.relativeTo})`;
  return {
    status: STATUS_OF[state.kind],
    reason: `${leadFor(state, location.path)}${relative}`,
    decidedBy: 'clientCAFile',
    evidence: { clientCAFilePath: location.path, clientCAFileState: state.kind },
  };
}

export const clientCaFile = defineControl({
  id: CLIENT_CA_FILE_ID,
  cisIds: { eks: '3.2.3', eksLegacy: '3.2.3', kubernetes: '4.2.3' },
  title:
    'Kubelet verifies client certificates: authentication.x509.clientCAFile / --client-ca-file names an existing CA file',
  description:
    'With a client CA file the kubelet authenticates callers that present a certificate signed by it, such as the API ' +
    'server; without one it accepts no client certificate, and requests fall to token webhook or anonymous ' +
    'authentication. The effective value is the last --client-ca-file flag, else the --config-dir drop-ins merged over ' +
    'the --config file (where a relative path is relative to that file), else empty. The file must exist: the kubelet ' +
    'reads it at start.',
  severity: 'MEDIUM',
  severityWhy:
    'Without a client CA the kubelet cannot verify the API server or other certificate holders, which weakens its authentication; it opens no access by itself.',
  profile: 'Level 1',
  applicability: { notApplicable: {} },
  // bloodhound SKIPs 4.2.3 when clientCAFile is absent from the file (standalone mode); the rendered
  // settings then decide. Its FAIL means the named file is missing, which the kubelet refuses.
  bottlerocket: {
    skip: 'rendered',
    fail: {
      status: 'WARNING',
      why: 'authentication.x509.clientCAFile names a file that does not exist (Bottlerocket writes /etc/kubernetes/pki/ca.crt there)',
    },
  },
  remediation: {
    short: SHORT,
    url: 'https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/',
    byNodeType: {
      al2:
        'Amazon Linux 2: bootstrap.sh writes the cluster CA to /etc/kubernetes/pki/ca.crt and "clientCAFile": ' +
        '"/etc/kubernetes/pki/ca.crt" to /etc/kubernetes/kubelet/kubelet-config.json. Restore both (or pass ' +
        `--client-ca-file=/etc/kubernetes/pki/ca.crt in KUBELET_EXTRA_ARGS). Then: ${RESTART}.`,
      al2023:
        'Amazon Linux 2023 (nodeadm): nodeadm writes the cluster CA (NodeConfig spec.cluster.certificateAuthority) to ' +
        '/etc/kubernetes/pki/ca.crt and clientCAFile to /etc/kubernetes/kubelet/config.json. Remove any ' +
        'authentication.x509.clientCAFile override from spec.kubelet.config and the *.conf drop-ins in ' +
        `/etc/kubernetes/kubelet/config.json.d/. Replace the node (or restore the files and run ${RESTART}).`,
      bottlerocket:
        'Bottlerocket writes the cluster CA (settings.kubernetes.cluster-certificate) to /etc/kubernetes/pki/ca.crt and ' +
        'names it in /etc/kubernetes/kubelet/config. Set settings.kubernetes.cluster-certificate or replace the node.',
      kubeadm:
        'kubeadm-style node: kubeadm join writes /etc/kubernetes/pki/ca.crt and authentication.x509.clientCAFile in ' +
        '/var/lib/kubelet/config.yaml. Restore them (or pass --client-ca-file in KUBELET_EXTRA_ARGS, /etc/default/kubelet). ' +
        `Then: ${RESTART}.`,
      unknown:
        'Find the kubelet command line (ps -ef | grep kubelet): pass --client-ca-file=<cluster CA bundle>, or set ' +
        'authentication.x509.clientCAFile in the file named by --config (a relative path is relative to that file) and ' +
        `make sure the file exists. Then: ${RESTART}.`,
    },
  },
  settings: { clientCAFile: KubeletSettings.clientCAFile },
  evaluate: judgeClientCa,
});
