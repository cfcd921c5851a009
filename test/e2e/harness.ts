/**
 * Drives the real scanner (createScanner, the code the Lambda handler runs) through the real SDK v3
 * clients over HTTP against the local emulator. As the stack's rules do, public "Scan Requested"
 * events on the default bus reach it raw, and the fan-out's "Scan Work" items on the internal bus
 * reach it wrapped by the internal rule's input transformer.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { ConfiguredRetryStrategy } from '@smithy/util-retry';
import { ApiCallCounter, createClients } from '../../functions/aws/clients.ts';
import type { ScannerConfig } from '../../functions/scanner/config.ts';
import { createScanner, type InvocationContext, type Scanner } from '../../functions/scanner/scanner.ts';
import type { ScanSummary } from '../../functions/scanner/summary.ts';
import {
  DEFAULT_DOCUMENT,
  type Emulator,
  type EmulatorOptions,
  FAKE_CREDENTIALS,
  INTERNAL_BUS,
  type InputTransformer,
  internalRuleWrapper,
  startEmulator,
} from '../sim/emulator/index.ts';
import type { Fleet } from '../sim/fleet.ts';

// Powertools writes EMF through the global console in dev mode, so tests can read the metrics (dev
// mode would also disable metrics unless POWERTOOLS_METRICS_DISABLED says otherwise).
// Off unless a test turns it on before starting its harness, to keep test output readable.
process.env.POWERTOOLS_DEV = 'true';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

export interface Harness {
  emulator: Emulator;
  scanner: Scanner;
  fleet: Fleet;
  config: ScannerConfig;
  /** Every API call of every scan, by operation (from the clients' middleware). */
  counter: ApiCallCounter;
  /** Summaries of scans run through the EventBridge subscription (fan-out targets). */
  delivered: ScanSummary[];
  deliveryErrors: unknown[];
  context(budgetMs?: number): InvocationContext;
  scan(event: unknown, budgetMs?: number): Promise<ScanSummary>;
  /** Scan, then wait until every fanned-out invocation finished. */
  scanAll(event: unknown): Promise<ScanSummary[]>;
  stop(): Promise<void>;
}

export const SCHEDULED = {
  source: 'eks-kubelet-audit',
  'detail-type': 'Scheduled Scan',
  detail: {},
} as const;

export function scanRequested(detail: Record<string, unknown>) {
  return { source: 'eks-kubelet-audit', 'detail-type': 'Scan Requested', detail };
}

/** The internal rule's input transformer, as the emulator models it. */
export const internalWrapper: InputTransformer = internalRuleWrapper;

/** A work item as the internal rule delivers it (what only the scanner's own fan-out can cause). */
export function workItem(detail: Record<string, unknown>, accountId = '111122223333') {
  return internalWrapper(
    {
      version: '0',
      id: 'work-item',
      'detail-type': 'Scan Work',
      source: 'eks-kubelet-audit',
      account: accountId,
      time: '2026-11-28T09:00:00Z',
      region: 'eu-west-1',
      resources: [],
      detail: { scanId: 'work-item', trigger: 'on-demand', concurrentScans: 1, ...detail },
    },
    `arn:aws:events:eu-west-1:${accountId}:rule/${INTERNAL_BUS}/WorkItemRule`,
  );
}

export async function startHarness(
  options: EmulatorOptions & { config?: Partial<ScannerConfig>; maxAttempts?: number } = {},
): Promise<Harness> {
  const emulator = await startEmulator({ rateLimits: false, ...options });
  const fleet = emulator.fleet;
  const config: ScannerConfig = {
    documentName: DEFAULT_DOCUMENT.name,
    documentVersion: '1',
    eventBus: 'default',
    internalEventBus: INTERNAL_BUS,
    stateTable: emulator.stateTable,
    // Tests scan one fleet again and again; those of the flood rule set an interval themselves.
    minScanIntervalMs: 0,
    deliveryTimeoutSeconds: 30,
    pollInitialDelayMs: 300,
    pollIntervalMs: 250,
    // Deterministic poll rounds: several tests assert them (the bench runs the real default).
    pollJitter: 0,
    deadlineReserveMs: 0,
    ...options.config,
  };
  const counter = new ApiCallCounter();
  const clients = createClients({
    region: fleet.region,
    endpoint: emulator.endpoint,
    credentials: FAKE_CREDENTIALS,
    // The SDK's own retry decisions, with 5 ms between attempts.
    retryStrategy: new ConfiguredRetryStrategy(options.maxAttempts ?? 4, () => 5),
  });
  const scanner = createScanner({
    clients,
    config,
    logger: new Logger({ serviceName: 'eks-kubelet-audit', logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'EksKubeletAuditTest', serviceName: 'eks-kubelet-audit' }),
    clock: {
      now: () => new Date(emulator.clock.now()),
      sleep: (ms) => emulator.clock.sleep(ms),
    },
    globalCounter: counter,
  });
  const context = (budgetMs = 900_000): InvocationContext => {
    const start = emulator.clock.now();
    return {
      invokedFunctionArn: `arn:aws:lambda:${fleet.region}:${fleet.accountId}:function:eks-kubelet-audit`,
      getRemainingTimeInMillis: () => budgetMs - (emulator.clock.now() - start),
    };
  };
  const delivered: ScanSummary[] = [];
  const deliveryErrors: unknown[] = [];
  const invoke = async (event: unknown) => {
    try {
      delivered.push(await scanner.scan(event, context()));
    } catch (error) {
      deliveryErrors.push(error);
      throw error;
    }
  };
  emulator.events.subscribe(
    'scanner',
    { source: ['eks-kubelet-audit'], 'detail-type': ['Scan Requested'] },
    invoke,
  );
  emulator.events.subscribe(
    'scanner-internal',
    { source: ['eks-kubelet-audit'], 'detail-type': ['Scan Work'], eventBusName: INTERNAL_BUS },
    invoke,
    internalWrapper,
  );
  return {
    emulator,
    scanner,
    fleet,
    config,
    counter,
    delivered,
    deliveryErrors,
    context,
    scan: (event, budgetMs) => scanner.scan(event, context(budgetMs)),
    async scanAll(event) {
      const first = await scanner.scan(event, context());
      await emulator.events.idle();
      return [first, ...delivered.splice(0)];
    },
    stop: () => emulator.stop(),
  };
}
