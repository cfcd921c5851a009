/**
 * One kubelet's node described as data for the control tests: its extra flags, --config file,
 * --config-dir drop-ins, other collected files, version and working directory.
 */
import type { FileEvidence } from '../../functions/collector/evidence-schema.ts';
import type { Control, ControlResult } from '../../functions/controls/control.ts';
import { runControl } from '../../functions/controls/run-control.ts';
import { buildEvidence, PID } from '../kubelet/evidence-builder.ts';

export const K = '/usr/bin/kubelet';
export const CONFIG = '/etc/kubernetes/kubelet/config.json';
export const DIR = '/etc/kubernetes/kubelet/config.json.d';
export const KUBECONFIG = ['--kubeconfig', '/var/lib/kubelet/kubeconfig'];
export const V131 = 'Kubernetes v1.31.4-eks-2d5f260';
export const V132 = 'Kubernetes v1.32.3-eks-473151a';
export const V134 = 'Kubernetes v1.34.1-eks-0a1b2c3';

export interface Node {
  readonly argv?: readonly string[];
  readonly config?: FileEvidence;
  readonly dropIns?: readonly FileEvidence[];
  /** Other collected files (the client CA's metadata). */
  readonly files?: readonly FileEvidence[];
  readonly version?: string;
  readonly cwd?: string;
  /** The collector cut the command line. */
  readonly argvCut?: boolean;
}

export function runOn(control: Control, node: Node): ControlResult {
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
    files: [...(node.config ? [node.config] : []), ...dropIns, ...(node.files ?? [])],
    ...(node.dropIns ? { configDirs: [{ path: DIR, pid: PID, entries: dropIns.map((f) => f.path) }] } : {}),
    kubelet: {
      ...(node.version ? { version: node.version } : {}),
      ...(node.argvCut ? { argvCut: true } : {}),
    },
    ...(node.cwd ? { cwd: node.cwd } : {}),
  });
  // Act
  return runControl(control, { evidence });
}
