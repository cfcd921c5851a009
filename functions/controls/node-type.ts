/**
 * Which kind of EKS node this is, so remediation can name the right files. From /etc/os-release
 * first (ID / VERSION_ID), then from Bottlerocket's API answering, then from the kubelet's config path (eks-ami AL2
 * /etc/kubernetes/kubelet/kubelet-config.json, AL2023 nodeadm /etc/kubernetes/kubelet/config.json,
 * Bottlerocket /etc/kubernetes/kubelet/config, kubeadm /var/lib/kubelet/config.yaml).
 */
import type { EvidenceDocument } from '../collector/evidence-schema.ts';
import { fileBytes } from '../kubelet/file-content.ts';
import { parseEnvironmentFile } from '../kubelet/systemd-unit.ts';

export const NodeType = {
  al2: 'al2',
  al2023: 'al2023',
  bottlerocket: 'bottlerocket',
  kubeadm: 'kubeadm',
  unknown: 'unknown',
} as const;
export type NodeType = (typeof NodeType)[keyof typeof NodeType];

export const NODE_TYPE_LABELS: Readonly<Record<NodeType, string>> = {
  al2: 'Amazon Linux 2 (EKS AMI)',
  al2023: 'Amazon Linux 2023 (EKS AMI, nodeadm)',
  bottlerocket: 'Bottlerocket',
  kubeadm: 'kubeadm-style node',
  unknown: 'unknown node type',
};

export interface NodeTypeInfo {
  readonly type: NodeType;
  /** PRETTY_NAME from os-release when present, else the label. */
  readonly label: string;
  /** What the guess rests on. */
  readonly basis: string;
}

const BY_CONFIG_PATH: Readonly<Record<string, NodeType>> = {
  '/etc/kubernetes/kubelet/kubelet-config.json': NodeType.al2,
  '/etc/kubernetes/kubelet/config.json': NodeType.al2023,
  '/etc/kubernetes/kubelet/config': NodeType.bottlerocket,
  '/var/lib/kubelet/config.yaml': NodeType.kubeadm,
};

function osRelease(evidence: EvidenceDocument): Map<string, string> | undefined {
  const file = evidence.files.find((f) => f.roles.includes('os-release'));
  if (file === undefined) return undefined;
  const content = fileBytes(file);
  if (!content.ok) return undefined;
  return parseEnvironmentFile(new TextDecoder().decode(content.bytes));
}

export function detectNodeType(evidence: EvidenceDocument): NodeTypeInfo {
  const os = osRelease(evidence);
  const id = os?.get('ID');
  const version = os?.get('VERSION_ID');
  const pretty = os?.get('PRETTY_NAME');
  let type: NodeType | undefined;
  if (id === 'bottlerocket') type = NodeType.bottlerocket;
  else if (id === 'amzn' && version === '2') type = NodeType.al2;
  else if (id === 'amzn' && version?.startsWith('2023')) type = NodeType.al2023;
  if (type !== undefined) {
    return {
      type,
      label: pretty ?? NODE_TYPE_LABELS[type],
      basis: `os-release ID=${id} VERSION_ID=${version ?? ''}`,
    };
  }
  // Only Bottlerocket's control container answers with Bottlerocket's API (it has its own os-release).
  if (evidence.bottlerocket !== undefined) {
    return { type: NodeType.bottlerocket, label: NODE_TYPE_LABELS.bottlerocket, basis: 'Bottlerocket API' };
  }
  for (const f of evidence.files) {
    const byPath = f.roles.includes('config') ? BY_CONFIG_PATH[f.path] : undefined;
    if (byPath !== undefined)
      return { type: byPath, label: pretty ?? NODE_TYPE_LABELS[byPath], basis: `config ${f.path}` };
  }
  if (evidence.files.some((f) => f.path === '/etc/eks/kubelet/environment' && f.ok)) {
    return {
      type: NodeType.al2023,
      label: pretty ?? NODE_TYPE_LABELS.al2023,
      basis: '/etc/eks/kubelet/environment',
    };
  }
  return {
    type: NodeType.unknown,
    label: pretty ?? NODE_TYPE_LABELS.unknown,
    basis: os ? `os-release ID=${id ?? ''}` : 'no os-release',
  };
}
