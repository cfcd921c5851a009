import { mapLimit } from '../../aws/run-command/map-limit.ts';
import { nodeItem } from '../../aws/state-items.ts';
import { batchPut, markClusterScanned, putIfNewer, StateWriteError } from '../../aws/state-table.ts';
import type { NodeState } from '../../findings/finding-state.ts';
import { CONFIG_DEFAULTS } from '../config.ts';
import type { ScanState } from './state.ts';

/** Security Hub deletes a finding not updated for 90 days: no record needs to outlive that. */
const SECURITY_HUB_RETENTION_MS = 90 * 86_400_000;
const CONDITIONAL_WRITES_IN_FLIGHT = 10;

function expiresAt(record: NodeState, refreshMs: number): number {
  const keep = record.archived ? SECURITY_HUB_RETENTION_MS : refreshMs + SECURITY_HUB_RETENTION_MS;
  return (record.observedAt + keep) / 1000;
}

export interface WrittenState {
  readonly written: number;
  /** Records a later node-scoped scan had written already (its are newer). */
  readonly superseded: number;
}

/**
 * Writes `records`; a full scan then records itself on the cluster (`built`: every node has a
 * record now). Throws StateWriteError when records could not be written after the retries.
 */
export async function writeRecords(
  scan: ScanState,
  records: readonly NodeState[],
  options: { readonly full: boolean; readonly built: boolean; readonly startedAt: number },
): Promise<WrittenState> {
  const { deps } = scan;
  const table = deps.config.stateTable;
  if (!table) return { written: 0, superseded: 0 };
  const refreshMs = deps.config.refreshMs ?? CONFIG_DEFAULTS.refreshMs;
  const writer = { client: deps.clients.dynamodb, table, sleep: deps.sleep, consumed: scan.consumed };
  const items = records.map((r) => nodeItem(r, expiresAt(r, refreshMs)));
  let superseded = 0;
  if (options.full) {
    const unwritten = await batchPut(writer, items);
    if (unwritten > 0) throw new StateWriteError(unwritten);
    await markClusterScanned(writer, {
      cluster: scan.cluster.name,
      scanStartedAt: options.startedAt,
      built: options.built,
      expiresAt: (options.startedAt + refreshMs + SECURITY_HUB_RETENTION_MS) / 1000,
    });
  } else {
    const won = await mapLimit(items, CONDITIONAL_WRITES_IN_FLIGHT, (item) => putIfNewer(writer, item));
    superseded = won.filter((w) => !w).length;
    if (superseded > 0) {
      scan.log.warn('A later scan wrote some node records first; its records are kept', { superseded });
    }
  }
  return { written: items.length - superseded, superseded };
}
