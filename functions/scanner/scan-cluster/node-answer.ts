/** A node's answer, as every phase of a cluster scan sees it. */
import type { ControlResult } from '../../controls/control.ts';

/** What the scan knows about one node once collection is over. */
export interface NodeAnswer {
  readonly results: readonly ControlResult[];
  readonly reasonCode?: string;
  readonly collectorVersion?: string;
  readonly filesRead?: readonly string[];
  readonly nodeOs?: string;
  /**
   * The scan could not reach the node (SSM offline or unmanaged, no answer in time): its results say
   * why, and a change-only scan may report its last verdict instead (staleness.ts).
   */
  readonly unreached?: boolean;
}
