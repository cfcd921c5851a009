/**
 * Run Command state: commands, their per-node invocations, and how each invocation moves over
 * simulated time: Pending → InProgress → Success / Failed / TimedOut / Cancelled, with the
 * StatusDetails AWS reports (facts A4). State is computed when read, from a schedule fixed at
 * SendCommand (pickup delay, MaxConcurrency slots, execution time) plus the collector's real
 * result, so no timers run per node.
 */
import type { Fleet, SimNode } from '../fleet.ts';
import type { SimClock } from './clock.ts';
import type { CollectorResult, CollectorRunner } from './collector-runner.ts';
import type { Faults } from './faults.ts';
import type { Distribution, Rng } from './random.ts';
import { addedVersionScript } from './ssm-documents.ts';
import { preconditionSkipOutput } from './ssm-output.ts';

/** An SSM Command document as far as the emulator needs it (schema 2.2, one step). */
export interface SimDocument {
  name: string;
  /** The step name (what GetCommandInvocation calls PluginName). */
  stepName: string;
  /** Platforms the step's precondition admits; others skip the step and report Success. */
  platformTypes: readonly ('Linux' | 'Windows' | 'MacOS')[];
  /** The step's timeoutSeconds (agent clamps to 5..172800, default 3600: facts A3). */
  executionTimeoutSeconds: number;
  /** Declared parameter names; SendCommand with another name fails InvalidParameters. */
  parameters?: readonly string[];
  /** Highest version number ($LATEST); default 1. */
  latestVersion?: number;
  /** The version $DEFAULT selects; default 1. */
  defaultVersion?: number;
  /** Content of the versions added after deployment (UpdateDocument), by number (ssm-documents.ts). */
  addedVersions?: Readonly<Record<number, string>>;
}

export type InvocationKind = 'run' | 'skip' | 'never';

export interface Invocation {
  instanceId: string;
  instanceName: string;
  kind: InvocationKind;
  startMs: number;
  endMs: number;
  executionTimedOut: boolean;
  /** Set when the collector (or the override) has produced its output. */
  result?: CollectorResult;
}

export interface Command {
  commandId: string;
  document: SimDocument;
  /** As requested ($DEFAULT when absent). */
  documentVersion: string;
  /** The version that runs. */
  resolvedVersion: number;
  comment: string;
  parameters: Record<string, string[]>;
  instanceIds: string[];
  requestedMs: number;
  timeoutSeconds: number;
  maxConcurrency: string;
  maxErrors: string;
  maxErrorsAbsolute: number;
  invocations: Invocation[];
  byInstance: Map<string, Invocation>;
}

export interface InvocationView {
  invocation: Invocation;
  status: 'Pending' | 'InProgress' | 'Success' | 'Cancelled' | 'Failed' | 'TimedOut';
  statusDetails: string;
  responseCode: number;
  started: boolean;
  finished: boolean;
  stdout: string;
  stderr: string;
}

export interface CommandView {
  status: 'Pending' | 'InProgress' | 'Success' | 'Failed' | 'Cancelled' | 'TimedOut';
  statusDetails: string;
  targetCount: number;
  completedCount: number;
  errorCount: number;
  deliveryTimedOutCount: number;
}

export interface CommandStoreDeps {
  clock: SimClock;
  fleet: Fleet;
  faults: Faults;
  runner: CollectorRunner;
  /**
   * The randomness of one node's n-th run (its pickup and execution time). Its own stream, not the
   * emulator's shared one (latencies draw from that in call order): the same seed then gives every
   * node the same run times however the scanner ordered or timed its calls, so bench runs of two
   * scanner versions compare on the same draws.
   */
  nodeRng: (instanceId: string, run: number) => Rng;
  /** Simulated time a node takes to run the document (agent poll → exit). */
  executionTime: Distribution;
  /** Simulated time until the node's agent picks the command up. */
  pickupDelay: Distribution;
}

/** "50" or "10%" of `targets` (MaxConcurrency rounds up and is at least 1; MaxErrors may be 0). */
export function resolveRate(value: string, targets: number, minimum: number): number {
  const n = value.endsWith('%') ? Math.ceil((targets * Number(value.slice(0, -1))) / 100) : Number(value);
  return Math.max(minimum, n);
}

export class CommandStore {
  readonly commands: Command[] = [];
  readonly byId = new Map<string, Command>();
  readonly byInstance = new Map<string, Command[]>();

  constructor(private readonly deps: CommandStoreDeps) {}

  now(): number {
    return this.deps.clock.now();
  }

