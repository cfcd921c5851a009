/**
 * The fan-out path of the scanner with mocked AWS clients: the account's offline instances are listed
 * once, beside the cluster listing and the vanished-cluster archive, and handed to every cluster scan
 * in its work item on the internal bus; when that listing fails or is too big, the events still go out, without it.
 */
import 'aws-sdk-client-mock-vitest/extend';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { EKSClient, ListClustersCommand } from '@aws-sdk/client-eks';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { GetFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { DescribeInstanceInformationCommand, type InstanceInformation, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClients } from '../../functions/aws/clients.ts';
import { offlineReachability } from '../../functions/aws/discovery.ts';
import { MAX_OFFLINE_HINT_INSTANCES, type OfflineHint } from '../../functions/scanner/events.ts';
import { offlineFromHint } from '../../functions/scanner/fan-out.ts';
import { parseInvocation } from '../../functions/scanner/internal-events.ts';
import { createScanner, type Scanner } from '../../functions/scanner/scanner.ts';
import type { FanOutSummary } from '../../functions/scanner/summary.ts';

const eks = mockClient(EKSClient);
const ssm = mockClient(SSMClient);
const securityHub = mockClient(SecurityHubClient);
const events = mockClient(EventBridgeClient);

const SCHEDULED = { source: 'eks-kubelet-audit', 'detail-type': 'Scheduled Scan', detail: {} };
const CONTEXT = {
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:scanner',
  getRemainingTimeInMillis: () => 900_000,
};
const CLUSTERS = ['alpha', 'beta', 'gamma'];
const LAST_PING = new Date('2026-11-27T22:15:30.250Z');

const id = (n: number) => `i-${n.toString(16).padStart(17, '0')}`;

/** `count` offline instances, served 50 a page as SSM does; odd ones Inactive without a last ping. */
function offlinePages(count: number, onPage: () => void = () => {}): void {
  const infos: InstanceInformation[] = Array.from({ length: count }, (_, n) =>
    n % 2 === 0
      ? { InstanceId: id(n), PingStatus: 'ConnectionLost', LastPingDateTime: LAST_PING }
      : { InstanceId: id(n), PingStatus: 'Inactive' },
  );
  // One listing per PingStatus (SSM takes one value a filter), each paged 50 at a time.
  ssm
    .on(DescribeInstanceInformationCommand)
    .callsFake((input: { NextToken?: string; Filters?: { Key?: string; Values?: string[] }[] }) => {
      onPage();
      const status = input.Filters?.find((f) => f.Key === 'PingStatus')?.Values;
      const listed = infos.filter((i) => !status || status.includes(i.PingStatus ?? ''));
      const start = Number(input.NextToken ?? '0');
      const next = start + 50;
      return {
        InstanceInformationList: listed.slice(start, next),
        ...(next < listed.length ? { NextToken: String(next) } : {}),
      };
    });
}

function putEntries(): PutEventsRequestEntry[] {
  return events.commandCalls(PutEventsCommand).flatMap((c) => c.args[0].input.Entries ?? []);
}

const INTERNAL_BUS = 'eks-kubelet-audit-internal';

/** A work item's offline hint as the function reads it back from the internal rule. */
function hintOf(entry: PutEventsRequestEntry): OfflineHint | undefined {
  const ruleArn = `arn:aws:events:eu-west-1:111122223333:rule/${entry.EventBusName}/WorkItemRule`;
  const event = {
    source: entry.Source,
    'detail-type': entry.DetailType,
    detail: JSON.parse(entry.Detail ?? '{}'),
  };
  return parseInvocation({ channel: 'internal', ruleArn, event }, INTERNAL_BUS).request.work?.offline;
}

function details(): Record<string, unknown>[] {
  return putEntries().map((e) => JSON.parse(e.Detail ?? '{}'));
}

let scanner: Scanner;
let warn: ReturnType<typeof vi.spyOn>;

beforeAll(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
});

beforeEach(() => {
  eks.reset();
  ssm.reset();
  securityHub.reset();
  events.reset();
  eks.on(ListClustersCommand).resolves({ clusters: CLUSTERS });
  securityHub.on(GetFindingsCommand).resolves({ Findings: [] });
  events.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({
    FailedEntryCount: 0,
    Entries: input.Entries.map((_, i) => ({ EventId: `e-${i}` })),
  }));
  warn = vi.spyOn(Logger.prototype, 'warn');
  scanner = createScanner({
    clients: createClients({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    }),
    config: {
      documentName: 'eks-kubelet-audit-collector',
      documentVersion: '1',
      eventBus: 'default',
      internalEventBus: INTERNAL_BUS,
      deliveryTimeoutSeconds: 60,
      pollInitialDelayMs: 3_000,
      pollIntervalMs: 5_000,
      pollJitter: 0,
      deadlineReserveMs: 0,
    },
    logger: new Logger({ serviceName: 'eks-kubelet-audit', logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'EksKubeletAuditTest', serviceName: 'eks-kubelet-audit' }),
  });
});

