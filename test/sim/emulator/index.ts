/** Public API of the local AWS emulator (see server.ts). */
import { ConfiguredRetryStrategy } from '@smithy/util-retry';

export { createClock, type SimClock } from './clock.ts';
export { type CollectorRunner, createCollectorRunner } from './collector-runner.ts';
export { DEFAULT_STATE_TABLE } from './dynamodb.ts';
export type { BridgeEvent, EventBus } from './event-bridge.ts';
export { type BusPolicy, type InputTransformer, internalRuleWrapper } from './event-bridge.ts';
export { Faults } from './faults.ts';
export { awsLikeTiming } from './profiles.ts';
export { type Distribution, fixed, lognormal, seededRng, uniform } from './random.ts';
export { DEFAULT_RATE_LIMITS, type RateLimit } from './rate-limit.ts';
export {
  type CallRecord,
  DEFAULT_DOCUMENT,
  type Emulator,
  type EmulatorOptions,
  INTERNAL_BUS,
  type RunCommandFidelityOptions,
  SCANNER_ACCESS_KEY_ID,
  startEmulator,
} from './server.ts';
export type { SimDocument } from './ssm-commands.ts';

export const FAKE_CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' } as const;

/**
 * Client configuration for a real SDK v3 client against the emulator. `fastRetry` keeps the SDK's
 * retry behaviour (which errors it retries) but waits 5 ms between attempts instead of 0.5–2.3 s.
 */
export function sdkClientConfig(
  endpoint: string,
  options: { fastRetry?: boolean; maxAttempts?: number; region?: string } = {},
) {
  return {
    endpoint,
    region: options.region ?? 'eu-west-1',
    credentials: FAKE_CREDENTIALS,
    ...(options.fastRetry
      ? { retryStrategy: new ConfiguredRetryStrategy(options.maxAttempts ?? 3, () => 5) }
      : {}),
    ...(options.maxAttempts && !options.fastRetry ? { maxAttempts: options.maxAttempts } : {}),
  };
}
