import { describe, expect, it } from 'vitest';
import { EarlyReads } from '../../functions/aws/early-reads.ts';

describe('EarlyReads', () => {
  it('lets a read take at most half of the budget left, from 1.5 % of the nodes scanned', () => {
    // Prepare: two clusters of 1,000 nodes: 30 stragglers in all.
    const early = new EarlyReads();
    early.addNodes(1_000);
    early.addNodes(1_000);
    // Act + Assess: 16 is more than half of 30; 15 is not; then 8 of the 15 left is too many, 7 is not.
    expect(early.claim(16)).toBe(false);
    expect(early.claim(15)).toBe(true);
    expect(early.claim(8)).toBe(false);
    expect(early.claim(7)).toBe(true);
    expect(early.remaining).toBe(8);
  });

  it('lets a group be read early only while fewer than two reads are in flight', () => {
    // Prepare
    const early = new EarlyReads();
    early.addNodes(10_000);
    // Act + Assess
    early.begin();
    expect(early.claim(1)).toBe(true);
    early.begin();
    expect(early.claim(1)).toBe(false);
    early.end();
    expect(early.claim(1)).toBe(true);
  });
});
