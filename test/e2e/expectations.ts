import type { ComplianceStatus } from '../../functions/controls/control.ts';
import type { Finding } from '../sim/emulator/findings-filter.ts';
import type { Emulator } from '../sim/emulator/index.ts';
import type { Fleet, SimNode } from '../sim/fleet.ts';

/** What a correct scanner reports for a simulated node (independent of the scanner's code). */
export function expectedStatus(node: SimNode): ComplianceStatus {
  if (node.provisioner === 'auto-mode' || node.os === 'windows' || node.ssm !== 'online')
    return 'NOT_AVAILABLE';
  const preset = node.tree?.preset;
  if (preset === 'al2-flag-false' || preset === 'al2023-dropin-false' || preset === 'al2023-flag-false') {
    return 'FAILED';
  }
  if (node.tree?.options && 'configMakeIptables' in node.tree.options) return 'WARNING';
  if (preset === 'bottlerocket-control-container' || preset === undefined) return 'NOT_AVAILABLE';
  return 'PASSED';
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
