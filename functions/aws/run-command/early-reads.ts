import { Turns } from '../turns.ts';

/**
 * Reading a node group before its usual time while SSM's read quota would otherwise sit idle. A group
 * is normally read once all but a few of its nodes are done (stragglers.ts stragglerAllowance), so in
 * the first seconds of a scan, while every group still runs, nothing is read, and then every group
 * becomes readable at about the same time: the scan is bound by reading 50 invocations a page at 10
 * pages a second from that moment. Read early, a group leaves its unfinished nodes as stragglers (each
 * then costs a GetCommandInvocation or so), so early reads draw from a budget of stragglers, a share of
 * the nodes scanned beyond the first 1,000. A larger budget starts the reads sooner but not the scan's
 * end: the stragglers' GetCommandInvocations become the queue. A smaller one starts them too late to
 * read every page before the last nodes end (docs/performance.md has the measurements behind the
 * figures below).
 *
 * How the budget is spent follows from when reads pay: a page read a second sooner leaves more of its
 * nodes running the sooner it is (the run times' tail thins out), so the cheapest way to keep the
 * quota busy from early on is a few costly reads first and ever cheaper ones after. A claim may take
 * at most a share of what is left (the first group read early has the most nodes running, the next
 * ones fewer), and groups are read early only while fewer than two reads are in flight: one group's
 * NextToken chain reaches about 7 pages a second, two fill the quota, and more would only take the
 * turn of groups that are done. Candidates are weighed across every cluster scan of the invocation
 * (`fill`), after each poll and whenever a read ends.
 *
 * Early reads together list the quota's refill rate at most (`pace`; a late page may make up the slots
 * of the last EARLY_PACE_CATCH_UP_MS): the quota's burst of 20 pages is worth most at the end, when
 * every group is done and a page costs no straggler, not in the first seconds, when it would read 20
 * pages at once at the highest share of nodes still running (the end comes at the same time: the
 * quota lists as many pages either way from the first read on).
 */
/** A group that could be read early: the nodes it would leave running, and how to start its read. */
export interface EarlyCandidate {
  readonly running: number;
  /** Starts the read (counted in flight at once, before it returns). */
  readonly start: () => void;
}

export interface EarlySource {
  candidates(): EarlyCandidate[];
}

export class EarlyReads {
  private readonly sources = new Set<EarlySource>();
  private inFlight = 0;
  private nodes = 0;
  /** Stragglers claimed, less those given back. */
  private spent = 0;
  private readonly turns = new Turns(READS_AT_ONCE);
  /** When the next early page may be asked for (pace). */
  private nextPageMs = 0;

  /**
   * Waits for an early read's next page: early reads together list the read quota's refill rate at
   * most, so its burst is left for the end, when every group is done and a page costs no straggler.
   */
  async pace(nowMs: number, sleep: (ms: number) => Promise<void>): Promise<void> {
    // A page asked for after its slot (a NextToken chain waits for its previous page, about 100 ms;
    // between two reads the next must be chosen and started) may take the slots missed in the last
    // EARLY_PACE_CATCH_UP_MS: a slot left unused while the quota is full is lost for good, and such
    // slips add up to whole seconds before the last groups are read. Slots older than that are let go
    // (3 pages at once is the most this takes from the quota's burst of 20).
    const at = Math.max(nowMs - EARLY_PACE_CATCH_UP_MS, this.nextPageMs);
    this.nextPageMs = at + 1_000 / EARLY_PAGES_PER_SECOND;
    if (at > nowMs) await sleep(at - nowMs);
  }

  /** A cluster scan adds its share of the budget when it starts collecting. */
  addNodes(nodes: number): void {
    this.nodes += nodes;
  }

  /**
   * The stragglers early reads may still leave. The first 1,000 nodes earn none: their 20 pages are
   * the read quota's burst, read at once when their groups end, so reading them early gains nothing
   * and costs calls (stragglers fetched one by one for no time saved).
   */
  get remaining(): number {
    return Math.max(0, this.nodes - EARLY_FREE_NODES) * EARLY_STRAGGLER_SHARE - this.spent;
  }

  /**
   * A cluster scan's groups that could be read early now (the unregister function is returned).
   * Side by side, `fill` chooses among the groups of every scan: the scan whose poll is handled first
   * would otherwise take the budget for groups further from their end than another scan's.
   */
  register(source: EarlySource): () => void {
    this.sources.add(source);
    return () => this.sources.delete(source);
  }

  /**
   * Starts early reads while the rules allow, the group nearest its end first (it leaves the fewest
   * stragglers). Called after each poll and whenever a read ends: waiting for the next poll would
   * leave the quota idle for up to a second between two early reads.
   */
  fill(): void {
    const candidates = [...this.sources].flatMap((source) => source.candidates());
    candidates.sort((a, b) => a.running - b.running);
    for (const candidate of candidates) {
      if (!this.claim(candidate.running)) break;
      candidate.start();
    }
  }

  /** Whether a group may be read now leaving `stragglers` running; if so, they are taken from the budget. */
  claim(stragglers: number): boolean {
    if (this.inFlight >= EARLY_READS_IN_FLIGHT || stragglers > this.remaining * EARLY_CLAIM_SHARE)
      return false;
    this.spent += stragglers;
    return true;
  }

  /** Gives back what a claim took for nodes that had ended by the time they were read. */
  refund(stragglers: number): void {
    this.spent -= Math.max(0, stragglers);
  }

  /** Every read of invocations, early or not, between these two calls. */
  begin(): void {
    this.inFlight++;
  }

  end(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }

  /**
   * Waits for a read's turn to list pages, first come first served; the returned function ends the
   * turn. Side by side, every cluster scan of the invocation reads through the same turns: a few
   * NextToken chains at once already fill the quota, and more would each advance a page at a time in
   * turn (ten groups read over ten seconds instead of one after the other), so every group would end
   * late, its stragglers found late, and the last groups read while their nodes still ran.
   */
  turn(): Promise<() => void> {
    return this.turns.take();
  }
}

/*
 * Tuning: each constant trades calls (stragglers left by early reads) against how soon the read quota
 * is put to work; docs/performance.md has the measurements.
 */
/** Pages a second early reads list together: the read quota's refill rate (10/s assumed). */
export const EARLY_PAGES_PER_SECOND = 10;
/** The missed slots a late page may take (3 pages at 10 a second): lost slots against the burst. */
export const EARLY_PACE_CATCH_UP_MS = 300;
/** Share of the scanned nodes early reads may leave as stragglers: reads sooner against more calls. */
export const EARLY_STRAGGLER_SHARE = 0.025;
/** Nodes whose pages the read quota's burst covers (20 pages of 50): they earn no stragglers. */
export const EARLY_FREE_NODES = 1_000;
/** Share of the budget left one early read may take: an early first read against later ones. */
export const EARLY_CLAIM_SHARE = 0.65;
/** Reads in flight (of any kind) below which a group may be read early: a busy quota against turns. */
export const EARLY_READS_IN_FLIGHT = 2;
/** NextToken chains listing at once in one invocation (about 7 pages a second each, 10 allowed). */
export const READS_AT_ONCE = 3;
