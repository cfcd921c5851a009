import { describe, expect, it } from 'vitest';
import { defaultNodeBudget, NodeBudget } from '../../functions/scanner/node-budget.ts';

/** Lets queued admissions run (they resolve in microtasks). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('NodeBudget', () => {
  it('admits scans while their nodes fit, then in the order they asked as nodes are released', async () => {
    // Prepare: 1,000 nodes of budget, two scans of 600 and 300 in flight.
    const budget = new NodeBudget(1_000);
    const a = await budget.acquire(600);
    await budget.acquire(300);
    const admitted: string[] = [];
    // Act: 200 do not fit now; 50 would, but must not overtake the scan that asked first.
    void budget.acquire(200).then(() => admitted.push('c'));
    void budget.acquire(50).then(() => admitted.push('d'));
    await settle();
    const before = [...admitted];
    budget.release(a);
    await settle();
    // Assess
    expect(before).toEqual([]);
    expect(admitted).toEqual(['c', 'd']);
    expect(budget.nodesInFlight).toBe(550);
  });

  it('runs a scan larger than the whole budget alone, once the others are done', async () => {
    // Prepare
    const budget = new NodeBudget(1_000);
    const small = await budget.acquire(100);
    let admitted = false;
    // Act
    const big = budget.acquire(5_000).then((held) => {
      admitted = true;
      return held;
    });
    await settle();
    const whileSmallRuns = admitted;
    budget.release(small);
    // Assess: it holds the whole budget, so nothing runs beside it.
    expect(whileSmallRuns).toBe(false);
    expect(await big).toBe(1_000);
    expect(budget.nodesInFlight).toBe(1_000);
  });

  it('rejects an empty budget and grows the default with the function memory', () => {
    expect(() => new NodeBudget(0)).toThrow(RangeError);
    expect(defaultNodeBudget(512)).toBeGreaterThan(10_000);
    expect(defaultNodeBudget(1_024)).toBeGreaterThan(2 * defaultNodeBudget(512));
    expect(defaultNodeBudget(128)).toBe(500);
  });
});
