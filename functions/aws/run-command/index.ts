/** SSM Run Command collection: the public API (run-collector.ts describes how it works). */
export { LIST_PAGE, READ_PAGES_PER_SECOND, SEND_CHUNK } from './limits.ts';
export { failedInvocationOutcome, STATUS_DETAIL_HINTS } from './outcomes.ts';
export { runCollector } from './run-collector.ts';
export { stragglerAllowance } from './stragglers.ts';
export type { CollectionOutcome, RunCommandOptions, RunCommandResult, TagTarget } from './types.ts';
