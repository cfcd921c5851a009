import { describe, expect, it } from 'vitest';
import { detectNodeType } from '../../functions/controls/node-type.ts';
import { buildEvidence, textFile } from '../kubelet/evidence-builder.ts';

const os = (body: string) => textFile('/etc/os-release', body, ['os-release']);

describe('detectNodeType', () => {
  it.each([
    [
      'NAME="Amazon Linux"\nVERSION="2"\nID="amzn"\nVERSION_ID="2"\nPRETTY_NAME="Amazon Linux 2"\n',
      'al2',
      'Amazon Linux 2',
    ],
    [
      'ID="amzn"\nVERSION_ID="2023"\nPRETTY_NAME="Amazon Linux 2023.6.20250115"\n',
      'al2023',
      'Amazon Linux 2023.6.20250115',
    ],
    [
      'NAME=Bottlerocket\nID=bottlerocket\nVERSION_ID=1.26.1\nPRETTY_NAME="Bottlerocket OS 1.26.1 (aws-k8s-1.31)"\n',
      'bottlerocket',
      'Bottlerocket OS 1.26.1 (aws-k8s-1.31)',
    ],
  ])('from os-release %#', (body, type, label) => {
    // Act
    const info = detectNodeType(buildEvidence({ files: [os(body)] }));
    // Assess
    expect(info).toMatchObject({ type, label });
  });

  it("from Bottlerocket's API answering in the control container (no host os-release there)", () => {
    const base = buildEvidence({ kubelets: [], host: { visible: false } });
    expect(detectNodeType(base).type).toBe('unknown');
    const info = detectNodeType({
      ...base,
      bottlerocket: { errors: ['apiclient report cis-k8s: exit status 1'] },
    });
    expect(info).toEqual({ type: 'bottlerocket', label: 'Bottlerocket', basis: 'Bottlerocket API' });
  });

  it.each([
    ['/etc/kubernetes/kubelet/kubelet-config.json', 'al2'],
    ['/etc/kubernetes/kubelet/config.json', 'al2023'],
    ['/etc/kubernetes/kubelet/config', 'bottlerocket'],
    ['/var/lib/kubelet/config.yaml', 'kubeadm'],
    ['/opt/custom/kubelet.yaml', 'unknown'],
  ])('from the config path %s', (path, type) => {
    const info = detectNodeType(
      buildEvidence({ files: [os('ID=ubuntu\nVERSION_ID="22.04"\n'), textFile(path, '{}')] }),
    );
    expect(info.type).toBe(type);
  });

  it('AL2023 from the nodeadm environment file', () => {
    const info = detectNodeType(
      buildEvidence({ files: [textFile('/etc/eks/kubelet/environment', 'X=1\n', ['environment'])] }),
    );
    expect(info.type).toBe('al2023');
  });
});
