/**
 * One kubelet node described as data for the setting controls' tests: its extra flags, its --config
 * file, its --config-dir drop-ins and its version; run through the real runControl.
 */
import type { FileEvidence } from '../../functions/collector/evidence-schema.ts';
import type { Control } from '../../functions/controls/control.ts';
import { runControl } from '../../functions/controls/run-control.ts';
import { buildEvidence, kcJson, textFile } from '../kubelet/evidence-builder.ts';

export const K = '/usr/bin/kubelet';
export const CONFIG = '/etc/kubernetes/kubelet/config.json';
export const DIR = '/etc/kubernetes/kubelet/config.json.d';
export const KUBECONFIG = ['--kubeconfig', '/var/lib/kubelet/kubeconfig'];
export const V131 = 'Kubernetes v1.31.4-eks-2d5f260';
export const V132 = 'Kubernetes v1.32.3-eks-473151a';

export const config = (extra: Record<string, unknown>) => textFile(CONFIG, kcJson(extra));

export interface SettingNode {
  readonly argv?: readonly string[];
  readonly config?: FileEvidence;
  readonly dropIns?: readonly FileEvidence[];
  readonly version?: string;
  readonly argvCut?: boolean;
}

export function runOn(control: Control, node: SettingNode) {
  // Prepare
  const dropIns = node.dropIns ?? [];
  const evidence = buildEvidence({
    argv: [
      K,
      ...KUBECONFIG,
      ...(node.config ? ['--config', node.config.path] : []),
      ...(node.dropIns ? ['--config-dir', DIR] : []),
      ...(node.argv ?? []),
    ],
    files: [...(node.config ? [node.config] : []), ...dropIns],
    ...(node.dropIns ? { configDirs: [{ path: DIR, pid: 4242, entries: dropIns.map((f) => f.path) }] } : {}),
    kubelet: {
      ...(node.version ? { version: node.version } : {}),
      ...(node.argvCut ? { argvCut: true } : {}),
    },
  });
  // Act
  return runControl(control, { evidence });
}
