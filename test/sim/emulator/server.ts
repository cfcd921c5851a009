/**
 * The local AWS endpoint: one HTTP server on 127.0.0.1 that the real AWS SDK v3 clients talk to
 * (`endpoint: http://127.0.0.1:PORT`). It routes each request to its service by protocol (x-amz-target
 * for awsJson, the form Action for EC2, the path for restJson), then applies what AWS applies to
 * every call: a SigV4 Authorization header must be present (not verified), per-call latency, token
 * bucket throttling, injected faults, and a call count per operation.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type SendCommandTagCondition,
  sendCommandTagConditions,
} from '../../../functions/aws/send-command-policy.ts';
import type { Fleet } from '../fleet.ts';
import { sampleFleet } from '../fleet-samples.ts';
import { createCallCounter } from './call-counter.ts';
import { createClock, type SimClock } from './clock.ts';
import {
  type CollectorRunner,
  type CollectorRunnerOptions,
  createCollectorRunner,
} from './collector-runner.ts';
import { DEFAULT_STATE_TABLE, startDynamoDb } from './dynamodb.ts';
import { createEc2 } from './ec2.ts';
import { createEks, routeEks } from './eks.ts';
import { type BusPolicy, createEventBridge, type EventBus } from './event-bridge.ts';
import { Faults } from './faults.ts';
import { FindingsStore } from './findings-store.ts';
import { AwsError, parseJsonBody, readBody, sendError, sendJson, sendXml } from './protocols.ts';
import { type Distribution, fixed, nodeSeed, seededRng } from './random.ts';
import { createRateLimiter, type RateLimit, type RateLimiter } from './rate-limit.ts';
import { createSecurityHub, defaultProductArn, routeSecurityHub } from './security-hub.ts';
import type { Service } from './service.ts';
import { createSsm } from './ssm.ts';
import { CommandStore, type SimDocument } from './ssm-commands.ts';

/** The Command document the scanner's stack creates (name overridable per test). */
export const DEFAULT_DOCUMENT: SimDocument = {
  name: 'eks-kubelet-audit-collector',
  stepName: 'collect',
  platformTypes: ['Linux'],
  executionTimeoutSeconds: 60,
  parameters: [],
};

export interface EmulatorOptions {
  /** Default: sampleFleet(). */
  fleet?: Fleet;
  /** A clock, or the scale for a new one (simulated ms per real ms; default 1). */
  clock?: SimClock | { scale?: number };
  /** Per-call latency in simulated ms: one distribution for all, or per "service:Operation" ("*" = default). */
  latency?: Distribution | Record<string, Distribution>;
  /** false = no throttling; an object overrides DEFAULT_RATE_LIMITS per operation. */
  rateLimits?: false | Record<string, RateLimit | undefined>;
  /** Simulated node execution time of the document (default 200 ms; bench: lognormal(1500, 8000)). */
  executionTime?: Distribution;
  /** Simulated delay before a node's agent picks a command up (default 100 ms). */
  pickupDelay?: Distribution;
  seed?: number;
  documents?: SimDocument[];
  /** A runner to share (e.g. across emulators in one test file), or options for a new one. */
  collector?: CollectorRunner | CollectorRunnerOptions;
  /**
   * Security Hub's throttling error: LimitExceededException, HTTP 429 (the API model's error for
   * "throttling limits", the default) or TooManyRequestsException (seen in practice).
   */
  securityHubThrottleCode?: 'TooManyRequestsException' | 'LimitExceededException';
  /**
   * Simulated ms Security Hub takes to process an import: a BatchUpdateFindings of a finding imported
   * less than this ago is ConcurrentUpdateError (default 1,000; 0 = never).
   */
  securityHubProcessingMs?: number;
  /** Default: the default bus and the scanner's internal bus (INTERNAL_BUS). */
  eventBuses?: string[];
  /** Default: the internal bus admits only FAKE_CREDENTIALS (the scanner's role). */
  eventBusPolicies?: Record<string, BusPolicy>;
  /** DynamoDB tables to create in dynalite (default: the scanner's state table). */
  dynamoDbTables?: string[];
  /** Run dynalite on a thread of its own, so its CPU is not the other services' latency (the bench). */
  dynamoDbThread?: boolean;
  /** Simulated delay before EventBridge invokes a matching target. */
  eventDeliveryDelayMs?: number;
  /** Run Command limits the emulator enforces like AWS (ssm-authorization.ts, ssm-commands.ts). */
  runCommand?: RunCommandFidelityOptions;
  /** Called after each call is answered (bench tracing): its request and outcome on the emulator clock. */
  onCall?: (call: CallRecord) => void;
}

