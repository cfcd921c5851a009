import { describe, expect, it } from 'vitest';
import { EarlyReads } from '../../functions/aws/early-reads.ts';

describe('EarlyReads', () => {
  it('lets a group be read early only while nothing is read, within 1 % of the nodes as stragglers', () => {
    // Prepare: two clusters of 1,000 nodes: 20 stragglers in all.
    const early = new EarlyReads();
    early.addNodes(1_000);
    early.addNodes(1_000);
    // Act + Assess
    expect(early.claim(15)).toBe(true);
    early.begin();
    expect(early.claim(1)).toBe(false);
    early.end();
    expect(early.claim(6)).toBe(false);
    expect(early.claim(5)).toBe(true);
    expect(early.remaining).toBe(0);
  });
});
