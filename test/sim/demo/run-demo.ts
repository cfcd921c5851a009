/**
 * `npm run demo`: a scheduled scan of a simulated AWS account, end to end, in-process and offline.
 * The local emulator serves EKS, EC2, SSM, Security Hub and EventBridge over HTTP; the scanner is the
 * Lambda's own code (createScanner, wired by test/e2e/harness.ts exactly as the e2e tests wire it)
 * with real SDK v3 clients; every SSM command runs the real collect.sh with bash against a simulated
 * node filesystem. The demo then reads the findings back through GetFindings, shows them, changes
 * the fleet, scans again and verifies what a user relies on (checks.ts).
 */
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { controls } from '../../../functions/controls/index.ts';
import { CONFIG_DEFAULTS } from '../../../functions/scanner/config.ts';
import { ClusterScansFailedError } from '../../../functions/scanner/errors.ts';
import { clusterScansIn, type ScanSummary } from '../../../functions/scanner/summary.ts';
import { expectedStatus } from '../../e2e/expectations.ts';
import { type Harness, SCHEDULED, startHarness } from '../../e2e/harness.ts';
import { awsLikeTiming, type Emulator } from '../emulator/index.ts';
import type { Fleet, SimNode } from '../fleet.ts';
import { SAMPLE_IDS } from '../fleet-samples.ts';
import {
  type Check,
  checkFindings,
  checkKnownFailures,
  checkRescan,
  checkScanRun,
  type FleetChanges,
} from './checks.ts';
import { findingsReader, instanceOf, statusOf } from './findings-view.ts';
import {
  apiCallsBlock,
  type ChangeRow,
  changesBlock,
  checksBlock,
  findingsTable,
  fleetTable,
  formatMs,
  heading,
  summaryTable,
  type View,
} from './render.ts';
import { type Output, outputWidth, stylizer, wantsColor } from './style.ts';

export interface DemoOptions {
  /** Where the demo prints (default process.stdout). */
  readonly out?: Output;
  /** Default: only on a terminal, and never with NO_COLOR. */
  readonly color?: boolean;
  /** Default: the terminal's width. */
  readonly width?: number;
  /** AWS-like API latency and node run times, and the Lambda's production poll pace (slower). */
  readonly awsTiming?: boolean;
  /** Runs once the emulator is up, before the first scan (tests inject faults here). */
  readonly prepare?: (emulator: Emulator) => void;
  /**
   * Give up on a scan after this long (default 60 s, 300 s with awsTiming): the scanner's own
   * deadline is the Lambda's 15 minutes, far too long to stare at a demo that hangs.
   */
  readonly scanTimeoutMs?: number;
}

export interface ScanRecord {
  readonly summaries: readonly ScanSummary[];
  /** API calls of this scan by "service:Operation", as the emulator counted them. */
  readonly apiCalls: Record<string, number>;
  readonly wallMs: number;
  /** ACTIVE findings read back with GetFindings after the scan. */
  readonly active: readonly AwsSecurityFinding[];
  /** All our findings (ARCHIVED included) read back after the scan. */
  readonly all: readonly AwsSecurityFinding[];
}

export interface DemoResult {
  readonly exitCode: 0 | 1;
  readonly checks: readonly Check[];
  /** Set when the demo could not run to the end. */
  readonly error?: string;
  readonly wallMs: number;
  readonly scans: readonly ScanRecord[];
  readonly changes?: { readonly fixed: string; readonly terminated: string; readonly added: string };
  /** The FAILED finding printed as the ASFF example. */
  readonly example?: AwsSecurityFinding;
  readonly fleet?: Fleet;
}

function withTimeout<T>(promise: Promise<T>, ms: number, error: (ms: number) => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(error(ms)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function diffCalls(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, n] of Object.entries(after))
    if (n - (before[key] ?? 0) > 0) out[key] = n - (before[key] ?? 0);
  return out;
}

const clusterScans = clusterScansIn;

