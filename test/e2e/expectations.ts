import { type ComplianceStatus, isFileControl } from '../../functions/controls/control.ts';
import { controls } from '../../functions/controls/index.ts';
import type { Finding } from '../sim/emulator/findings-filter.ts';
import type { Emulator } from '../sim/emulator/index.ts';
import type { Fleet, SimNode } from '../sim/fleet.ts';

const IPTABLES = 'kubelet-make-iptables-util-chains';

/**
 * The API-call budget of a steady-state scheduled scan per 1,000 nodes, whatever the number of
 * controls: ≈ 45 for discovery, commands, polling and leases, ≈ 5 for the state table (a Query page
 * per ≈ 700 node records, a BatchWriteItem per 25 changed records), and the imports of what changed
 * or is due for a refresh (≈ 1/14 of the findings a scan at 12-hour scans and a 7-day refresh: 10
 * BatchImportFindings with 13 controls).
 */
export const CALLS_PER_1000_NODES = 80;

/**
 * The first scan of a cluster imports every finding (one BatchImportFindings per 100), reads the
 * stored ones once (GetFindings, a page per 100 on an upgrade) and writes every node record (a
 * BatchWriteItem per 25 nodes): 60 + 40 + 10 per control without stored findings.
 */
export const FIRST_SCAN_CALLS_PER_1000_NODES = 100 + 10 * controls.length;

/** The presets whose kubelet fails each control (every other host-visible preset passes it). */
const FAILING_PRESETS: Readonly<Record<string, readonly string[]>> = {
  [IPTABLES]: ['al2-flag-false', 'al2023-dropin-false', 'al2023-flag-false'],
  // Every preset writes authentication.anonymous.enabled: false, as the AMIs do, except the kubelet
  // without --config, which starts from the legacy flag default (true).
  'kubelet-anonymous-auth': ['legacy-defaults'],
  'kubelet-authorization-mode': ['legacy-defaults'],
  // Every preset names /etc/kubernetes/pki/ca.crt and has the file.
  'kubelet-client-ca-file': [],
  'kubelet-read-only-port': ['legacy-defaults', 'al2023-dropin-read-only-port'],
  'kubelet-streaming-connection-idle-timeout': ['al2023-flag-streaming-zero'],
  // No AMI sets eventRecordQPS or rotateCertificates (default 50; not present passes).
  'kubelet-event-qps': [],
  'kubelet-rotate-certificates': ['al2-rotate-certificates-false'],
  'kubelet-rotate-server-certificates': ['al2023-server-cert-gate-false'],
  'kubeconfig-file-permissions': ['al2023-kubeconfig-world-writable'],
  'kubeconfig-file-ownership': ['al2-kubeconfig-user-owned'],
  'kubelet-config-file-permissions': ['al2023-dropin-0664'],
  'kubelet-config-file-ownership': [],
};

/** The presets whose kubelet has a value the kubelet itself refuses for a control: WARNING. */
const REFUSED_PRESETS: Readonly<Record<string, readonly string[]>> = {
  'kubelet-event-qps': ['al2023-event-qps-negative'],
};

/** The file controls judge modes and owners, which a config file the kubelet cannot load leaves known. */
const FILE_CONTROLS: ReadonlySet<string> = new Set(controls.filter(isFileControl).map((c) => c.id));

/** The control of one of our findings (GeneratorId "eks-kubelet-audit/<control id>"). */
export function controlOf(f: Finding): string {
  return String(f.GeneratorId).replace(/^eks-kubelet-audit\//, '');
}

/**
 * What a correct scanner reports for a simulated node and control (independent of the scanner's
 * code); without a control, for make-iptables-util-chains, the control the node presets vary.
 */
export function expectedStatus(node: SimNode, controlId: string = IPTABLES): ComplianceStatus {
  if (node.provisioner === 'auto-mode' || node.os === 'windows' || node.ssm !== 'online')
    return 'NOT_AVAILABLE';
  const preset = node.tree?.preset;
  if (preset !== undefined && FAILING_PRESETS[controlId]?.includes(preset)) return 'FAILED';
  if (preset !== undefined && REFUSED_PRESETS[controlId]?.includes(preset)) return 'WARNING';
  // A --config file the kubelet could not load leaves every setting it holds open.
  if (!FILE_CONTROLS.has(controlId) && node.tree?.options && 'configMakeIptables' in node.tree.options)
    return 'WARNING';
  if (preset === 'bottlerocket-control-container') return throughBottlerocketApi(node, controlId);
  if (preset === undefined) return 'NOT_AVAILABLE';
  return 'PASSED';
}

/**
 * A Bottlerocket node seen from its control container is judged by Bottlerocket's own CIS Kubernetes
 * check numbered like the control (an aws-k8s node passes every one the simulated API is not told to fail).
 */
function throughBottlerocketApi(node: SimNode, controlId: string): ComplianceStatus {
  const kubernetesId = controls.find((c) => c.id === controlId)?.cisIds.kubernetes;
  const check = kubernetesId === undefined ? undefined : node.tree?.options?.apiChecks?.[kubernetesId];
  const status = typeof check === 'object' ? check.status : check;
  return status === 'FAIL' ? 'FAILED' : status === 'SKIP' ? 'NOT_AVAILABLE' : 'PASSED';
}

export function runningNodes(fleet: Fleet, cluster?: string): SimNode[] {
  return fleet.order.filter((n) => n.state === 'running' && (!cluster || n.cluster === cluster));
}

export function ourFindings(emulator: Emulator): Finding[] {
  return emulator.securityHub.store
    .all()
    .filter(
      (f) =>
        f.ProductArn === emulator.securityHub.productArn &&
        String(f.GeneratorId).startsWith('eks-kubelet-audit/'),
    );
}

export function active(emulator: Emulator): Finding[] {
  return ourFindings(emulator).filter((f) => f.RecordState === 'ACTIVE');
}

export function instanceOf(f: Finding): string {
  return String((f.ProductFields as Record<string, string>)['eks-kubelet-audit/instance']);
}

export function statusOf(f: Finding): string {
  return String((f.Compliance as { Status: string }).Status);
}

export function byInstance(findings: Finding[]): Map<string, Finding[]> {
  const map = new Map<string, Finding[]>();
  for (const f of findings) map.set(instanceOf(f), [...(map.get(instanceOf(f)) ?? []), f]);
  return map;
}
