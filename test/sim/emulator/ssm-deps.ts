/** What the SSM operations share: the fleet, injected faults, command state and known documents. */
import type { Fleet } from '../fleet.ts';
import type { Faults } from './faults.ts';
import type { CommandStore, SimDocument } from './ssm-commands.ts';

export interface SsmDeps {
  fleet: Fleet;
  faults: Faults;
  store: CommandStore;
  documents: Map<string, SimDocument>;
}
