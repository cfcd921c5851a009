/**
 * Evidence for the file controls (CIS EKS 3.1.x): kubelet command lines and the file metadata the
 * collector ships (collect.sh inspect / link_meta), as data. Everything goes through the real schema
 * (buildEvidence), so a test can never feed the evaluator what the parser would refuse.
 */
import type { EvidenceDocument, FileEvidence } from '../../functions/collector/evidence-schema.ts';
import type { ControlResult, FileControl, NodeEvaluationInput } from '../../functions/controls/control.ts';
import { runControl } from '../../functions/controls/run-control.ts';
import { buildEvidence, type EvidenceSpec, kcJson, PID, textFile } from '../kubelet/evidence-builder.ts';

export const K = '/usr/bin/kubelet';
export const KUBECONFIG = '/var/lib/kubelet/kubeconfig';
export const CONFIG = '/etc/kubernetes/kubelet/config.json';
export const DIR = '/etc/kubernetes/kubelet/config.json.d';

export interface Meta {
  readonly mode?: string;
  readonly uid?: number;
  readonly gid?: number;
  /** The path is a symbolic link to this target (mode/uid/gid are the target's). */
  readonly target?: string;
  readonly pid?: number;
}

/** The --kubeconfig entry as the collector ships it: metadata only. */
export function kubeconfigMeta(path: string, meta: Meta = {}): FileEvidence {
  return {
    path,
    roles: ['kubeconfig'],
    pid: meta.pid ?? PID,
    ok: true,
    size: 2_100,
    mode: meta.mode ?? '0644',
    uid: meta.uid ?? 0,
    gid: meta.gid ?? 0,
    type: 'file',
    ...(meta.target === undefined ? {} : { target: meta.target, link: { mode: '0777', uid: 0, gid: 0 } }),
    redacted: true,
  };
}

/** The --config file (role config) or a drop-in (config-dir-entry) with its content and metadata. */
export function configMeta(path: string, meta: Meta = {}, role: 'config' | 'config-dir-entry' = 'config') {
  return textFile(path, kcJson(), [role], {
    mode: meta.mode ?? '0644',
    uid: meta.uid ?? 0,
    gid: meta.gid ?? 0,
    type: 'file',
    ...(meta.pid === undefined ? {} : { pid: meta.pid }),
    ...(meta.target === undefined ? {} : { target: meta.target }),
  });
}

export const dropInMeta = (name: string, meta: Meta = {}) =>
  configMeta(`${DIR}/${name}`, meta, 'config-dir-entry');

/** A path the collector could not judge: missing, dangling, another type, or an error. */
export function brokenFile(
  path: string,
  role: FileEvidence['roles'][number],
  how: { readonly error: string; readonly type?: FileEvidence['type']; readonly target?: string },
): FileEvidence {
  return {
    path,
    roles: [role],
    pid: PID,
    ok: false,
    error: how.error,
    ...(how.type === undefined || how.type === 'symlink' ? {} : { mode: '0755', uid: 0, gid: 0, size: 0 }),
    ...(how.type === undefined ? {} : { type: how.type }),
    ...(how.target === undefined ? {} : { target: how.target }),
  };
}

/** A config dir listing as the collector walks it (directories end in "/"). */
export function listing(
  entries: readonly string[],
  extra: Partial<EvidenceDocument['configDirs'][number]> = {},
) {
  return [{ path: DIR, pid: PID, entries: entries.map((e) => `${DIR}/${e}`), ...extra }];
}

export function runOn(
  control: FileControl,
  spec: EvidenceSpec,
  node?: NodeEvaluationInput['node'],
): ControlResult {
  const evidence = buildEvidence(spec);
  return runControl(control, node === undefined ? { evidence } : { evidence, node });
}