export interface RunCommandFidelityOptions {
  /**
   * The caller's ssm:SendCommand conditions on instances. Default: the stack's conditions
   * (functions/aws/send-command-policy.ts) for a deployment whose allow-list names every cluster of the
   * fleet, so every discovered node is allowed; pass `sendCommandTagConditions()` for a deployment
   * without an allow-list (self-managed nodes then denied), or [] to deny every instance.
   */
  sendCommandPolicy?: readonly SendCommandTagCondition[];
  /** Refuse `tag-key` targets with this error code (e.g. "ValidationException"). */
  refuseTagKeyTargets?: string;
  /** A node offline when the command is sent: DeliveryTimedOut at expiry (default) or Undeliverable. */
  offlineDelivery?: 'delivery-timeout' | 'undeliverable';
}

export interface CallRecord {
  readonly key: string;
  readonly json: Record<string, unknown>;
  readonly query: URLSearchParams;
  readonly startMs: number;
  readonly endMs: number;
  /** "ok", or the error code sent back (e.g. ThrottlingException). */
  readonly outcome: string;
  /** The client's port: tells the callers (processes, connections) apart. */
  readonly remotePort?: number;
}

/** The stack's internal bus, as the emulator creates it by default. */
export const INTERNAL_BUS = 'eks-kubelet-audit-internal';
/** The scanner's access key id in the emulator (FAKE_CREDENTIALS, index.ts): its "role". */
export const SCANNER_ACCESS_KEY_ID = 'AKIDEXAMPLE';

export interface Emulator {
  endpoint: string;
  /** The scanner's state table in dynalite. */
  stateTable: string;
  /** DynamoDB capacity units consumed since the last resetCalls (dynamodb-capacity.ts). */
  dynamoDbCapacity: { readonly read: number; readonly write: number };
  calls: Record<string, number>;
  /** Real ms the emulator spent handling each operation (latency sleeps excluded): proof it is not the bottleneck. */
  serverMs: Record<string, number>;
  resetCalls(): void;
  fleet: Fleet;
  clock: SimClock;
  faults: Faults;
  rateLimiter: RateLimiter;
  securityHub: { store: FindingsStore; productArn: string };
  ssm: { commands: CommandStore; documents: Map<string, SimDocument> };
  events: EventBus;
  collector: CollectorRunner;
  stop(): Promise<void>;
}

/** The service's own throttling error (all are retried by the SDK: see @smithy retry THROTTLING_ERROR_CODES / 429). */
const THROTTLE: Record<string, [code: string, status: number, message: string]> = {
  ssm: ['ThrottlingException', 400, 'Rate exceeded'],
  ec2: ['RequestLimitExceeded', 503, 'Request limit exceeded.'],
  eks: ['ThrottlingException', 429, 'Rate exceeded'],
  // securityhub service-2.json: LimitExceededException (429) "…beyond the current AWS account or
  // throttling limits"; TooManyRequestsException is also seen in practice (securityHubThrottleCode).
  securityhub: ['LimitExceededException', 429, 'Rate exceeded'],
  events: ['ThrottlingException', 400, 'Rate exceeded'],
};
const SERVER_ERROR: Record<string, string> = {
  ssm: 'InternalServerError',
  ec2: 'InternalError',
  eks: 'ServerException',
  securityhub: 'InternalException',
  events: 'InternalException',
};

/** A server error in DynamoDB's awsJson1_0 shape (faults.serverError('dynamodb:<Operation>')). */
function sendDynamoDbError(res: ServerResponse, status: number): number {
  const text = JSON.stringify({
    __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
    message: 'Internal server error',
  });
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': crypto.randomUUID(),
  });
  res.end(text);
  return status;
}

