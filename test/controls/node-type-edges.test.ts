/**
 * detectNodeType beyond the stock os-release files: what each guess rests on (the basis) and the
 * label when os-release has no PRETTY_NAME, since remediation text is chosen from the type.
 */
import { describe, expect, it } from 'vitest';
import type { FileEvidence } from '../../functions/collector/evidence-schema.ts';
import { detectNodeType } from '../../functions/controls/node-type.ts';
import { buildEvidence, missingFile, textFile } from '../kubelet/evidence-builder.ts';

const os = (body: string) => textFile('/etc/os-release', body, ['os-release']);
const detect = (...files: FileEvidence[]) => detectNodeType(buildEvidence({ files }));

describe('detectNodeType from os-release', () => {
  it.each([
    [
      'ID=amzn\nVERSION_ID=2\n',
      { type: 'al2', label: 'Amazon Linux 2 (EKS AMI)', basis: 'os-release ID=amzn VERSION_ID=2' },
    ],
    ['ID=amzn\nVERSION_ID=2023.6\n', { type: 'al2023', label: 'Amazon Linux 2023 (EKS AMI, nodeadm)' }],
    [
      'ID=bottlerocket\n',
      { type: 'bottlerocket', label: 'Bottlerocket', basis: 'os-release ID=bottlerocket VERSION_ID=' },
    ],
    [
      'ID=amzn\nVERSION_ID=2022\n',
      { type: 'unknown', label: 'unknown node type', basis: 'os-release ID=amzn' },
    ],
    ['ID=amzn\n', { type: 'unknown', basis: 'os-release ID=amzn' }],
    ['ID=ubuntu\nVERSION_ID=2\n', { type: 'unknown', basis: 'os-release ID=ubuntu' }],
    ['ID=fedora\nVERSION_ID=2023\n', { type: 'unknown', basis: 'os-release ID=fedora' }],
    ['NAME=x\n', { type: 'unknown', basis: 'os-release ID=' }],
  ])('%j', (body, expected) => {
    expect(detect(os(body))).toMatchObject(expected);
  });

  it('an unreadable os-release is no os-release', () => {
    expect(detect(missingFile('/etc/os-release', ['os-release'], 'permission denied'))).toEqual({
      type: 'unknown',
      label: 'unknown node type',
      basis: 'no os-release',
    });
  });
});

describe('detectNodeType without a telling os-release', () => {
  it('from the config path, labelled by type', () => {
    expect(detect(textFile('/var/lib/kubelet/config.yaml', 'x'))).toEqual({
      type: 'kubeadm',
      label: 'kubeadm-style node',
      basis: 'config /var/lib/kubelet/config.yaml',
    });
  });

  it('a file at a known config path in another role is not the config', () => {
    expect(detect(textFile('/var/lib/kubelet/config.yaml', 'x', ['environment'])).type).toBe('unknown');
  });

  it("from nodeadm's environment file among other files", () => {
    expect(
      detect(
        textFile('/etc/hostname', 'x', ['environment']),
        textFile('/etc/eks/kubelet/environment', 'A=1', ['environment']),
      ),
    ).toEqual({
      type: 'al2023',
      label: 'Amazon Linux 2023 (EKS AMI, nodeadm)',
      basis: '/etc/eks/kubelet/environment',
    });
  });

  it('a PRETTY_NAME labels an unknown node', () => {
    expect(detect(os('ID=debian\nPRETTY_NAME="Debian 12"\n'))).toMatchObject({
      type: 'unknown',
      label: 'Debian 12',
    });
  });
});
