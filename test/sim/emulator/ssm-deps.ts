/** What the SSM operations share: the fleet, injected faults, command state and known documents. */
import type { SendCommandTagCondition } from '../../../functions/aws/send-command-policy.ts';
import type { Fleet } from '../fleet.ts';
import type { Faults } from './faults.ts';
import type { CommandStore, SimDocument } from './ssm-commands.ts';

export interface SsmDeps {
  fleet: Fleet;
  faults: Faults;
  store: CommandStore;
  documents: Map<string, SimDocument>;
  /** The caller's ssm:SendCommand conditions on instances, as of now (ssm-authorization.ts). */
  sendCommandPolicy: () => readonly SendCommandTagCondition[];
  /** When set, a `tag-key` target is refused with this error code (a Region that does not take it). */
  refuseTagKeyTargets?: string;
}
