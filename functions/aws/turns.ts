/**
 * Turns at something that a few callers at a time do best, served first come first served (an
 * async semaphore). `take` waits for a turn and returns the function that ends it (calling it again
 * does nothing).
 */
export class Turns {
  private taken = 0;
  private readonly queue: (() => void)[] = [];

  constructor(readonly atOnce: number) {
    if (!(atOnce >= 1)) throw new RangeError(`turns at once must be at least 1, got ${atOnce}`);
  }

  async take(): Promise<() => void> {
    if (this.taken < this.atOnce) this.taken++;
    else await new Promise<void>((resolve) => this.queue.push(resolve));
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      // The turn passes to the first waiting caller, or is given back.
      const next = this.queue.shift();
      if (next) next();
      else this.taken--;
    };
  }
}
