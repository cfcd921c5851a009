import { describe, expect, it } from 'vitest';
import type { FileEvidence } from '../../functions/collector/evidence-schema.ts';
import { decodedFile } from '../../functions/kubelet/decoded-file.ts';
import { parseKubeletArgv } from '../../functions/kubelet/flags.ts';

const configFile = (content: string, extra: Partial<FileEvidence> = {}): FileEvidence =>
  ({
    path: '/etc/kubernetes/kubelet/config.json',
    roles: ['config'],
    ok: true,
    encoding: 'text',
    content,
    ...extra,
  }) as FileEvidence;

describe('decodedFile: one decoding per collected file', () => {
  it('decodes a file once and hands every reader the same result', () => {
    const file = configFile(
      '{"kind":"KubeletConfiguration","apiVersion":"kubelet.config.k8s.io/v1beta1","readOnlyPort":0}',
    );

    const first = decodedFile(file);

    expect(first.decoded?.ok).toBe(true);
    expect(first.decoded?.ok && first.decoded.object.readOnlyPort).toBe(0);
    expect(decodedFile(file)).toBe(first);
  });

  it('decodes another file (even with the same path) on its own', () => {
    const a = configFile(
      '{"kind":"KubeletConfiguration","apiVersion":"kubelet.config.k8s.io/v1beta1","readOnlyPort":0}',
    );
    const b = configFile(
      '{"kind":"KubeletConfiguration","apiVersion":"kubelet.config.k8s.io/v1beta1","readOnlyPort":10255}',
    );

    expect(decodedFile(a).decoded?.ok && decodedFile(a).decoded).not.toBe(decodedFile(b).decoded);
    const portOf = (f: FileEvidence) => {
      const d = decodedFile(f).decoded;
      return d?.ok ? d.object.readOnlyPort : undefined;
    };
    expect([portOf(a), portOf(b)]).toEqual([0, 10255]);
  });

  it('does not decode a file the collector cut or could not read', () => {
    const cut = decodedFile(configFile('{"kind":"Kubelet', { cut: true }));
    const unreadable = decodedFile(
      configFile('', { ok: false, error: 'permission denied', content: undefined }),
    );

    expect(cut.content).toMatchObject({ ok: true, cut: true });
    expect(cut.decoded).toBeUndefined();
    expect(unreadable.content).toMatchObject({ ok: false, reason: 'permission denied' });
    expect(unreadable.decoded).toBeUndefined();
  });
});

describe('parseKubeletArgv: one parse per command line and mode', () => {
  it('returns the same parse for the same argv and mode, a separate one for the other mode', () => {
    const argv = ['/usr/bin/kubelet', '--config=/etc/kubernetes/kubelet/config.json', '--read-only-port=0'];

    const initial = parseKubeletArgv(argv);

    expect(parseKubeletArgv(argv)).toBe(initial);
    expect(parseKubeletArgv(argv, undefined, 'precedence')).not.toBe(initial);
    expect(parseKubeletArgv([...argv, '--read-only-port=10255']).occurrences).toHaveLength(
      initial.occurrences.length + 1,
    );
  });
});
