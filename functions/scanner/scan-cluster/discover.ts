/**
 * Discovery: the cluster's running nodes, listed beside the read of its stored findings, and the
 * nodes this scan covers. Discovery lists the whole cluster even for a narrowed scan: it is cheap
 * (3 paged calls) and tells which findings belong to nodes that are gone.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { type ClusterInfo, listClusterNodes, type NodeInfo, TAG_QUERIES } from '../../aws/discovery.ts';
import { FindingImporter, type SecurityHubTarget } from '../../aws/security-hub.ts';
import { type ClusterStateRead, readClusterState } from '../../aws/state-table.ts';
import { controls } from '../../controls/index.ts';
import { findingContext } from '../../findings/answer-fingerprint.ts';
import { productArn } from '../../findings/asff.ts';
import { StreamingPlan } from '../../findings/streaming-plan.ts';
import { CONFIG_DEFAULTS } from '../config.ts';
import { findingFor } from './answers.ts';
import type { ClusterScanInput, ScanDeps } from './input.ts';
import {
  type ActiveRead,
  type ScanScope,
  type ScanState,
  StateMode,
  type StoredRead,
  type SummaryBase,
} from './state.ts';
import { StateRecorder } from './state-recorder.ts';
import { knownUnmanaged, readStoredFindings } from './stored-findings.ts';
import { TablePlan } from './table-plan.ts';

export interface OpenScanOptions {
  readonly deps: ScanDeps;
  readonly input: ClusterScanInput;
  readonly log: Logger;
  readonly base: SummaryBase;
  readonly cluster: ClusterInfo;
}

/** What a scan has before its state records are read: discovery under way, the answers triage fills. */
export type ScanStart = OpenScanOptions & Pick<ScanState, 'discovery' | 'answers'>;

/**
 * Starts discovery. Its failure is kept from being unhandled; it is thrown where discovery is awaited.
 */
export function startScan(options: OpenScanOptions): ScanStart {
  const discovery = listNodes(options.deps, options.input, options.cluster);
  discovery.catch(() => undefined);
  return { ...options, discovery, answers: new Map() };
}

/**
 * Reads the cluster's state records (OpeningScan: once the cluster's commands are sent) and from them
 * decides how the scan goes (state.ts StateMode): change-only once the cluster's records are built,
 * else a rebuild that reads Security Hub's findings as before (the first scan after an upgrade, and a
 * resync). The read of stored findings is not awaited.
 */
export async function openScan(start: ScanStart): Promise<ScanState> {
  const { deps, input, cluster, discovery } = start;
  const table = deps.config.stateTable;
  const consumed = { read: 0, write: 0 };
  const previous = table
    ? await readClusterState(deps.clients.dynamodb, table, cluster.name, consumed)
    : undefined;
  const stateMode = !previous
    ? StateMode.NONE
    : previous.cluster?.builtAt !== undefined && !input.resync
      ? StateMode.CHANGE_ONLY
      : StateMode.REBUILD;
  const target: SecurityHubTarget = {
    productArn: productArn(input.scope),
    region: input.scope.region,
    accountId: input.scope.accountId,
  };
  // Each fresh finding is planned as soon as its node answered and a page listed its stored record
  // (or, failing that, once the read is complete), and imported in full batches while the scan runs.
  const importer = new FindingImporter(deps.clients.securityHub, target);
  const context = findingContext({ scope: input.scope, cluster, catalog: controls });
  const recorder = stateMode === StateMode.REBUILD ? new StateRecorder(context) : undefined;
  const plan = new StreamingPlan((build) => {
    importer.addLazy(() => {
      const finding = build();
      recorder?.record(finding);
      return finding;
    });
  }, deps.now);
  const base = { ...start, target, importer, plan, verdicts: new Map(), consumed };
  if (stateMode === StateMode.CHANGE_ONLY && previous) {
    const changes = changePlan({ ...start, importer, previous, context });
    return {
      ...base,
      stored: nothingStored(),
      stateMode,
      changes,
      knownUnmanaged: async () =>
        new Set(
          [...previous.nodes.values()]
            .filter((n) => n.reasonCode === 'SSM_UNMANAGED')
            .map((n) => n.instanceId),
        ),
    };
  }
  const stored = readStoredFindings({ deps, cluster, target, plan, discovery });
  return {
    ...base,
    stored,
    stateMode,
    ...(recorder ? { recorder } : {}),
    ...(previous ? { previousState: previous } : {}),
    knownUnmanaged: () => knownUnmanaged(stored),
  };
}

