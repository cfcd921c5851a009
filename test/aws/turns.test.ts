import { describe, expect, it } from 'vitest';
import { Turns } from '../../functions/aws/turns.ts';

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('Turns', () => {
  it('gives out as many turns at once as it has, then hands each ended turn to the caller that waited longest', async () => {
    // Prepare: two turns, both taken; a and b wait.
    const turns = new Turns(2);
    const ends = await Promise.all([turns.take(), turns.take()]);
    const started: string[] = [];
    const waiting = ['a', 'b'].map((name) =>
      turns.take().then((end) => {
        started.push(name);
        return end;
      }),
    );
    await tick();
    expect(started).toEqual([]);
    // Act: one turn ends, twice (the second call must not free another turn).
    ends[0]?.();
    ends[0]?.();
    await tick();
    // Assess
    expect(started).toEqual(['a']);
    ends[1]?.();
    const [endA, endB] = await Promise.all(waiting);
    expect(started).toEqual(['a', 'b']);
    // Both given back: two turns are free again at once.
    endA?.();
    endB?.();
    const again: number[] = [];
    void turns.take().then(() => again.push(1));
    void turns.take().then(() => again.push(2));
    void turns.take().then(() => again.push(3));
    await tick();
    expect(again).toEqual([1, 2]);
  });

  it('refuses fewer than one turn', () => {
    // Act + Assess
    expect(() => new Turns(0)).toThrow(RangeError);
  });
});
