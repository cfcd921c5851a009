/**
 * Fault injection at run time: tests and the bench arm faults; the services consume them. Every
 * fault that fires is counted in `fired` so a test can assert it really happened.
 */
export interface NodeOutputOverride {
  exitCode?: number;
  stdout?: string;
  stderr?: string;
}

export interface FindingFailure {
  errorCode: string;
  message: string;
  /** Imports left that fail (Infinity = always). */
  remaining: number;
}

/** Operation keys are "service:Operation"; "service:*" and "*" match more. */
function keysFor(operation: string): string[] {
  return [operation, `${operation.split(':')[0]}:*`, '*'];
}

export class Faults {
  readonly fired: Record<string, number> = {};
  private readonly throttles = new Map<string, number>();
  private readonly serverErrors = new Map<string, { remaining: number; status: number }>();
  private readonly findingFailures = new Map<string, FindingFailure>();
  private invocationMissing = 0;
  private invocationsHidden = 0;
  private readonly deliveryTimeouts = new Set<string>();
  private readonly vanishOnSendIds = new Set<string>();
  private readonly vanishAfterSendIds = new Set<string>();
  private readonly executionTimeouts = new Set<string>();
  private readonly outputs = new Map<string, NodeOutputOverride>();
  private readonly shortPageCounts = new Map<string, number>();
  securityHubDisabled = false;
  /** DescribeInstanceInformation's InvalidInstanceId names no ids (the scanner must then bisect). */
  invalidInstanceIdsUnnamed = false;

  /** The next `count` calls of `operation` get the service's throttling error. */
  throttle(operation: string, count = 1): this {
    this.throttles.set(operation, (this.throttles.get(operation) ?? 0) + count);
    return this;
  }

  /** The next `count` calls of `operation` fail with a 5xx (InternalServerError/InternalException). */
  serverError(operation: string, count = 1, status = 500): this {
    this.serverErrors.set(operation, { remaining: count, status });
    return this;
  }

  /**
   * The next `count` pages of `operation` (only ec2:DescribeInstances reads it) hold fewer items
   * than asked for, with a NextToken, while more remain.
   */
  shortPages(operation: string, count = 1): this {
    this.shortPageCounts.set(operation, (this.shortPageCounts.get(operation) ?? 0) + count);
    return this;
  }

  /** BatchImportFindings reports these finding ids in FailedFindings (HTTP 200), `times` times each. */
  failFindings(
    ids: Iterable<string>,
    options: { times?: number; errorCode?: string; message?: string } = {},
  ): this {
    for (const id of ids) {
      this.findingFailures.set(id, {
        errorCode: options.errorCode ?? 'InternalFailure',
        message: options.message ?? 'Internal failure while processing the finding, please retry',
        remaining: options.times ?? Number.POSITIVE_INFINITY,
      });
    }
    return this;
  }

  /** The next `count` GetCommandInvocation calls raise InvocationDoesNotExist (eventual consistency). */
  invocationDoesNotExist(count: number): this {
    this.invocationMissing += count;
    return this;
  }

  /**
   * The next `count` ListCommandInvocations calls for a CommandId return an empty list, as AWS does
   * right after SendCommand (aws/aws-cli#3546).
   */
  invocationsNotYetListed(count: number): this {
    this.invocationsHidden += count;
    return this;
  }

  /**
   * The node never picks the command up: Pending, then DeliveryTimedOut once the command expires
   * (TimeoutSeconds + the document's execution timeout).
   */
  deliveryTimeout(instanceId: string): this {
    this.deliveryTimeouts.add(instanceId);
    return this;
  }

  /** The node is terminated just before SendCommand validates it: the call fails InvalidInstanceId. */
  vanishOnSend(instanceId: string): this {
    this.vanishOnSendIds.add(instanceId);
    return this;
  }

  /** The node is terminated right after SendCommand accepted it: its invocation is Undeliverable. */
  vanishAfterSend(instanceId: string): this {
    this.vanishAfterSendIds.add(instanceId);
    return this;
  }

  /** The node's run outlasts the document's execution timeout: ExecutionTimedOut. */
  executionTimeout(instanceId: string): this {
    this.executionTimeouts.add(instanceId);
    return this;
  }

  /** Replace what the node's command prints / exits with (garbage, huge, failing...). */
  nodeOutput(instanceId: string, output: NodeOutputOverride): this {
    this.outputs.set(instanceId, output);
    return this;
  }

  /** Security Hub "not enabled": every Security Hub call → InvalidAccessException (401). */
  disableSecurityHub(disabled = true): this {
    this.securityHubDisabled = disabled;
    return this;
  }

  clear(): void {
    this.throttles.clear();
    this.serverErrors.clear();
    this.findingFailures.clear();
    this.invocationMissing = 0;
    this.invocationsHidden = 0;
    this.deliveryTimeouts.clear();
    this.vanishOnSendIds.clear();
    this.vanishAfterSendIds.clear();
    this.executionTimeouts.clear();
    this.outputs.clear();
    this.shortPageCounts.clear();
    this.securityHubDisabled = false;
    this.invalidInstanceIdsUnnamed = false;
  }

  // ---- consumed by the emulator ----

  takeThrottle(operation: string): boolean {
    for (const key of keysFor(operation)) {
      const left = this.throttles.get(key) ?? 0;
      if (left > 0) {
        this.throttles.set(key, left - 1);
        this.fire(`throttle:${operation}`);
        return true;
      }
    }
    return false;
  }

  takeShortPage(operation: string): boolean {
    const left = this.shortPageCounts.get(operation) ?? 0;
    if (left <= 0) return false;
    this.shortPageCounts.set(operation, left - 1);
    return this.fire(`shortPage:${operation}`);
  }

  takeServerError(operation: string): number | undefined {
    for (const key of keysFor(operation)) {
      const armed = this.serverErrors.get(key);
      if (armed && armed.remaining > 0) {
        armed.remaining--;
        this.fire(`serverError:${operation}`);
        return armed.status;
      }
    }
    return undefined;
  }

  takeFindingFailure(id: string): FindingFailure | undefined {
    const failure = this.findingFailures.get(id);
    if (!failure || failure.remaining <= 0) return undefined;
    failure.remaining--;
    this.fire('failedFinding');
    return failure;
  }

  takeInvocationDoesNotExist(): boolean {
    if (this.invocationMissing <= 0) return false;
    this.invocationMissing--;
    this.fire('invocationDoesNotExist');
    return true;
  }

  takeInvocationsNotYetListed(): boolean {
    if (this.invocationsHidden <= 0) return false;
    this.invocationsHidden--;
    this.fire('invocationsNotYetListed');
    return true;
  }

  isDeliveryTimeout(id: string): boolean {
    return this.deliveryTimeouts.has(id);
  }

  takeVanishOnSend(id: string): boolean {
    return this.vanishOnSendIds.delete(id) && this.fire('vanishOnSend');
  }

  takeVanishAfterSend(id: string): boolean {
    return this.vanishAfterSendIds.delete(id) && this.fire('vanishAfterSend');
  }

  isExecutionTimeout(id: string): boolean {
    return this.executionTimeouts.has(id);
  }

  outputFor(id: string): NodeOutputOverride | undefined {
    return this.outputs.get(id);
  }

  private fire(kind: string): true {
    this.fired[kind] = (this.fired[kind] ?? 0) + 1;
    return true;
  }
}