  /** Create the command (already validated) and start the node runs it implies. */
  send(input: {
    document: SimDocument;
    documentVersion: string;
    resolvedVersion: number;
    comment: string;
    parameters: Record<string, string[]>;
    nodes: SimNode[];
    timeoutSeconds: number;
    maxConcurrency: string;
    maxErrors: string;
  }): Command {
    const { clock, faults } = this.deps;
    const requestedMs = clock.now();
    const targets = input.nodes.length;
    const command: Command = {
      commandId: crypto.randomUUID(),
      document: input.document,
      documentVersion: input.documentVersion,
      resolvedVersion: input.resolvedVersion,
      comment: input.comment,
      parameters: input.parameters,
      instanceIds: input.nodes.map((n) => n.instanceId),
      requestedMs,
      timeoutSeconds: input.timeoutSeconds,
      maxConcurrency: input.maxConcurrency,
      maxErrors: input.maxErrors,
      maxErrorsAbsolute: resolveRate(input.maxErrors, targets, 0),
      invocations: [],
      byInstance: new Map(),
    };
    const slots: number[] = new Array(Math.min(targets, resolveRate(input.maxConcurrency, targets, 1))).fill(
      requestedMs,
    );
    const executionTimeoutMs = input.document.executionTimeoutSeconds * 1000;
    for (const node of input.nodes) {
      const platform = node.os === 'windows' ? 'Windows' : 'Linux';
      const kind: InvocationKind =
        node.ssm === 'connection-lost' || faults.isDeliveryTimeout(node.instanceId)
          ? 'never'
          : input.document.platformTypes.includes(platform)
            ? 'run'
            : 'skip';
      const invocation: Invocation = {
        instanceId: node.instanceId,
        instanceName: node.privateDnsName,
        kind,
        startMs: Number.POSITIVE_INFINITY,
        endMs: Number.POSITIVE_INFINITY,
        executionTimedOut: false,
      };
      if (kind !== 'never') {
        // List scheduling over MaxConcurrency slots (AWS's exponential ramp-up is not modelled).
        const rng = this.deps.nodeRng(node.instanceId, this.byInstance.get(node.instanceId)?.length ?? 0);
        const pickup = requestedMs + this.deps.pickupDelay(rng);
        let slot = 0;
        for (let i = 1; i < slots.length; i++) if (slots[i]! < slots[slot]!) slot = i;
        invocation.startMs = Math.max(pickup, slots[slot]!);
        const duration = kind === 'skip' ? 50 : this.deps.executionTime(rng);
        invocation.executionTimedOut =
          kind === 'run' && (faults.isExecutionTimeout(node.instanceId) || duration > executionTimeoutMs);
        invocation.endMs =
          invocation.startMs + (invocation.executionTimedOut ? executionTimeoutMs : duration);
        slots[slot] = invocation.endMs;
        this.startRun(node, invocation, command);
      }
      command.invocations.push(invocation);
      command.byInstance.set(node.instanceId, invocation);
      const list = this.byInstance.get(node.instanceId) ?? [];
      this.byInstance.set(node.instanceId, list);
      list.push(command);
      if (faults.takeVanishAfterSend(node.instanceId))
        this.deps.fleet.terminate(node.instanceId, requestedMs + 1);
    }
    this.commands.push(command);
    this.byId.set(command.commandId, command);
    return command;
  }

  private startRun(node: SimNode, invocation: Invocation, command: Command): void {
    const { document } = command;
    const override = this.deps.faults.outputFor(node.instanceId);
    const added = addedVersionScript(document, command.resolvedVersion);
    if (invocation.kind === 'skip') {
      invocation.result = {
        exitCode: 0,
        stdout: preconditionSkipOutput(document.stepName, 'Linux'),
        stderr: '',
      };
    } else if (added !== undefined) {
      invocation.result = { exitCode: 0, stdout: added, stderr: '' };
    } else if (override) {
      invocation.result = {
        exitCode: override.exitCode ?? 0,
        stdout: override.stdout ?? '',
        stderr: override.stderr ?? '',
      };
    } else if (!node.tree) {
      invocation.result = {
        exitCode: 127,
        stdout: '',
        stderr: 'bash: simulated node has no filesystem tree',
      };
    } else {
      this.deps.runner.run(node.tree).then(
        (result) => {
          invocation.result = result;
        },
        (error: unknown) => {
          invocation.result = { exitCode: 1, stdout: '', stderr: String(error) };
        },
      );
    }
  }

