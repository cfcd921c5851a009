/**
 * What an invocation runs against: the parts of the Lambda context the scanner uses, the clock, and
 * the account scope read from the function's own ARN.
 */
import type { AccountScope } from '../findings/asff.ts';
import { InvalidEventError } from './errors.ts';

/** The parts of the Lambda context the scanner uses. */
export interface InvocationContext {
  readonly invokedFunctionArn: string;
  getRemainingTimeInMillis(): number;
}

export interface Clock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Account, Region and partition from the function's own ARN (arn:<partition>:lambda:<region>:<account>:…). */
export function scopeFromFunctionArn(arn: string): AccountScope {
  const [, partition, , region, accountId] = arn.split(':');
  if (!partition || !region || !accountId || !/^\d{12}$/.test(accountId)) {
    throw new InvalidEventError('context.invokedFunctionArn', `"${arn}" is not a Lambda function ARN`);
  }
  return { partition, region, accountId };
}
