/** Request validation in the shape AWS's SSM API answers it, and wire time formats. */
import { AwsError } from './protocols.ts';

export const INSTANCE_ID = /^(i-(\w{8}|\w{17}))$|^(mi-\w{17})$/;

export function validation(member: string, value: unknown, constraint: string): AwsError {
  return new AwsError(
    'ValidationException',
    `1 validation error detected: Value '${String(value)}' at '${member}' failed to satisfy constraint: ${constraint}`,
  );
}

export function intInRange(
  input: Record<string, unknown>,
  key: string,
  member: string,
  min: number,
  max: number,
  dflt: number,
): number {
  const value = input[key];
  if (value === undefined) return dflt;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw validation(member, value, `Member must have value greater than or equal to ${min}`);
  }
  if (value > max) throw validation(member, value, `Member must have value less than or equal to ${max}`);
  return value;
}

export const seconds = (ms: number) => ms / 1000;
export const iso = (ms: number) => new Date(ms).toISOString();
