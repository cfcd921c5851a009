/**
 * Reading a command's invocations (ListCommandInvocations, a page per 50 nodes) and answering its
 * nodes from them. A terminal invocation is recorded as its page arrives; what the read decides about
 * the others depends on its mode:
 * - 'confirm': done only when every target has a terminal invocation, or no more than `keepRunning`
 *   still run (returned as stragglers, to be fetched one by one); otherwise nothing more is recorded.
 * - 'final' and 'deadline': records what there is (the unfinished as such).
 */
import { type CommandInvocation, paginateListCommandInvocations } from '@aws-sdk/client-ssm';
import { EC2_ID_CHUNK } from '../discovery.ts';
import { LIST_PAGE, PENDING_INVOCATION } from './limits.ts';
import { failedInvocationOutcome, notAssessed, record, successOutcome } from './outcomes.ts';
import type { CollectionState } from './state.ts';

export type ReadMode = 'confirm' | 'final' | 'deadline';

/**
 * Told, as each of the last pages of the command's `targetCount` invocations is asked for (at most
 * EC2_ID_CHUNK invocations left), which targets are not listed yet and how many invocations those
 * pages still hold.
 */
export interface LastPages {
  readonly targetCount: number;
  readonly onRequest: (notYetListed: string[], remaining: number) => void;
}

export interface PageReadOptions {
  readonly mode: ReadMode;
  /** A tag-targeted command: targets SSM did not list are returned as `untargeted`, not waited for. */
  readonly tagTargeted?: boolean;
  /**
   * Confirm mode: up to this many targets may still run; they are returned as `stragglers` (not
   * answered) and the rest is recorded, so a few slow nodes do not hold back a whole group's reads.
   */
  readonly keepRunning?: number | undefined;
  /** Waited for before each page is asked for (an early read's pace). */
  readonly beforePage?: (() => Promise<void>) | undefined;
  readonly lastPages?: LastPages | undefined;
}

export interface PageRead {
  /** False: a confirm read found too many nodes still running and recorded only the terminal ones. */
  readonly done: boolean;
  readonly untargeted: readonly string[];
  readonly stragglers: readonly string[];
}

const NOT_DONE: PageRead = { done: false, untargeted: [], stragglers: [] };

export async function readInvocations(
  state: CollectionState,
  commandId: string,
  read: PageReadOptions,
): Promise<PageRead> {
  const targets = state.commandTargets.get(commandId) ?? [];
  const { listed, unfinished } = await listPages(state, { commandId, targets, read });
  // A tag command lists what SSM resolved the tag to (it is read only once TargetCount is known); a
  // node of the scan not among them was not targeted, and no poll will change that.
  const byTag = read.tagTargeted === true && read.mode !== 'deadline';
  const targeted = byTag ? targets.filter((id) => listed.has(id)) : targets;
  const untargeted = byTag ? targets.filter((id) => !listed.has(id)) : [];
  let stragglers: string[] = [];
  if (read.mode === 'confirm') {
    const notEnded = new Set(unfinished.map((i) => i.InstanceId));
    const running = targeted.filter((id) => !listed.has(id) || notEnded.has(id));
    if (running.length > (read.keepRunning ?? 0)) return NOT_DONE;
    stragglers = running;
  }
  const atDeadline = read.mode === 'deadline';
  const later = new Set(stragglers);
  for (const invocation of unfinished) {
    if (!later.has(invocation.InstanceId ?? ''))
      answerUnfinished(state, { commandId, invocation, atDeadline });
  }
  if (atDeadline) {
    for (const id of targets) {
      if (!state.outcomes.has(id)) {
        state.outcomes.set(
          id,
          notAssessed(id, 'DEADLINE', 'scan deadline reached before SSM reported this node', commandId),
        );
      }
    }
  }
  return { done: true, untargeted, stragglers };
}

interface Unfinished {
  readonly commandId: string;
  readonly invocation: CommandInvocation;
  readonly atDeadline: boolean;
}

