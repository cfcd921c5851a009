/** What SSM's API allows and reports, as the collection relies on it. */

/** SendCommand takes at most 50 InstanceIds (ssm InstanceIdList). */
export const SEND_CHUNK = 50;
/** ListCommands / ListCommandInvocations MaxResults is 1..50. */
export const LIST_PAGE = 50;
/**
 * ListCommandInvocations pages a second the account allows. SSM publishes no figure; the emulator and
 * the benchmark assume 10 a second (docs/performance.md).
 */
export const READ_PAGES_PER_SECOND = 10;
/** Invocation statuses that are not final yet: the node may still answer. */
export const PENDING_INVOCATION: ReadonlySet<string> = new Set([
  'Pending',
  'InProgress',
  'Delayed',
  'Cancelling',
]);