  /** Every invocation's state at `now`, in one pass so MaxErrors can cancel later ones. */
  views(command: Command, now = this.deps.clock.now()): Map<string, InvocationView> {
    const out = new Map<string, InvocationView>();
    const errorEnds: number[] = [];
    const ordered = [...command.invocations].sort((a, b) => a.startMs - b.startMs);
    for (const invocation of ordered) {
      const errorsBefore = errorEnds.filter((end) => end <= invocation.startMs).sort((a, b) => a - b);
      const view = this.view(command, invocation, now, errorsBefore, command.maxErrorsAbsolute);
      if (view.finished && (view.statusDetails === 'Failed' || view.statusDetails === 'ExecutionTimedOut')) {
        errorEnds.push(invocation.endMs);
      }
      out.set(invocation.instanceId, view);
    }
    return out;
  }

  private view(
    command: Command,
    invocation: Invocation,
    now: number,
    errorEndsBefore: number[],
    maxErrors: number,
  ): InvocationView {
    const base = { invocation, stdout: '', stderr: '', responseCode: -1, started: false, finished: false };
    const node = this.deps.fleet.get(invocation.instanceId);
    const goneAt = node?.terminatedAtMs;
    if (goneAt !== undefined && goneAt < invocation.endMs && now >= goneAt) {
      return { ...base, status: 'Failed', statusDetails: 'Undeliverable', finished: true };
    }
    if (invocation.kind === 'never') {
      return now < command.requestedMs + command.timeoutSeconds * 1000
        ? { ...base, status: 'Pending', statusDetails: 'Pending' }
        : { ...base, status: 'TimedOut', statusDetails: 'DeliveryTimedOut', finished: true };
    }
    // MaxErrors: once more than MaxErrors invocations have failed, ones not yet started are cancelled.
    const cancelAt = errorEndsBefore[maxErrors];
    if (cancelAt !== undefined) {
      return now >= cancelAt
        ? { ...base, status: 'Cancelled', statusDetails: 'Terminated', finished: true }
        : { ...base, status: 'Pending', statusDetails: 'Pending' };
    }
    if (now < invocation.startMs) return { ...base, status: 'Pending', statusDetails: 'Pending' };
    const started = { ...base, started: true };
    if (now < invocation.endMs || !invocation.result) {
      return { ...started, status: 'InProgress', statusDetails: 'InProgress' };
    }
    const { result } = invocation;
    if (invocation.executionTimedOut) {
      return {
        ...started,
        finished: true,
        status: 'TimedOut',
        statusDetails: 'ExecutionTimedOut',
        responseCode: 1,
        stdout: result.stdout,
        stderr: result.stderr,
      };
    }
    const ok = result.exitCode === 0;
    return {
      ...started,
      finished: true,
      status: ok ? 'Success' : 'Failed',
      statusDetails: ok ? 'Success' : 'Failed',
      responseCode: result.exitCode,
      stdout: result.stdout,
      stderr: result.stderr,
    };
  }

  /**
   * The parent command's status. Assumption (not verified against AWS): a finished command with
   * non-Success invocations that stay within MaxErrors reports Status "Failed" with StatusDetails
   * "Incomplete"; Undeliverable ones do not count either way (facts A4).
   */
  commandView(command: Command, now = this.deps.clock.now()): CommandView {
    const views = [...this.views(command, now).values()];
    const completed = views.filter((v) => v.finished);
    const errorCount = completed.filter(
      (v) => v.statusDetails === 'Failed' || v.statusDetails === 'ExecutionTimedOut',
    ).length;
    const deliveryTimedOutCount = completed.filter((v) => v.statusDetails === 'DeliveryTimedOut').length;
    const counts = {
      targetCount: views.length,
      completedCount: completed.length,
      errorCount,
      deliveryTimedOutCount,
    };
    // A Targets command that selected no managed instance (facts A4 "No Instances In Tag").
    if (views.length === 0) return { ...counts, status: 'Failed', statusDetails: 'NoInstancesInTag' };
    if (completed.length < views.length) {
      const anyStarted = views.some((v) => v.started || v.finished);
      return {
        ...counts,
        status: anyStarted ? 'InProgress' : 'Pending',
        statusDetails: anyStarted ? 'InProgress' : 'Pending',
      };
    }
    if (errorCount > command.maxErrorsAbsolute)
      return { ...counts, status: 'Failed', statusDetails: 'Failed' };
    const notOk = completed.filter(
      (v) => v.statusDetails !== 'Success' && v.statusDetails !== 'Undeliverable',
    );
    if (notOk.length === 0) return { ...counts, status: 'Success', statusDetails: 'Success' };
    return { ...counts, status: 'Failed', statusDetails: 'Incomplete' };
  }
}