function answerUnfinished(state: CollectionState, { commandId, invocation, atDeadline }: Unfinished): void {
  const id = invocation.InstanceId ?? '';
  const status = invocation.Status ?? '';
  const details = invocation.StatusDetails;
  const expiresAt = state.expiresAtMs.get(commandId);
  // Not picked up yet: SSM keeps trying until the command expires (delivery + execution timeout).
  const undelivered =
    status === 'Pending' || status === 'Delayed'
      ? `; the agent had not picked the command up${expiresAt ? ` (SSM would keep trying until ${new Date(expiresAt).toISOString()})` : ''}`
      : '';
  state.outcomes.set(
    id,
    notAssessed(
      id,
      atDeadline ? 'DEADLINE' : 'SSM_PENDING',
      atDeadline
        ? `scan deadline reached while the SSM invocation was ${status}${details && details !== status ? ` (${details})` : ''}${undelivered}`
        : `SSM invocation still ${status} although its command is no longer executing`,
      commandId,
      { ssmStatus: status },
    ),
  );
}

interface ListPagesInput {
  readonly commandId: string;
  readonly targets: readonly string[];
  readonly read: PageReadOptions;
}

interface Listing {
  /** Targets of the scan the pages listed. */
  readonly listed: Set<string>;
  /** Their invocations that are not terminal yet. */
  readonly unfinished: CommandInvocation[];
}

async function listPages(
  state: CollectionState,
  { commandId, targets, read }: ListPagesInput,
): Promise<Listing> {
  const pages = paginateListCommandInvocations(
    { client: state.ssm, pageSize: LIST_PAGE },
    { CommandId: commandId, Details: true },
  );
  const wanted = new Set(targets);
  const listing: Listing = { listed: new Set(), unfinished: [] };
  const { lastPages, beforePage } = read;
  /** Invocations listed so far, ours or not (the tag may also reach nodes the scan does not send to). */
  let seen = 0;
  const tellLastPages = (remaining: number): void => {
    if (!lastPages || remaining <= 0 || remaining > EC2_ID_CHUNK) return;
    lastPages.onRequest(
      targets.filter((id) => !listing.listed.has(id)),
      remaining,
    );
  };
  tellLastPages(lastPages?.targetCount ?? 0);
  // The next page is asked for before this one is evaluated: evaluating a page of 50 outputs takes
  // most of the time its call does, and one after the other a large group would be read well below
  // SSM's page rate.
  const iterator = pages[Symbol.asyncIterator]();
  const fetchPage = beforePage ? () => beforePage().then(() => iterator.next()) : () => iterator.next();
  for (let next = fetchPage(); ; ) {
    const result = await next;
    if (result.done) break;
    next = fetchPage();
    // Should this page's evaluation throw, the prefetched call must not become an unhandled rejection.
    next.catch(() => undefined);
    const page = result.value;
    const invocations = page.CommandInvocations ?? [];
    for (const invocation of invocations) {
      if (invocation.InstanceId && wanted.has(invocation.InstanceId))
        listing.listed.add(invocation.InstanceId);
    }
    if (page.NextToken) {
      seen += invocations.length;
      if (lastPages) tellLastPages(lastPages.targetCount - seen);
    }
    listing.unfinished.push(...(await recordPage(state, { commandId, invocations, wanted })));
  }
  return listing;
}

interface PageToRecord {
  readonly commandId: string;
  readonly invocations: readonly CommandInvocation[];
  readonly wanted: ReadonlySet<string>;
}

/** Records the page's terminal invocations of the scan's nodes; returns the others. */
async function recordPage(state: CollectionState, page: PageToRecord): Promise<CommandInvocation[]> {
  const unfinished: CommandInvocation[] = [];
  for (const invocation of page.invocations) {
    const id = invocation.InstanceId;
    if (!id || !page.wanted.has(id)) continue;
    const status = invocation.Status ?? '';
    if (PENDING_INVOCATION.has(status)) unfinished.push(invocation);
    // A terminal invocation's answer is final whatever the rest of the command shows, so it is recorded
    // as its page arrives: evaluation and import go on while a large group's other pages are read. A
    // read that is then thrown away keeps these; the next read of the command skips them.
    else if (!state.outcomes.has(id)) {
      if (status === 'Success') {
        record(state, await successOutcome(state, invocation, page.commandId), page.commandId);
      } else state.outcomes.set(id, failedInvocationOutcome(invocation));
    }
  }
  return unfinished;
}
