/**
 * Which of our Run Command commands are still executing, with SSM's counts: one paged ListCommands
 * (DocumentName + InvokedAfter + ExecutionStage=Executing) lists them for every cluster of the
 * account at once. Cluster scans side by side in one invocation share a CommandPoller, so a poll
 * round costs one listing for all of them however many wait, and they can poll every second.
 */
import { paginateListCommands, type SSMClient } from '@aws-sdk/client-ssm';

/** Commands are matched with InvokedAfter against SSM's clock; allow for skew against ours. */
export const CLOCK_SKEW_MS = 5 * 60_000;
/** ListCommands MaxResults is 1..50. */
const PAGE = 50;
const TERMINAL_COMMAND = new Set(['Success', 'Cancelled', 'Failed', 'TimedOut']);

export interface CommandCounts {
  readonly targets: number;
  readonly completed: number;
}

/** The quickest a scan polls alone, as side by side (one listing a second). */
export const FASTEST_POLL_MS = 1_000;

/**
 * Poll pace of a cluster scan that polls alone: the configured pace for up to 1,000 nodes, quicker
 * in proportion above that (a listing a second from 5,000 nodes at the default 5 s). A poll is one
 * call whatever the cluster's size, so this keeps ListCommands at about one call per 1,000 nodes every
 * 5 s, while the last node of a large cluster is seen within a second rather than 5 s (every second
 * of that is a second of the scan). Never slower than configured, never quicker than FASTEST_POLL_MS
 * unless configured so.
 */
export function pollIntervalForNodes(configuredMs: number, nodes: number): number {
  const scaled = (configuredMs * 1_000) / Math.max(1, nodes);
  return Math.round(Math.min(configuredMs, Math.max(Math.min(configuredMs, FASTEST_POLL_MS), scaled)));
}

/** Executing commands by CommandId (terminal ones are left out even if SSM lists them). */
export type ExecutingCommands = ReadonlyMap<string, CommandCounts>;

export async function listExecutingCommands(
  ssm: SSMClient,
  documentName: string,
  invokedAfter: Date,
): Promise<ExecutingCommands> {
  const out = new Map<string, CommandCounts>();
  const pages = paginateListCommands(
    { client: ssm, pageSize: PAGE },
    {
      Filters: [
        { key: 'DocumentName', value: documentName },
        // Second precision, as in the API reference examples (2024-07-07T00:00:00Z).
        { key: 'InvokedAfter', value: invokedAfter.toISOString().replace(/\.\d{3}Z$/, 'Z') },
        { key: 'ExecutionStage', value: 'Executing' },
      ],
    },
  );
  for await (const page of pages) {
    for (const command of page.Commands ?? []) {
      // The status is checked too, so a service that ignored the filter cannot stall the poll.
      if (command.CommandId && !TERMINAL_COMMAND.has(command.Status ?? '')) {
        out.set(command.CommandId, {
          targets: command.TargetCount ?? 0,
          completed: command.CompletedCount ?? 0,
        });
      }
    }
  }
  return out;
}

/**
 * One listing serves every caller that asks within `maxAgeMs` of its start, provided it started after
 * the caller's last SendCommand (`sinceMs`): a listing older than a command does not know it, and the
 * scan would take the command for finished.
 */
export class CommandPoller {
  private last?: { readonly startedMs: number; readonly result: Promise<ExecutingCommands> };

  constructor(
    private readonly ssm: SSMClient,
    private readonly documentName: string,
    private readonly invokedAfter: Date,
    private readonly nowMs: () => number,
    private readonly maxAgeMs = 1_000,
  ) {}

  list(sinceMs: number): Promise<ExecutingCommands> {
    const now = this.nowMs();
    const last = this.last;
    if (last && last.startedMs >= sinceMs && last.startedMs >= now - this.maxAgeMs) return last.result;
    const result = listExecutingCommands(this.ssm, this.documentName, this.invokedAfter);
    this.last = { startedMs: now, result };
    // A failed listing is not handed to later callers.
    result.catch(() => {
      if (this.last?.result === result) this.last = undefined;
    });
    return result;
  }
}