function isCollectorRunner(value: unknown): value is CollectorRunner {
  return typeof (value as CollectorRunner | undefined)?.run === 'function';
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const fleet = options.fleet ?? sampleFleet();
  const clock =
    options.clock && 'now' in options.clock
      ? options.clock
      : createClock({ scale: options.clock?.scale ?? 1 });
  fleet.now = () => clock.now();
  const rng = seededRng(options.seed ?? 1);
  const counter = createCallCounter();
  const serverMs: Record<string, number> = {};
  const faults = new Faults();
  const rateLimiter = createRateLimiter(clock, options.rateLimits ?? {});
  const ownsCollector = !isCollectorRunner(options.collector);
  const collector = isCollectorRunner(options.collector)
    ? options.collector
    : createCollectorRunner(options.collector);
  // Copies: UpdateDocument changes a document's versions, which must not leak into other emulators.
  const documents = new Map((options.documents ?? [DEFAULT_DOCUMENT]).map((d) => [d.name, { ...d }]));
  const commands = new CommandStore({
    clock,
    fleet,
    faults,
    runner: collector,
    nodeRng: (instanceId, run) => seededRng(nodeSeed(options.seed ?? 1, instanceId, run)),
    executionTime: options.executionTime ?? fixed(200),
    pickupDelay: options.pickupDelay ?? fixed(100),
    ...(options.runCommand?.offlineDelivery ? { offlineDelivery: options.runCommand.offlineDelivery } : {}),
  });
  const findings = new FindingsStore(() => clock.now(), options.securityHubProcessingMs ?? 1_000);
  const bridge = createEventBridge({
    clock,
    accountId: fleet.accountId,
    region: fleet.region,
    buses: options.eventBuses ?? ['default', INTERNAL_BUS],
    busPolicies: options.eventBusPolicies ?? {
      [INTERNAL_BUS]: { allowAccessKeyIds: [SCANNER_ACCESS_KEY_ID] },
    },
    deliveryDelayMs: options.eventDeliveryDelayMs,
  });
  const dynamoDb = await startDynamoDb({
    region: fleet.region,
    tables: options.dynamoDbTables ?? [DEFAULT_STATE_TABLE],
    ...(options.dynamoDbThread ? { thread: true } : {}),
  });
  const services: Record<string, Service> = {
    eks: createEks(fleet),
    ec2: createEc2(fleet, faults),
    ssm: createSsm({
      fleet,
      faults,
      store: commands,
      documents,
      sendCommandPolicy: () =>
        options.runCommand?.sendCommandPolicy ?? sendCommandTagConditions([...fleet.clusters.keys()]),
      ...(options.runCommand?.refuseTagKeyTargets
        ? { refuseTagKeyTargets: options.runCommand.refuseTagKeyTargets }
        : {}),
    }),
    securityhub: createSecurityHub({
      store: findings,
      faults,
      accountId: fleet.accountId,
      region: fleet.region,
    }),
    events: bridge.service,
  };
  const latencyFor = (key: string): number => {
    const l = options.latency;
    if (!l) return 0;
    if (typeof l === 'function') return l(rng);
    const d = l[key] ?? l['*'];
    return d ? d(rng) : 0;
  };
  const throttleFor = (service: string): AwsError => {
    const [code, status, message] = THROTTLE[service]!;
    return new AwsError(
      service === 'securityhub' ? (options.securityHubThrottleCode ?? code) : code,
      message,
      status,
    );
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string' && target.startsWith('DynamoDB_20120810.')) {
      // dynalite speaks the protocol itself (errors, auth header check); only counted here.
      const key = `dynamodb:${target.split('.')[1] ?? ''}`;
      counter.count(key);
      const startMs = clock.now();
      const injected = faults.takeServerError(key);
      const status =
        injected === undefined ? await dynamoDb.forward(req, body, res) : sendDynamoDbError(res, injected);
      if (!options.onCall) return;
      let json: Record<string, unknown> = {};
      try {
        json = parseJsonBody(body);
      } catch {
        // Not JSON: dynalite has answered it with its own error, and the call is recorded as such.
      }
      options.onCall({
        key,
        json,
        query: url.searchParams,
        startMs,
        endMs: clock.now(),
        outcome: String(status),
      });
      return;
    }
    let service: Service | undefined;
    let operation: string | undefined;
    let params: Record<string, string> = {};
    let query = url.searchParams;
    if (typeof target === 'string') {
      const [prefix, op] = target.split('.');
      service = prefix === 'AmazonSSM' ? services.ssm : prefix === 'AWSEvents' ? services.events : undefined;
      operation = op;
    } else if (String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      query = new URLSearchParams(body);
      service = services.ec2;
      operation = query.get('Action') ?? undefined;
    } else {
      const route = routeEks(method, url.pathname) ?? routeSecurityHub(method, url.pathname);
      if (route) {
        service = url.pathname.startsWith('/clusters') ? services.eks : services.securityhub;
        operation = route.operation;
        params = route.params;
      }
    }
    if (!service || !operation || !service.operations.has(operation)) {
      sendError(
        res,
        service?.protocol ?? 'restJson1',
        new AwsError(
          'UnknownOperationException',
          `Operation not emulated: ${method} ${url.pathname} ${String(target ?? '')}`,
          404,
        ),
      );
      return;
    }
    const key = `${service.name}:${operation}`;
    counter.count(key);
    const calledMs = clock.now();
    let json: Record<string, unknown> = {};
    let outcome = 'ok';
    try {
      // Like AWS: a request without a SigV4 Authorization header is rejected (signature not checked).
      if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 Credential=')) {
        throw service.protocol === 'ec2Query'
          ? new AwsError('AuthFailure', 'AWS was not able to validate the provided access credentials', 401)
          : new AwsError('MissingAuthenticationTokenException', 'Missing Authentication Token', 403);
      }
      json = service.protocol === 'ec2Query' || body === '' ? {} : parseJsonBody(body);
      // The rate limit is decided when the request arrives, as AWS's front end does, before the work
      // the latency stands for; a throttled answer comes back after the same round trip.
      const throttled = faults.takeThrottle(key) || !rateLimiter.tryAcquire(key);
      await clock.sleep(latencyFor(key));
      if (throttled) throw throttleFor(service.name);
      const status = faults.takeServerError(key);
      if (status !== undefined)
        throw new AwsError(
          SERVER_ERROR[service.name]!,
          'We encountered an internal error. Please try again.',
          status,
        );
      const started = performance.now();
      const result = await service.handle({
        operation,
        json,
        query,
        params: {
          ...params,
          bodyBytes: String(Buffer.byteLength(body)),
          accessKeyId: /Credential=([^/]+)\//.exec(String(req.headers.authorization))?.[1] ?? '',
        },
      });
      if ('xml' in result) sendXml(res, 200, result.xml);
      else sendJson(res, service.protocol, result.status ?? 200, result.json);
      serverMs[key] = (serverMs[key] ?? 0) + performance.now() - started;
    } catch (error) {
      const awsError =
        error instanceof AwsError
          ? error
          : new AwsError(SERVER_ERROR[service.name]!, `Emulator error: ${String(error)}`, 500);
      if (!(error instanceof AwsError)) console.error('emulator: unexpected error in', key, error);
      outcome = awsError.code;
      sendError(res, service.protocol, awsError);
    }
    options.onCall?.({
      key,
      json,
      query,
      startMs: calledMs,
      endMs: clock.now(),
      outcome,
      ...(req.socket.remotePort !== undefined ? { remotePort: req.socket.remotePort } : {}),
    });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  // Node closes an idle keep-alive connection after 5 s; the SDK may reuse it at that moment, see a
  // reset and retry, a call the clients count and the emulator never sees. AWS endpoints keep idle
  // connections far longer, so the emulator does too.
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stateTable: options.dynamoDbTables?.[0] ?? DEFAULT_STATE_TABLE,
    calls: counter.calls,
    serverMs,
    dynamoDbCapacity: dynamoDb.capacity,
    resetCalls: () => {
      counter.reset();
      dynamoDb.resetCapacity();
      for (const key of Object.keys(serverMs)) delete serverMs[key];
    },
    fleet,
    clock,
    faults,
    rateLimiter,
    securityHub: { store: findings, productArn: defaultProductArn(fleet.accountId, fleet.region) },
    ssm: { commands, documents },
    events: bridge.bus,
    collector,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
      await dynamoDb.stop();
      if (ownsCollector) collector.close();
    },
  };
}
