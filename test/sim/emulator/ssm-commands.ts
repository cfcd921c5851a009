/**
 * Run Command state: commands, their per-node invocations, and how each invocation moves over
 * simulated time: Pending → InProgress → Success / Failed / TimedOut / Cancelled, with the
 * StatusDetails AWS reports (SSM API reference, GetCommandInvocation). State is computed when read, from a
 * schedule fixed at SendCommand (pickup delay, the rate-control ramp up to MaxConcurrency, execution time)
 * plus the collector's real result, so no timers run per node.
 */
import type { Fleet, SimNode } from '../fleet.ts';
import type { SimClock } from './clock.ts';
import type { CollectorResult, CollectorRunner } from './collector-runner.ts';
import type { Faults } from './faults.ts';
import type { Distribution, Rng } from './random.ts';
import { rampSchedule } from './rate-control.ts';
import { addedVersionScript } from './ssm-documents.ts';
import { preconditionSkipOutput } from './ssm-output.ts';

/** An SSM Command document as far as the emulator needs it (schema 2.2, one step). */
export interface SimDocument {
  name: string;
  /** The step name (what GetCommandInvocation calls PluginName). */
  stepName: string;
  /** Platforms the step's precondition admits; others skip the step and report Success. */
  platformTypes: readonly ('Linux' | 'Windows' | 'MacOS')[];
  /**
   * The step's timeoutSeconds (agent clamps to 5..172800, default 3600: aws/amazon-ssm-agent
   * agent/plugins/pluginutil/pluginutil.go).
   */
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

/**
 * run: the collector runs; skip: the step's precondition skips it (Success); never: not picked up
 * (offline agent), Pending until the command expires, then DeliveryTimedOut; undeliverable: SSM gives
 * up on delivery (Failed, Undeliverable); denied: a target the caller may not send to (Failed,
 * AccessDenied: SSM API reference, GetCommandInvocation StatusDetails).
 */
export type InvocationKind = 'run' | 'skip' | 'never' | 'undeliverable' | 'denied';

export interface Invocation {
  instanceId: string;
  instanceName: string;
  kind: InvocationKind;
  startMs: number;
  endMs: number;
  executionTimedOut: boolean;
  /** Drawn for this run: sent → picked up, and picked up → exit (before the execution timeout). */
  pickupMs: number;
  runMs: number;
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
  /**
   * A node whose agent went offline after the caller listed it (ConnectionLost when the command is
   * sent): "delivery-timeout" (default, the longer wait) leaves its invocation Pending until the command
   * expires (delivery + execution timeout) and then DeliveryTimedOut; "undeliverable" ends it Failed
   * with StatusDetails Undeliverable once SSM tried to deliver. Both are documented outcomes
   * (SSM API reference, GetCommandInvocation StatusDetails); which one AWS picks for a ConnectionLost agent
   * is not documented.
   */
  offlineDelivery?: 'delivery-timeout' | 'undeliverable';
}

/** "50" or "10%" of `targets` (MaxConcurrency rounds up and is at least 1; MaxErrors may be 0). */
export function resolveRate(value: string, targets: number, minimum: number): number {
  const n = value.endsWith('%') ? Math.ceil((targets * Number(value.slice(0, -1))) / 100) : Number(value);
  return Math.max(minimum, n);
}

/**
 * When the command expires: delivery timeout + the document's execution timeout
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/monitor-commands.html).
 */
export function expiresAtMs(command: Command): number {
  return command.requestedMs + (command.timeoutSeconds + command.document.executionTimeoutSeconds) * 1000;
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
    /** Targets the caller may not send to (tag-targeted commands: they end AccessDenied). */
    denied?: ReadonlySet<string>;
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
    const executionTimeoutMs = input.document.executionTimeoutSeconds * 1000;
    for (const node of input.nodes) {
      const invocation = this.invocationFor(node, input.document, input.denied);
      const rng = this.deps.nodeRng(node.instanceId, this.byInstance.get(node.instanceId)?.length ?? 0);
      invocation.pickupMs = this.deps.pickupDelay(rng);
      const duration = invocation.kind === 'skip' ? 50 : this.deps.executionTime(rng);
      invocation.executionTimedOut =
        invocation.kind === 'run' &&
        (faults.isExecutionTimeout(node.instanceId) || duration > executionTimeoutMs);
      invocation.runMs = invocation.executionTimedOut ? executionTimeoutMs : duration;
      command.invocations.push(invocation);
    }
    // Rate control: waves of 1, 2, 4 … up to MaxConcurrency (rate-control.ts).
    const schedule = rampSchedule(
      command.invocations.map((inv) => ({
        delivered: inv.kind === 'run' || inv.kind === 'skip',
        pickupMs: inv.pickupMs,
        runMs: inv.runMs,
      })),
      { requestedMs, maxConcurrency: resolveRate(input.maxConcurrency, targets, 1) },
    );
    command.invocations.forEach((invocation, i) => {
      const node = input.nodes[i]!;
      const slot = schedule[i]!;
      if (invocation.kind === 'run' || invocation.kind === 'skip') {
        invocation.startMs = slot.startMs;
        invocation.endMs = slot.endMs;
        this.startRun(node, invocation, command);
      } else if (invocation.kind === 'undeliverable' || invocation.kind === 'denied') {
        // Decided when SSM tries to deliver (undeliverable) or resolves the target (denied).
        invocation.startMs = requestedMs + (invocation.kind === 'denied' ? 0 : invocation.pickupMs);
        invocation.endMs = invocation.startMs;
      }
      command.byInstance.set(node.instanceId, invocation);
      const list = this.byInstance.get(node.instanceId) ?? [];
      this.byInstance.set(node.instanceId, list);
      list.push(command);
      if (faults.takeVanishAfterSend(node.instanceId))
        this.deps.fleet.terminate(node.instanceId, requestedMs + 1);
    });
    this.commands.push(command);
    this.byId.set(command.commandId, command);
    return command;
  }

