/**
 * Stragglers: the few nodes of a tag-targeted group still running when its invocations were read.
 * Rather than hold back the whole group's read for them, each is fetched on its own
 * (GetCommandInvocation) once SSM's count shows that some invocation of the group ended.
 */
import {
  type CommandInvocation,
  GetCommandInvocationCommand,
  type GetCommandInvocationCommandOutput,
  paginateListCommandInvocations,
} from '@aws-sdk/client-ssm';
import { awsErrorName } from '../errors.ts';
import { LIST_PAGE, PENDING_INVOCATION, READ_PAGES_PER_SECOND } from './limits.ts';
import { mapLimit } from './map-limit.ts';
import { failedInvocationOutcome, record, successOutcome } from './outcomes.ts';
import type { CollectionState, TagCommand } from './state.ts';
import type { CollectionOutcome } from './types.ts';

/**
 * Stragglers a group's read may leave at least. One, not two: the slowest node of a group is often
 * seconds behind the others, the second slowest rarely, so a second one costs a call a group for no
 * time saved (docs/performance.md).
 */
const STRAGGLERS = 1;
/**
 * Share of a group's nodes that end in each second of its run times' tail (a long tail, median 1.5 s,
 * p99 8 s); it sets how many nodes end while a large group's pages are read (docs/performance.md).
 */
const TAIL_SHARE_PER_SECOND = 0.002;
/**
 * Stragglers asked for at once (GetCommandInvocation, paced from the invocation's shared bucket): many
 * stragglers at the end of a scan are found sooner, against more calls in flight on a shared quota
 * (docs/performance.md).
 */
const STRAGGLER_CONCURRENCY = 5;

/**
 * Nodes of a group of `size` that its read may leave running (fetched one by one later). The read
 * takes a page per 50 nodes, so it should start about that long before the group's last node ends: by
 * then the nodes that end during the read, size × read time × the tail's rate, are still running. That
 * grows with the square of the size: 1 (the least) up to about 650 nodes, 5 for 1,100, 49 for 3,500.
 * Each costs about one GetCommandInvocation (and a listing of those still InProgress now and then),
 * against the whole read started seconds later.
 */
export function stragglerAllowance(size: number): number {
  const readSeconds = Math.ceil(size / LIST_PAGE) / READ_PAGES_PER_SECOND;
  return Math.max(STRAGGLERS, Math.ceil(size * readSeconds * TAIL_SHARE_PER_SECOND));
}

/**
 * Nodes a read of a group of `size` may find still running and keep as stragglers rather than throw
 * the read away: its allowance, or as many as the group has pages, whichever is more. A read is started
 * on SSM's count (or a count that stood still), and by the time its pages arrive the count may have
 * been stale; fetching r stragglers one by one costs about r calls, reading the group again all its
 * pages and the wait for them.
 */
export function stragglersKeptAtRead(size: number): number {
  return Math.max(stragglerAllowance(size), Math.ceil(size / LIST_PAGE));
}

/**
 * Looks at a group's stragglers again, in the background (counted in `state.reading`). `ended`: SSM no
 * longer lists the command as executing, so every straggler has ended.
 */
export function startStragglerCheck(state: CollectionState, commandId: string, ended: boolean): void {
  const tag = state.tagCommands.get(commandId);
  if (!tag) return;
  const check = (async () => {
    try {
      const left = await checkStragglers(state, { commandId, tag, ended });
      tag.stragglers = left.length > 0 ? left : undefined;
      if (!tag.stragglers) state.pending.delete(commandId);
    } catch (error) {
      state.readError ??= error;
      state.pending.delete(commandId);
    } finally {
      state.reading.delete(commandId);
    }
  })();
  state.reading.set(commandId, check);
}

interface StragglerCheck {
  readonly commandId: string;
  readonly tag: TagCommand;
  readonly ended: boolean;
}

/** Records the stragglers that ended; returns those still running. */
async function checkStragglers(
  state: CollectionState,
  { commandId, tag, ended }: StragglerCheck,
): Promise<string[]> {
  // SSM counted `moved` more invocations done: once that many stragglers are found done, the others
  // cannot be (each would have moved the count), so they are not asked for this time.
  const moved = ended ? Number.POSITIVE_INFINITY : (tag.lastCompleted ?? 0) - (tag.completedAtRead ?? 0);
  tag.completedAtRead = tag.lastCompleted ?? tag.completedAtRead;
  const stragglers = tag.stragglers ?? [];
  // Asked blindly, the m that ended among s are found after about m(s + 1)/(m + 1) calls; from
  // s = m + 2 on, one listing of those still InProgress (a page per 50) plus m calls is no more.
  const listed = !ended && stragglers.length > moved + 1;
  const running = listed ? await inProgressInvocations(state, commandId) : new Set<string>();
  const left: string[] = [];
  if (!ended && !listed) {
    let found = 0;
    for (const id of stragglers) {
      const outcome = found < moved ? await stragglerOutcome(state, commandId, id) : undefined;
      if (outcome) {
        record(state, outcome, commandId);
        found++;
      } else left.push(id);
    }
    return left;
  }
  // Every straggler of an ended command, or those the listing no longer shows running, has ended (or
  // waits for pickup): all are to be asked, so side by side rather than one by one.
  const done = stragglers.filter((id) => !running.has(id));
  const answers = await mapLimit(done, STRAGGLER_CONCURRENCY, (id) => stragglerOutcome(state, commandId, id));
  done.forEach((id, i) => {
    const outcome = answers[i];
    if (outcome) record(state, outcome, commandId);
    else left.push(id);
  });
  left.push(...stragglers.filter((id) => running.has(id)));
  return left;
}

/**
 * Instances whose invocation of the command is still InProgress (the Status filter of
 * ListCommandInvocations). A straggler not among them has ended, or was not picked up yet (Pending,
 * Delayed): GetCommandInvocation tells which.
 */
async function inProgressInvocations(state: CollectionState, commandId: string): Promise<Set<string>> {
  const ids = new Set<string>();
  const pages = paginateListCommandInvocations(
    { client: state.ssm, pageSize: LIST_PAGE },
    { CommandId: commandId, Filters: [{ key: 'Status', value: 'InProgress' }] },
  );
  for await (const page of pages) {
    for (const invocation of page.CommandInvocations ?? []) {
      if (invocation.InstanceId) ids.add(invocation.InstanceId);
    }
  }
  return ids;
}

/** One straggler's invocation: its outcome once terminal, undefined while it still runs. */
async function stragglerOutcome(
  state: CollectionState,
  commandId: string,
  instanceId: string,
): Promise<CollectionOutcome | undefined> {
  let out: GetCommandInvocationCommandOutput;
  try {
    out = await state.ssm.send(
      new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }),
    );
  } catch (error) {
    // Eventual consistency right after the invocation appeared: ask again next time.
    if (awsErrorName(error) === 'InvocationDoesNotExist') return undefined;
    throw error;
  }
  const status = out.Status ?? '';
  if (PENDING_INVOCATION.has(status)) return undefined;
  const invocation: CommandInvocation = {
    CommandId: commandId,
    InstanceId: instanceId,
    Status: status as CommandInvocation['Status'],
    ...(out.StatusDetails ? { StatusDetails: out.StatusDetails } : {}),
    CommandPlugins: [
      { ...(out.PluginName ? { Name: out.PluginName } : {}), Output: out.StandardOutputContent ?? '' },
    ],
  };
  if (status !== 'Success') return failedInvocationOutcome(invocation);
  // GetCommandInvocation returns up to 24,000 characters: no cut to follow up.
  return successOutcome(state, invocation, commandId);
}
