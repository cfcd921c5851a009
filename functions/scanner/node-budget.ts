/**
 * How many nodes the cluster scans of one invocation may have in flight together (memory: each node
 * in flight holds its answer, its findings until imported, and its share of the pages being read).
 * A scan asks for its nodes once discovery has counted them and keeps them until it has reported;
 * scans are admitted in the order they asked, and one larger than the whole budget runs alone.
 */
export class NodeBudget {
  private inUse = 0;
  private readonly queue: { nodes: number; admit: () => void }[] = [];

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`node budget must be at least 1, got ${capacity}`);
  }

  /** Resolves, once admitted, with the amount to give back to `release`. */
  acquire(nodes: number): Promise<number> {
    const want = Math.min(Math.max(0, nodes), this.capacity);
    if (this.queue.length === 0 && this.inUse + want <= this.capacity) {
      this.inUse += want;
      return Promise.resolve(want);
    }
    return new Promise((resolve) => this.queue.push({ nodes: want, admit: () => resolve(want) }));
  }

  release(nodes: number): void {
    this.inUse = Math.max(0, this.inUse - nodes);
    while (this.queue.length > 0) {
      const next = this.queue[0] as { nodes: number; admit: () => void };
      if (this.inUse + next.nodes > this.capacity) break;
      this.queue.shift();
      this.inUse += next.nodes;
      next.admit();
    }
  }

  get nodesInFlight(): number {
    return this.inUse;
  }

  get waiting(): number {
    return this.queue.length;
  }
}

/**
 * The default budget for a function of `memoryMb`: what is left after the runtime, the bundle and
 * the SDK clients (about 160 MB at rest), at about 30 KB a node in flight (measured peaks per fleet
 * shape: docs/performance.md).
 */
export function defaultNodeBudget(memoryMb: number): number {
  return Math.max(500, Math.floor(((memoryMb - 160) * 1024) / 30));
}