  private invocationFor(node: SimNode, document: SimDocument, denied?: ReadonlySet<string>): Invocation {
    const { faults } = this.deps;
    const platform = node.os === 'windows' ? 'Windows' : 'Linux';
    const offline = node.ssm === 'connection-lost' || faults.isDeliveryTimeout(node.instanceId);
    const kind: InvocationKind = denied?.has(node.instanceId)
      ? 'denied'
      : offline
        ? this.deps.offlineDelivery === 'undeliverable' && node.ssm === 'connection-lost'
          ? 'undeliverable'
          : 'never'
        : document.platformTypes.includes(platform)
          ? 'run'
          : 'skip';
    return {
      instanceId: node.instanceId,
      instanceName: node.privateDnsName,
      kind,
      startMs: Number.POSITIVE_INFINITY,
      endMs: Number.POSITIVE_INFINITY,
      executionTimedOut: false,
      pickupMs: 0,
      runMs: 0,
    };
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
      // The command expires after its delivery timeout PLUS the document's execution timeout (SSM User
      // Guide, https://docs.aws.amazon.com/systems-manager/latest/userguide/monitor-commands.html;
      // Command.ExpiresAfter); then every invocation still Pending becomes DeliveryTimedOut.
      return now < expiresAtMs(command)
        ? { ...base, status: 'Pending', statusDetails: 'Pending' }
        : { ...base, status: 'TimedOut', statusDetails: 'DeliveryTimedOut', finished: true };
    }
    if (invocation.kind === 'undeliverable' || invocation.kind === 'denied') {
      if (now < invocation.endMs) return { ...base, status: 'Pending', statusDetails: 'Pending' };
      const statusDetails = invocation.kind === 'denied' ? 'AccessDenied' : 'Undeliverable';
      return { ...base, status: 'Failed', statusDetails, finished: true };
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
   * "Incomplete"; Undeliverable ones do not count either way (SSM API reference, Command StatusDetails).
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
    // A Targets command that selected no managed instance (SSM API reference, Command StatusDetails "No
    // Instances In Tag").
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
