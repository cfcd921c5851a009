/**
 * Reading a node group before its usual time while SSM's read quota would otherwise sit idle. A group
 * is normally read once all but a few of its nodes are done (run-command.ts stragglerAllowance), so in
 * the first seconds of a scan, while every group still runs, nothing is read, and then every group
 * becomes readable at about the same time: the scan is bound by reading 50 invocations a page at 10
 * pages a second from that moment. Read early, a group leaves its unfinished nodes as stragglers (each
 * then costs a GetCommandInvocation or so), so early reads draw from a budget of stragglers: 1.5 % of
 * the nodes scanned, about 15 calls per 1,000 nodes at most.
 *
 * How the budget is spent follows from when reads pay: a page read a second sooner leaves more of its
 * nodes running the sooner it is (the run times' tail thins out), so the cheapest way to keep the
 * quota busy from early on is a few costly reads first and ever cheaper ones after. A claim may take
 * at most half of what is left (in the 20-cluster bench, the first groups read early had about 10 %
 * of their nodes running, the next ones fewer), and groups are read early only while fewer than two reads are in flight: one
 * group's NextToken chain reaches about 7 pages a second, two fill the quota, and more would only
 * take the turn of groups that are done.
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
    if (this.inFlight >= EARLY_READS_IN_FLIGHT || stragglers > this.budget * EARLY_CLAIM_SHARE) return false;
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
export const EARLY_STRAGGLER_SHARE = 0.015;
/** Share of the budget left that one early read may take. */
export const EARLY_CLAIM_SHARE = 0.5;
/** Reads in flight (of any kind) below which a group may be read early. */
export const EARLY_READS_IN_FLIGHT = 2;