/**
 * The scan opened at most once, when collection has sent its commands (or has nothing to send):
 * nothing a command needs comes from the state records, and decoding a large cluster's records would
 * take CPU from the discovery and sends of the clusters scanned beside it. Collection reads no output
 * before then (run-command afterSend), so `current` is set wherever an output is handled.
 */
export class OpeningScan {
  private opening: Promise<ScanState> | undefined;
  private opened: ScanState | undefined;
  private beside: Promise<void> = Promise.resolve();

  constructor(
    private readonly start: ScanStart,
    /** Starts, once the scan is open, work that runs beside collection (must not reject). */
    private readonly onOpen?: (scan: ScanState) => Promise<void>,
  ) {}

  open(): Promise<ScanState> {
    this.opening ??= openScan(this.start).then((scan) => {
      this.opened = scan;
      this.beside = this.onOpen?.(scan) ?? Promise.resolve();
      return scan;
    });
    return this.opening;
  }

  /** The work `onOpen` started (resolved when the scan is not open or there was none). */
  get besideCollection(): Promise<void> {
    return this.beside;
  }

  get current(): ScanState {
    if (!this.opened) throw new Error('Scan state used before collection opened it');
    return this.opened;
  }

  /** Stops the import of an opened scan whose collection failed (nothing to stop if none was opened). */
  async abandonImport(): Promise<void> {
    await this.opening?.then(
      (scan) => scan.importer.abandon(),
      () => undefined,
    );
  }
}

/** A change-only scan reads no stored findings. */
function nothingStored(): StoredRead {
  const read = Promise.resolve<ActiveRead>({ ok: true, active: new Map() });
  return { read, done: () => true, pendingRetry: Promise.resolve(undefined) };
}

function changePlan(
  options: OpenScanOptions & { importer: FindingImporter; previous: ClusterStateRead; context: string },
): TablePlan {
  const { deps, input, cluster, base, importer, previous, context } = options;
  return new TablePlan({
    state: previous,
    cluster: cluster.name,
    scope: input.scope,
    startedAt: Date.parse(base.startedAt),
    now: deps.now,
    refreshMs: deps.config.refreshMs ?? CONFIG_DEFAULTS.refreshMs,
    staleAfterMs: deps.config.staleAfterMs ?? CONFIG_DEFAULTS.staleAfterMs,
    findingContext: context,
    build: (node, control, result, answer) =>
      findingFor({ scan: { input, cluster, deps }, node, control, result, answer }),
    emit: (finding) => importer.add(finding),
  });
}

async function listNodes(deps: ScanDeps, input: ClusterScanInput, cluster: ClusterInfo): Promise<NodeInfo[]> {
  const grouped = (await input.groupedDiscovery?.instancesOf(cluster.name)) ?? [];
  // Nodes the grouped queries returned are decoded already: a turn only for queries of its own.
  const ownQueries = TAG_QUERIES.some((_, i) => grouped[i] === undefined);
  const endTurn = ownQueries ? await input.discoveries?.take() : undefined;
  try {
    return await listClusterNodes(deps.clients.ec2, cluster.name, grouped);
  } finally {
    endTurn?.();
  }
}

/**
 * Waits for discovery, narrows it to the requested instances, and waits until the invocation's node
 * budget admits this many nodes.
 */
export async function scopeOf(scan: Pick<ScanState, 'input' | 'log' | 'discovery'>): Promise<ScanScope> {
  const { input } = scan;
  const nodes = await scan.discovery;
  const present = new Set(nodes.map((n) => n.instanceId));
  const wanted = input.instanceIds ? new Set(input.instanceIds) : undefined;
  const inScope = wanted ? nodes.filter((n) => wanted.has(n.instanceId)) : nodes;
  const notANodeIds = [
    ...(input.extraNotANodeIds ?? []),
    ...(input.instanceIds ? input.instanceIds.filter((id) => !present.has(id)) : []),
  ];
  if (notANodeIds.length > 0) {
    scan.log.warn('Requested instances are not running nodes of this cluster', { notANodeIds });
  }
  await input.admit?.(inScope.length);
  return { nodes, present, inScope, notANodeIds };
}
