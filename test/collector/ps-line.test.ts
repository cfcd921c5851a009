/**
 * renderPsLine rebuilds the `ps -ef` line procps-ng would print, from the facts the collector read.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { KubeletProcess } from '../../functions/collector/evidence-schema.ts';
import { formatCpuTime, formatStime, PS_EF_HEADER, renderPsLine } from '../../functions/collector/ps-line.ts';
import { nodePresets } from '../sim/node-tree.ts';
import { cleanupRoots, collect, evidenceOf } from './run-collector.ts';

afterAll(cleanupRoots);

// 2026-11-28T00:00:00Z
const NOW = 1_795_824_000;

const kubelet: KubeletProcess = {
  pid: 3187,
  ppid: 1,
  uid: 0,
  argv: ['/usr/bin/kubelet', '--config', '/etc/kubernetes/kubelet/config.json'],
  startSecondsSinceBoot: 24,
  cpuSeconds: 2481.13,
};

describe('renderPsLine', () => {
  it('renders the columns of ps -ef, aligned under its header', () => {
    const line = renderPsLine(kubelet, { uptimeSeconds: 86_424, nowEpochSeconds: NOW });

    expect(line).toBe(
      'root        3187       1  2 Nov27 ?        00:41:21 /usr/bin/kubelet --config /etc/kubernetes/kubelet/config.json',
    );
    expect(line.indexOf('3187') + 4).toBe(PS_EF_HEADER.indexOf('PID') + 3);
    expect(line.indexOf('00:41:21') + 8).toBe(PS_EF_HEADER.lastIndexOf('TIME') + 4);
  });

  it('shows a non-root uid as a number or through a user map, and unknown facts as "?"', () => {
    const bare: KubeletProcess = { pid: 42, argv: ['kubelet', 'bad\u0007arg'], uid: 1000 };

    expect(renderPsLine(bare, {})).toBe(
      '1000          42       ?  ? ?     ?               ? kubelet bad?arg',
    );
    expect(renderPsLine(bare, {}, { users: { 1000: 'ec2-user' } }).startsWith('ec2-user      42')).toBe(true);
    expect(renderPsLine({ ...bare, argvCut: true }, {}).endsWith('bad?arg …')).toBe(true);
  });

  it('renders the line for a collected AL2 node', () => {
    const ev = evidenceOf(collect(nodePresets.al2()));
    const [k] = ev.kubelets;

    const line = renderPsLine(k!, ev.host);

    expect(line).toMatch(/^root {8}3187 {7}1 {2}2 \S{5} \? {8}00:41:21 \/usr\/bin\/kubelet --config /);
  });
});

describe('formatStime / formatCpuTime', () => {
  it.each([
    [NOW - 3600, '23:00'],
    [NOW - 2 * 86400, 'Nov26'],
    [NOW - 400 * 86400, '2025'],
  ])('start %i → %s', (start, expected) => {
    expect(formatStime(start, NOW)).toBe(expected);
  });

  it('uses the given time zone', () => {
    expect(formatStime(NOW - 3600, NOW, 'Asia/Tokyo')).toBe('08:00');
  });

  it.each([
    [0, '00:00:00'],
    [59.99, '00:00:59'],
    [3661, '01:01:01'],
    [90061, '1-01:01:01'],
  ])('%f s → %s', (seconds, expected) => {
    expect(formatCpuTime(seconds)).toBe(expected);
  });
});
