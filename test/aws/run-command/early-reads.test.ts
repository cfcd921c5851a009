import { describe, expect, it } from 'vitest';
import {
  EARLY_FREE_NODES,
  EARLY_PAGES_PER_SECOND,
  EARLY_STRAGGLER_SHARE,
  EarlyReads,
} from '../../../functions/aws/run-command/early-reads.ts';

const STEP = 1_000 / EARLY_PAGES_PER_SECOND;

/** Early reads and a clock whose sleeps advance it; `pace` asks for a page at `at` (default: now). */
function pacing() {
  const early = new EarlyReads();
  const clock = { now: 0 };
  const waits: number[] = [];
  const sleep = async (ms: number) => {
    waits.push(ms);
    clock.now += ms;
  };
  return { clock, waits, pace: (at = clock.now) => early.pace(at, sleep) };
}

describe('EarlyReads', () => {
  it('lets a read take at most 65 % of the budget left, from 2.5 % of the nodes scanned beyond 1,000', () => {
    // Prepare: two clusters of 1,400 nodes: 45 stragglers in all.
    const early = new EarlyReads();
    early.addNodes(1_400);
    early.addNodes(1_400);
    // Act + Assess: 30 is more than 65 % of 45 (29.25); 29 is not; then 11 of the 16 left is too many
    // (10.4), 10 is not.
    expect(early.claim(30)).toBe(false);
    expect(early.claim(29)).toBe(true);
    expect(early.claim(11)).toBe(false);
    expect(early.claim(10)).toBe(true);
    expect(early.remaining).toBeCloseTo(6);
  });

  it("spaces early reads' pages together at the read quota's refill rate, and waits for none after a pause", async () => {
    // Prepare
    const { clock, waits, pace } = pacing();
    // Act: three pages asked for at once (two reads side by side), then one after a pause.
    await Promise.all([pace(0), pace(0), pace(0)]);
    clock.now += 1_000;
    await pace();
    // Assess: the second and third wait one and two steps; the one after the pause does not wait.
    expect(waits).toEqual([STEP, 2 * STEP]);
  });

  it('lets a page asked for after its slot take the slots missed in the last 300 ms, no older ones', async () => {
    // Prepare: one page asked for at 0 (its slot; the next is at 100).
    const { clock, waits, pace } = pacing();
    await pace();
    // Act: the next pages are asked for late, at 250 ms (slots 100 and 200 were missed).
    clock.now = 250;
    await pace();
    await pace();
    await pace();
    // Assess: the first two take the missed slots at once; the third waits for its own (300).
    expect(waits).toEqual([300 - 250]);
    // Act: after a pause (slots 400-1,400 missed), four pages asked for at 1,500.
    waits.length = 0;
    clock.now = 1_500;
    for (let i = 0; i < 4; i++) await pace();
    // Assess: three take slots 1,200-1,400 (the last 300 ms) and the fourth its own (1,500), at once;
    // none of the older ones: a fifth waits a step.
    expect(waits).toEqual([]);
    await pace();
    expect(waits).toEqual([STEP]);
  });

  it('gives the first 1,000 nodes no stragglers: their pages are the read quota burst', () => {
    // Prepare
    const early = new EarlyReads();
    early.addNodes(600);
    early.addNodes(400);
    // Act + Assess
    expect(early.claim(1)).toBe(false);
    early.addNodes(200);
    expect(early.remaining).toBeCloseTo(5);
    expect(early.claim(1)).toBe(true);
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

describe('EarlyReads.fill', () => {
  it('starts the groups of every scan nearest their end first, until a claim is refused', () => {
    // Prepare: a budget of 150 stragglers; two scans' candidates.
    const early = new EarlyReads();
    early.addNodes(EARLY_FREE_NODES + 150 / EARLY_STRAGGLER_SHARE);
    const started: string[] = [];
    const candidate = (name: string, running: number) => ({
      running,
      start: () => {
        started.push(name);
        early.begin();
      },
    });
    early.register({ candidates: () => [candidate('a-far', 90), candidate('a-near', 10)] });
    const unregister = early.register({ candidates: () => [candidate('b-mid', 30)] });
    // Act
    early.fill();
    // Assess: 10 then 30 (two reads in flight); 90 is not tried.
    expect(started).toEqual(['a-near', 'b-mid']);
    unregister();
    early.end();
    early.end();
    started.length = 0;
    early.fill();
    // Assess: b's source is gone; a-far's 90 is more than half of the 110 left, a-near's 10 is not.
    expect(started).toEqual(['a-near']);
  });
});
