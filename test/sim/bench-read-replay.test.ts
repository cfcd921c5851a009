import { describe, expect, it } from 'vitest';
import { pagesByCommand, type ReplayInvocation, replayReads } from './bench/read-replay.ts';

/** `pages` pages of 50 invocations of one command whose nodes all end at `endS`. */
function command(name: string, pages: number, endS: number): ReplayInvocation[] {
  return Array.from({ length: pages * 50 }, (_, index) => ({ command: name, index, endS }));
}

const READ = { ratePerSecond: 10, burst: 20 };

describe('replayReads', () => {
  it('reads no page before its nodes end when no straggler may be asked for', () => {
    // Prepare: 30 pages whose nodes all end at 1 s.
    const invocations = command('a', 30, 1);
    // Act
    const result = replayReads(invocations, READ, { ratePerSecond: 0, burst: 0 });
    // Assess: the first page at 1 s, then 10 a second, the last 20 together (the burst) at 2 s.
    expect(result.firstReadS).toBeCloseTo(1, 1);
    expect(result.lastReadS).toBeCloseTo(2, 1);
    expect(result.stragglers).toBe(0);
  });

  it('reads one page before its nodes end when the second quota takes its 50 stragglers', () => {
    // Prepare
    const invocations = command('a', 30, 1);
    // Act
    const result = replayReads(invocations, READ, { ratePerSecond: 0, burst: 50 });
    // Assess: the first page a tenth of a second before its nodes end, all of them left running.
    expect(result.lastReadS).toBeCloseTo(1.9, 1);
    expect(result.stragglers).toBe(50);
  });

  it('reads first the group whose unread nodes run least, in listing order within a command', () => {
    // Prepare: command "late" ends at 5 s, command "early" at 1 s; 2 pages each; 1 page a second.
    const invocations = [...command('late', 2, 5), ...command('early', 2, 1)];
    // Act
    const result = replayReads(invocations, { ratePerSecond: 1, burst: 1 }, { ratePerSecond: 0, burst: 0 });
    // Assess: "early" at 3 and 4 s, "late" at 5 and 6 s (the other way round would end at 8 s).
    expect(result.lastReadS).toBeCloseTo(6, 1);
    expect(result.firstReadS).toBeCloseTo(3, 1);
  });

  it('pages a command in listing order, leaving offline nodes out of what must end', () => {
    // Prepare: 120 invocations; #0 never runs.
    const invocations = command('a', 3, 2)
      .slice(0, 120)
      .map((inv) => (inv.index === 0 ? { ...inv, endS: undefined } : inv));
    // Act
    const chains = pagesByCommand(invocations);
    // Assess
    expect(chains).toHaveLength(1);
    expect(chains[0]?.map((page) => page.length)).toEqual([49, 50, 20]);
  });
});
