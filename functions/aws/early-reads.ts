/**
 * Reading a node group before its usual time while the invocation reads nothing else. A group is
 * normally read once all but a few of its nodes are done (run-command.ts stragglerAllowance), so in
 * the first seconds of a scan, while every group still runs, SSM's read quota sits idle and every
 * group becomes readable at about the same time: the scan is then bound by reading 50 invocations a
 * page at 10 pages a second from that moment. Read early, a group leaves more of its nodes as
 * stragglers (each then costs a GetCommandInvocation or so), so early reads draw from a budget of
 * stragglers: 1 % of the nodes scanned, about 13 calls per 1,000 nodes at most. Only one read at a
 * time may start early, and only when no read is in flight in the invocation: once reads queue for
 * the quota, an early read would only take the turn of a group that is done.
 */
export class EarlyReads {
  private inFlight = 0;
  private budget = 0;

  /** A cluster scan adds its share of the budget when it starts collecting. */
  addNodes(nodes: number): void {
    this.budget += nodes * EARLY_STRAGGLER_SHARE;
  }

  /** Whether a group may be read now leaving `stragglers` running; if so, they are taken from the budget. */
  claim(stragglers: number): boolean {
    if (this.inFlight > 0 || stragglers > this.budget) return false;
    this.budget -= stragglers;
    return true;
  }

  /** Every read of invocations, early or not, between these two calls. */
  begin(): void {
    this.inFlight++;
  }

  end(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }

  get remaining(): number {
    return this.budget;
  }
}

/** Share of the scanned nodes that early reads may leave as stragglers. */
export const EARLY_STRAGGLER_SHARE = 0.01;
/** An early read leaves at most this share of its group running. */
export const EARLY_GROUP_SHARE = 0.05;
