/**
 * Build evidence documents in tests, validated by the real schema so a test can never feed the
 * evaluator something the parser would not produce.
 */
import {
  EVIDENCE_FORMAT,
  EVIDENCE_VERSION,
  type EvidenceDocument,
  evidenceDocumentSchema,
  type FileEvidence,
  type KubeletProcess,
} from '../../functions/collector/evidence-schema.ts';

type Role = FileEvidence['roles'][number];

export const PID = 4242;

export function textFile(
  path: string,
  content: string,
  roles: Role[] = ['config'],
  extra: Partial<FileEvidence> = {},
): FileEvidence {
  return {
    path,
    roles,
    pid: PID,
    ok: true,
    size: Buffer.byteLength(content),
    mode: '0644',
    uid: 0,
    gid: 0,
    encoding: 'text',
    content,
    ...extra,
  };
}

export function bytesFile(
  path: string,
  bytes: Uint8Array,
  roles: Role[] = ['config'],
  extra: Partial<FileEvidence> = {},
): FileEvidence {
  return {
    path,
    roles,
    pid: PID,
    ok: true,
    size: bytes.length,
    mode: '0644',
    uid: 0,
    gid: 0,
    encoding: 'base64',
    content: Buffer.from(bytes).toString('base64'),
    ...extra,
  };
}

export function missingFile(path: string, roles: Role[] = ['config'], error = 'not found'): FileEvidence {
  return { path, roles, pid: PID, ok: false, error };
}

export function dropIn(path: string, content: string): FileEvidence {
  return textFile(path, content, ['config-dir-entry']);
}

export const KC = 'kind: KubeletConfiguration\napiVersion: kubelet.config.k8s.io/v1beta1\n';
export const kcJson = (extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ kind: 'KubeletConfiguration', apiVersion: 'kubelet.config.k8s.io/v1beta1', ...extra });

export interface EvidenceSpec {
  argv?: string[];
  cwd?: string;
  kubelet?: Partial<KubeletProcess>;
  kubelets?: KubeletProcess[];
  files?: FileEvidence[];
  configDirs?: EvidenceDocument['configDirs'];
  host?: Partial<EvidenceDocument['host']>;
  rejected?: EvidenceDocument['rejected'];
}

export function kubeletProcess(argv: string[], extra: Partial<KubeletProcess> = {}): KubeletProcess {
  return {
    pid: PID,
    ppid: 1,
    uid: 0,
    argv,
    cwd: '/',
    selectedBy: 'kubelet.service cgroup',
    startSecondsSinceBoot: 12,
    ...extra,
  };
}

export function buildEvidence(spec: EvidenceSpec = {}): EvidenceDocument {
  const argv = spec.argv ?? ['/usr/bin/kubelet'];
  const kubelets = spec.kubelets ?? [
    kubeletProcess(argv, { ...(spec.cwd ? { cwd: spec.cwd } : {}), ...spec.kubelet }),
  ];
  return evidenceDocumentSchema.parse({
    format: EVIDENCE_FORMAT,
    version: EVIDENCE_VERSION,
    collector: 'test',
    host: {
      visible: true,
      uptimeSeconds: 1000,
      nowEpochSeconds: 1_764_288_000,
      hostname: 'ip-10-0-0-1',
      ...spec.host,
    },
    kubelets,
    rejected: spec.rejected ?? [],
    configDirs: spec.configDirs ?? [],
    files: spec.files ?? [],
    errors: [],
    cut: false,
    end: true,
  });
}