afterEach(() => {
  warn.mockRestore();
});

describe('fan-out with the offline listing', () => {
  it('lists offline instances with one paged listing per PingStatus and puts them in every cluster event', async () => {
    // Prepare: 51 offline instances (26 ConnectionLost, 25 Inactive: one page each); the archive's GetFindings answers only once the
    // listing has started, so a fan-out that listed after archiving would never get there.
    let listingStarted: () => void = () => {};
    const started = new Promise<void>((resolve) => {
      listingStarted = resolve;
    });
    offlinePages(51, () => listingStarted());
    securityHub.on(GetFindingsCommand).callsFake(async () => {
      await Promise.race([
        started,
        new Promise((_, reject) => setTimeout(() => reject(new Error('listing did not run beside')), 2_000)),
      ]);
      return { Findings: [] };
    });
    // Act
    const summary = (await scanner.scan(SCHEDULED, CONTEXT)) as FanOutSummary;
    // Assess: one listing per PingStatus, one value a filter.
    expect(summary.kind).toBe('fan-out');
    expect(summary.eventsPut).toBe(3);
    expect(ssm).toHaveReceivedCommandTimes(DescribeInstanceInformationCommand, 2);
    for (const status of ['ConnectionLost', 'Inactive']) {
      expect(ssm).toHaveReceivedCommandWith(DescribeInstanceInformationCommand, {
        Filters: [
          { Key: 'PingStatus', Values: [status] },
          { Key: 'ResourceType', Values: ['EC2Instance'] },
        ],
      });
    }
    // Every work item goes to the internal bus, carries all 51, parses as a work item and gives each
    // scan the reasons it reports today.
    const entries = putEntries();
    expect(entries).toHaveLength(3);
    for (const entry of entries) {
      expect(entry).toMatchObject({ EventBusName: INTERNAL_BUS, DetailType: 'Scan Work' });
      const hint = hintOf(entry);
      expect(hint).toBeDefined();
      const offline = offlineReachability(offlineFromHint(hint!));
      expect(offline.size).toBe(51);
      expect(offline.get(id(0))).toEqual({
        reachable: false,
        code: 'SSM_OFFLINE',
        reason: 'SSM agent offline (ConnectionLost) since 2026-11-27T22:15:30.250Z',
      });
      expect(offline.get(id(1))).toEqual({
        reachable: false,
        code: 'SSM_INACTIVE',
        reason: 'SSM agent Inactive (last ping an unknown time)',
      });
      expect(Date.parse(hint!.listedAt)).toBeLessThanOrEqual(Date.now());
    }
    expect(details().map((d) => d.clusters)).toEqual(CLUSTERS.map((c) => [c]));
  });

  it('puts the events without the listing when it fails, and warns', async () => {
    // Prepare
    ssm.on(DescribeInstanceInformationCommand).rejects(
      Object.assign(new Error('User is not authorized to perform: ssm:DescribeInstanceInformation'), {
        name: 'AccessDeniedException',
      }),
    );
    // Act
    const summary = (await scanner.scan(SCHEDULED, CONTEXT)) as FanOutSummary;
    // Assess: every cluster still gets its event; each scan will list offline instances itself.
    expect(summary.eventsPut).toBe(3);
    expect(details()).toHaveLength(3);
    for (const d of details()) expect(d).not.toHaveProperty('offline');
    expect(warn).toHaveBeenCalledWith(
      'Offline instances not listed; each cluster scan lists them itself',
      expect.objectContaining({ errorCode: 'AccessDeniedException' }),
    );
  });

  it(`leaves the listing out when the account has more than ${MAX_OFFLINE_HINT_INSTANCES} offline instances`, async () => {
    // Prepare
    offlinePages(MAX_OFFLINE_HINT_INSTANCES + 1);
    // Act
    const summary = (await scanner.scan(SCHEDULED, CONTEXT)) as FanOutSummary;
    // Assess: listed once (6 + 5 pages, one listing per PingStatus), not passed on, and said so.
    expect(summary.eventsPut).toBe(3);
    expect(ssm).toHaveReceivedCommandTimes(DescribeInstanceInformationCommand, 11);
    for (const d of details()) expect(d).not.toHaveProperty('offline');
    expect(warn).toHaveBeenCalledWith(
      expect.stringMatching(/^Offline listing does not fit in the events/),
      expect.objectContaining({ offlineInstances: MAX_OFFLINE_HINT_INSTANCES + 1 }),
    );
  });

  it(`passes on exactly ${MAX_OFFLINE_HINT_INSTANCES} offline instances`, async () => {
    offlinePages(MAX_OFFLINE_HINT_INSTANCES);
    await scanner.scan(SCHEDULED, CONTEXT);
    for (const entry of putEntries()) {
      expect(offlineFromHint(hintOf(entry)!)).toHaveLength(MAX_OFFLINE_HINT_INSTANCES);
    }
    expect(warn).not.toHaveBeenCalled();
  });
});
