/**
 * Hostile nodes against what the collector runs or stats beyond the config files: a kubeconfig or
 * client CA that is a link to /dev/zero or a FIFO (stat only, never opened), a kubelet binary anyone
 * may write (never run), and in Bottlerocket's control container an apiclient that hangs or floods
 * its output. Each run ends in bounded time with a valid document and nothing planted in it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupRoots, collect, evidenceOf, fileAt } from '../collector/run-collector.ts';
import { fakeApiclient } from '../sim/bottlerocket-api.ts';
import { fakeKubeletBinary, type NodeTreeSpec, nodePresets } from '../sim/node-tree.ts';

afterAll(cleanupRoots);

const CANARY = 'hostile-canary-7f3a91';

function timed(spec: NodeTreeSpec) {
  const started = Date.now();
  const run = collect(spec, { env: { KUBELET_AUDIT_ENCODING: 'plain' } });
  return { run, evidence: evidenceOf(run), seconds: (Date.now() - started) / 1000 };
}

describe('hostile kubeconfig, client CA and kubelet binary', () => {
  it('a kubeconfig linked to /dev/zero and a CA that is a FIFO are stat-ed, never opened', () => {
    // Prepare
    const spec = nodePresets.al2023({
      extraFiles: {
        '/var/lib/kubelet/kubeconfig': { symlink: '/dev/zero' },
        '/etc/kubernetes/pki/ca.crt': { fifo: true },
      },
    });

    // Act
    const { evidence, seconds, run } = timed(spec);

    // Assess
    expect(seconds).toBeLessThan(10);
    expect(run.stderr).toBe('');
    expect(fileAt(evidence, '/var/lib/kubelet/kubeconfig')).toMatchObject({
      ok: false,
      error: 'refused: on /proc, /sys or /dev, not read',
      roles: ['kubeconfig'],
    });
    expect(fileAt(evidence, '/etc/kubernetes/pki/ca.crt')).toMatchObject({
      ok: false,
      error: 'not a regular file (fifo)',
      type: 'fifo',
      mode: '0644',
      roles: ['client-ca'],
    });
  });

  it('a world-writable kubelet binary is never run', () => {
    // Prepare: were it run, it would print the canary as a version and leave a mark on the node.
    const spec = nodePresets.al2023({
      extraFiles: {
        '/usr/bin/kubelet': {
          content: `#!/bin/sh\necho 'Kubernetes v1.32.0-${CANARY}'\n: > "$0.ran"\n`,
          mode: 0o777,
        },
      },
    });

    // Act
    const { evidence, run } = timed(spec);

    // Assess
    expect(run.stdout).not.toContain(CANARY);
    expect(evidence.kubelets[0]?.versionError).toBe('refused: /usr/bin/kubelet has owner 0, mode 777');
    expect(evidence.files.some((f) => f.path.endsWith('.ran'))).toBe(false);
  });

  it('a kubelet binary linked into /proc is refused', () => {
    const spec = nodePresets.al2023({ extraFiles: { '/usr/bin/kubelet': { symlink: '/proc/self/exe' } } });
    expect(timed(spec).evidence.kubelets[0]?.versionError).toBe(
      'refused: /proc/self/exe is in a pseudo or temporary filesystem',
    );
    const ok = nodePresets.al2023({ extraFiles: { '/usr/bin/kubelet': fakeKubeletBinary('v1.32.3') } });
    expect(timed(ok).evidence.kubelets[0]?.version).toBe('Kubernetes v1.32.3');
  });
});

describe('hostile apiclient in the Bottlerocket control container', () => {
  const control = (script: string) =>
    nodePresets['bottlerocket-control-container']({
      extraFiles: { '/usr/local/bin/apiclient': { content: script, mode: 0o755 } },
    });

  it('an apiclient that hangs is killed and the run still prints a document', () => {
    // Prepare: the report hangs (and its child keeps the pipe open); settings answer normally.
    const normal = fakeApiclient();
    const script = normal.replace(
      'case "$*" in',
      'case "$*" in\n  \'report cis-k8s -f json\') (sleep 60 &) ; sleep 60 ;;',
    );

    // Act
    const { evidence, seconds } = timed(control(script));

    // Assess
    expect(seconds).toBeLessThan(20);
    expect(evidence.bottlerocket?.errors).toEqual(['apiclient report cis-k8s: timed out after 10s']);
    expect(evidence.bottlerocket?.settings).toMatchObject({ 'standalone-mode': false });
  }, 30_000);

  it('an apiclient that prints 10 MB is cut off and its answer ignored', () => {
    // Act
    const { evidence, seconds, run } = timed(
      control(
        `#!/bin/sh\nprintf '{"level":1,"status":"PASS","results":{'\nhead -c 10000000 /dev/zero | tr '\\\\0' '${'a'}'\n`,
      ),
    );

    // Assess
    expect(seconds).toBeLessThan(10);
    expect(evidence.bottlerocket?.errors).toEqual([
      'apiclient report cis-k8s: more than 65536 bytes of output',
      'apiclient get settings.kubernetes: more than 65536 bytes of output',
    ]);
    expect(run.stdout.length).toBeLessThan(24_000);
  });

  it('a report with JSON-breaking text in a title stays valid JSON and carries no raw control byte', () => {
    const report = fakeApiclient().replace(
      'Ensure that a limit is set on pod PIDs',
      `Ensure\\u0007 ${CANARY}\\u001b[31m`,
    );
    const { evidence, run } = timed(control(report));
    expect(/^[\x20-\x7e\n]*$/.test(run.stdout)).toBe(true);
    expect(evidence.bottlerocket?.cisReport?.checks.find((c) => c.id === '4.2.13')?.title).toBe(
      `Ensure\\u0007 ${CANARY}\\u001b[31m`,
    );
  });
});