/** The fleet changes of the second scan: one failing node fixed, one node replaced by Karpenter. */
function changeFleet(fleet: Fleet, now: number): FleetChanges {
  const fixed = fleet.fix(SAMPLE_IDS.failingByFlag);
  const terminated = fleet.order.find(
    (n) => n.state === 'running' && n.provisioner === 'karpenter' && expectedStatus(n) === 'PASSED',
  );
  if (!terminated) throw new Error('sample fleet has no passing Karpenter node to terminate');
  fleet.terminate(terminated.instanceId, now);
  const added = fleet.addNode({
    cluster: terminated.cluster,
    provisioner: 'karpenter',
    group: terminated.group,
    os: terminated.os,
  });
  return { fixed, terminated, added };
}

export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const started = performance.now();
  const out = options.out ?? process.stdout;
  const view: View = {
    width: options.width ?? outputWidth(out),
    style: stylizer(options.color ?? wantsColor(out)),
  };
  const { style } = view;
  const print = (text = '') => out.write(text.endsWith('\n') ? text : `${text}\n`);
  const checks: Check[] = [];
  const scans: ScanRecord[] = [];
  const controlIds = controls.map((c) => c.id);
  let harness: Harness | undefined;
  let changes: FleetChanges | undefined;
  let example: AwsSecurityFinding | undefined;
  let error: string | undefined;

  print(style('bold', 'eks-kubelet-audit demo: a scheduled scan of a simulated AWS account'));
  print(
    style(
      'dim',
      'No AWS account, no network: a local emulator serves EKS, EC2, SSM, Security Hub and EventBridge over HTTP;\n' +
        "the scanner is the Lambda handler's code with the real AWS SDK v3 clients; every SSM command runs the\n" +
        'real collect.sh with bash against a simulated node filesystem.',
    ),
  );

  try {
    harness = await startHarness({
      ...(options.awsTiming ? awsLikeTiming() : {}),
      config: {
        // As deployed: the clusters of a scheduled scan side by side in one invocation.
        clustersPerInvocation: CONFIG_DEFAULTS.clustersPerInvocation,
        ...(options.awsTiming
          ? {
              pollInitialDelayMs: CONFIG_DEFAULTS.pollInitialDelayMs,
              pollIntervalMs: CONFIG_DEFAULTS.pollIntervalMs,
            }
          : {}),
      },
    });
    const h = harness;
    options.prepare?.(h.emulator);
    const fleet = h.fleet;
    const reader = findingsReader(h.emulator.endpoint, fleet.region, h.emulator.securityHub.productArn);
    try {
      const runningCount = () => fleet.order.filter((n) => n.state === 'running').length;
      print(heading(view, `Simulated account ${fleet.accountId}, ${fleet.region}`));
      print(
        `  ${fleet.clusters.size} EKS clusters, ${runningCount()} worker nodes ` +
          style('dim', `(emulator at ${h.emulator.endpoint})`),
      );
      print();
      print(fleetTable(view, fleet));

      const scan = async (title: string, note: string): Promise<[ScanRecord, Check[]]> => {
        print(heading(view, title));
        print(`  ${note}`);
        const callsBefore = { ...h.emulator.calls };
        const counterBefore = h.counter.total;
        const t0 = performance.now();
        const summaries = await withTimeout(
          // A cluster that failed beside others fails the invocation after every cluster reported:
          // the demo takes the invocation's summary from the error and its checks name the cluster.
          h
            .scanAll(SCHEDULED)
            .catch((caught: unknown) => {
              if (caught instanceof ClusterScansFailedError && caught.summary) {
                return [caught.summary as ScanSummary];
              }
              throw caught;
            }),
          options.scanTimeoutMs ?? (options.awsTiming ? 300_000 : 60_000),
          (ms) => {
            const done = h.delivered.map((d) => (d.kind === 'cluster-scan' ? d.cluster : d.kind));
            return new Error(
              `${title.split(':')[0]} did not finish within ${formatMs(ms)}; cluster scans finished so far: ` +
                `[${done.join(', ')}] of ${fleet.clusters.size}`,
            );
          },
        );
        const wallMs = performance.now() - t0;
        const apiCalls = diffCalls(h.emulator.calls, callsBefore);
        const record: ScanRecord = {
          summaries,
          apiCalls,
          wallMs,
          active: await reader.active(),
          all: await reader.all(),
        };
        scans.push(record);
        const fanOut = summaries[0];
        const perCluster = clusterScans(summaries);
        if (fanOut?.kind === 'fan-out' && fanOut.eventsPut === 0) {
          print(
            `  The handler scanned the ${perCluster.length} clusters side by side in this one invocation, sharing the\n` +
              "  account's API quotas: discover nodes → SSM Run Command (collect.sh) → evaluate → BatchImportFindings\n" +
              '  → "Scan Completed" per cluster.',
          );
        } else if (fanOut?.kind === 'fan-out') {
          print(
            `  The handler fanned out: it put ${fanOut.eventsPut} "Scan Requested" events (one per cluster), EventBridge\n` +
              `  delivered each back to the scanner, and ${perCluster.length} cluster scans ran in parallel:\n` +
              '  discover nodes → SSM Run Command (collect.sh) → evaluate → BatchImportFindings → "Scan Completed".',
          );
        }
        print(
          `  Done in ${style('bold', formatMs(wallMs))} wall time ` +
            style(
              'dim',
              options.awsTiming
                ? '(AWS-like API latency and node run times, production poll pace).'
                : '(no network latency; `npm run demo -- --aws-timing` for AWS-like timing).',
            ),
        );
        const scannerCount = h.counter.total - counterBefore;
        const emulatorCount = Object.values(apiCalls).reduce((a, b) => a + b, 0);
        return [
          record,
          [
            ...checkScanRun(title.split(':')[0] ?? title, fleet, summaries, h.deliveryErrors.splice(0)),
            {
              ok: scannerCount === emulatorCount,
              text: `the scanner's own API call count (${scannerCount}) matches the emulator's (${emulatorCount})`,
              details:
                scannerCount === emulatorCount
                  ? []
                  : ['the client middleware and the emulator disagree on the calls made'],
            },
          ],
        ];
      };

      // 1. Scheduled scan.
      const [first, firstRun] = await scan(
        'Scan 1: scheduled scan (the EventBridge Scheduler event)',
        `Event: ${JSON.stringify(SCHEDULED)}`,
      );
      print(heading(view, 'Security Hub: ACTIVE findings (GetFindings, our product and generator)'));
      print(findingsTable(view, first.active, { showControl: controlIds.length > 1 }));
      print(heading(view, 'Summary of scan 1 (what the handler returns and puts as "Scan Completed")'));
      const firstScans = clusterScans(first.summaries);
      print(summaryTable(view, firstScans));
      print(
        apiCallsBlock(
          view,
          first.apiCalls,
          firstScans.reduce((n, s) => n + s.nodes.inScope, 0),
        ),
      );
      const firstChecks = [
        ...firstRun,
        ...checkFindings(fleet, first.active, controlIds),
        ...checkKnownFailures(first.active),
      ];
      checks.push(...firstChecks);
      print(heading(view, 'Checks after scan 1'));
      print(checksBlock(view, firstChecks));

      // 2. The fleet changes, and the next scheduled scan.
      changes = changeFleet(fleet, h.emulator.clock.now());
      print(heading(view, 'The fleet changes'));
      const where = (node: SimNode) => `${node.cluster}/${node.group}`;
      const whereWidth = Math.max(
        ...[changes.fixed, changes.terminated, changes.added].map((n) => where(n).length),
      );
      const line = (what: string, node: SimNode, text: string) =>
        `  ${style('bold', what.padEnd(10))}  ${node.instanceId}  ${where(node).padEnd(whereWidth)}  ${text}`;
      print(line('fixed', changes.fixed, 'its kubelet loses --make-iptables-util-chains=false'));
      print(line('terminated', changes.terminated, 'Karpenter consolidates this node away'));
      print(line('added', changes.added, 'Karpenter launches a replacement'));
      const [second, secondRun] = await scan(
        'Scan 2: the next scheduled scan',
        'Same event, same handler: findings are updated in place, not duplicated.',
      );
      const before = new Map(first.all.map((f) => [f.Id, f]));
      const after = (node: SimNode) => second.all.filter((f) => instanceOf(f) === node.instanceId);
      const rows: ChangeRow[] = [];
      for (const [change, node] of [
        ['fixed', changes.fixed],
        ['terminated', changes.terminated],
        ['added', changes.added],
      ] as const) {
        for (const f of after(node)) rows.push({ change, before: before.get(f.Id), after: f });
        if (after(node).length === 0)
          rows.push({ change, before: first.all.find((f) => instanceOf(f) === node.instanceId) });
      }
      print(heading(view, 'Security Hub: what changed (GetFindings, ACTIVE and ARCHIVED)'));
      print(changesBlock(view, rows));
      const counts = (findings: readonly AwsSecurityFinding[]) => {
        const archived = findings.filter((f) => f.RecordState === 'ARCHIVED').length;
        return `${findings.length} (${findings.length - archived} ACTIVE, ${archived} ARCHIVED)`;
      };
      print(
        `  Our findings in Security Hub: ${counts(first.all)} after scan 1 → ${counts(second.all)} after scan 2.`,
      );
      const secondScans = clusterScans(second.summaries);
      print(heading(view, 'Summary of scan 2'));
      print(summaryTable(view, secondScans));
      print(
        apiCallsBlock(
          view,
          second.apiCalls,
          secondScans.reduce((n, s) => n + s.nodes.inScope, 0),
        ),
      );
      const secondChecks = [
        ...secondRun,
        ...checkFindings(fleet, second.active, controlIds),
        ...checkRescan(first.all, second.all, changes, controlIds),
      ];
      checks.push(...secondChecks);
      print(heading(view, 'Checks after scan 2'));
      print(checksBlock(view, secondChecks));

      // 3. One finding in full.
      example =
        second.active.find((f) => instanceOf(f) === SAMPLE_IDS.failingByDropIn && statusOf(f) === 'FAILED') ??
        second.active.find((f) => statusOf(f) === 'FAILED');
      print(heading(view, 'Example: one FAILED finding as Security Hub stores it (ASFF)'));
      if (example) print(JSON.stringify(example, null, 2));
      else print(style('red', '  (no FAILED finding to show)'));
      checks.push({
        ok: example !== undefined,
        text: 'a FAILED finding exists to show as the example',
        details: example ? [] : ['no ACTIVE finding is FAILED, although the sample fleet has failing nodes'],
      });
    } finally {
      reader.close();
    }
  } catch (caught) {
    error = caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught);
  } finally {
    await harness?.stop();
  }

  const wallMs = performance.now() - started;
  const failed = checks.filter((c) => !c.ok);
  print(heading(view, 'Result'));
  if (error) print(`  ${style(['bold', 'red'], '✗ The demo could not finish:')} ${error}`);
  if (failed.length > 0) {
    print(`  ${style(['bold', 'red'], `✗ ${failed.length} of ${checks.length} checks failed:`)}`);
    print(checksBlock(view, failed));
  }
  const exitCode = error || failed.length > 0 ? 1 : 0;
  if (exitCode === 0) {
    print(
      `  ${style(['bold', 'green'], `✓ All ${checks.length} checks passed`)} in ${formatMs(wallMs)}. ` +
        'Deploy to your account with `npx cdk deploy` (see README.md).',
    );
  }
  return {
    exitCode,
    checks,
    ...(error ? { error } : {}),
    wallMs,
    scans,
    ...(changes
      ? {
          changes: {
            fixed: changes.fixed.instanceId,
            terminated: changes.terminated.instanceId,
            added: changes.added.instanceId,
          },
        }
      : {}),
    ...(example ? { example } : {}),
    ...(harness ? { fleet: harness.fleet } : {}),
  };
}
