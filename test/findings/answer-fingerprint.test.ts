import { describe, expect, it } from 'vitest';
import { controls } from '../../functions/controls/index.ts';
import { answerFingerprint, findingContext } from '../../functions/findings/answer-fingerprint.ts';
import { cluster, control, node, result, scope } from './fixtures.ts';

const context = findingContext({ scope, cluster, catalog: [control] });
const psLine = (c: string, stime: string, time: string) =>
  `root      2001     1  ${c} ${stime} ?        ${time} /usr/bin/kubelet --config /etc/kubernetes/kubelet/config.json`;
const answer = (extra: Partial<Parameters<typeof result>[1]> = {}) => ({
  results: [
    result('FAILED', { evidence: { kubeletCommand: psLine('1', 'Nov01', '00:10:00'), ...extra.evidence } }),
  ],
  collectorVersion: '1.4.0',
  filesRead: ['/etc/kubernetes/kubelet/config.json'],
  nodeOs: 'Amazon Linux 2023',
});

describe('answerFingerprint', () => {
  it('is the same for the same answer, whatever the moving columns of the ps line say', () => {
    const a = answerFingerprint({ context, node, answer: answer() });
    const later = answerFingerprint({
      context,
      node,
      answer: answer({ evidence: { kubeletCommand: psLine('3', '12:00', '01:20:00') } }),
    });

    expect(later).toBe(a);
  });

  it.each([
    ['the status', { results: [result('PASSED')] }],
    ['the reason', { results: [result('FAILED', { reason: 'another reason' })] }],
    ['the evidence', { results: [result('FAILED', { evidence: { configValue: 'false' } })] }],
    [
      'a restarted kubelet (new PID)',
      {
        results: [
          result('FAILED', {
            evidence: { kubeletCommand: psLine('1', 'Nov01', '00:10:00').replace('2001', '2002') },
          }),
        ],
      },
    ],
    [
      'the files read',
      { filesRead: ['/etc/kubernetes/kubelet/config.json', '/etc/kubernetes/kubelet/config.json.d/40.conf'] },
    ],
    ['the OS', { nodeOs: 'Amazon Linux 2' }],
    ['the collector version', { collectorVersion: '1.5.0' }],
    ['the reason code', { reasonCode: 'SSM_OFFLINE' }],
  ])('changes with %s', (_what, change) => {
    const base = answerFingerprint({ context, node, answer: answer() });

    expect(answerFingerprint({ context, node, answer: { ...answer(), ...change } })).not.toBe(base);
  });

  it('changes with the node as discovered and with what every finding shares', () => {
    const base = answerFingerprint({ context, node, answer: answer() });
    const upgraded = findingContext({ scope, cluster: { ...cluster, version: '1.34' }, catalog: [control] });
    const reworded = findingContext({
      scope,
      cluster,
      catalog: [{ ...control, remediation: { ...control.remediation, short: 'Reworded.' } }],
    });

    expect(
      answerFingerprint({ context, node: { ...node, instanceType: 'm7i.large' }, answer: answer() }),
    ).not.toBe(base);
    expect(answerFingerprint({ context: upgraded, node, answer: answer() })).not.toBe(base);
    expect(answerFingerprint({ context: reworded, node, answer: answer() })).not.toBe(base);
  });

  it('works out a context for the whole catalog', () => {
    expect(findingContext({ scope, cluster, catalog: controls })).toMatch(/^[\w-]{11}$/);
    expect(findingContext({ scope, cluster, catalog: controls })).not.toBe(
      findingContext({ scope, cluster, catalog: controls.slice(1) }),
    );
  });
});
