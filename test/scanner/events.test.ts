import { describe, expect, it } from 'vitest';
import { ForgedInternalFieldError, InvalidEventError } from '../../functions/scanner/errors.ts';
import { parseScanEvent } from '../../functions/scanner/events.ts';
import { parseInvocation } from '../../functions/scanner/internal-events.ts';

const BUS = 'eks-kubelet-audit-internal';
const RULE_ARN = `arn:aws:events:eu-west-1:111122223333:rule/${BUS}/WorkItemRule`;
/** A work item as the internal rule's input transformer hands it to the function. */
const wrapped = (detail: object, ruleArn = RULE_ARN) => ({
  channel: 'internal',
  ruleArn,
  event: { source: 'eks-kubelet-audit', 'detail-type': 'Scan Work', detail },
});

const I1 = 'i-0123456789abcdef0';
const I2 = 'i-0fedcba9876543210';

function invalidField(event: unknown): string {
  try {
    parseInvocation(event, BUS);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidEventError);
    return (error as InvalidEventError).field;
  }
  throw new Error('expected InvalidEventError');
}

describe('parseScanEvent', () => {
  it('accepts the fixed Scheduler input as a full scheduled scan', () => {
    // Prepare
    const event = { source: 'eks-kubelet-audit', 'detail-type': 'Scheduled Scan', detail: {} };
    // Act
    const request = parseScanEvent(event);
    // Assess
    expect(request).toEqual({ trigger: 'scheduled', reason: 'scheduled' });
  });

  it('treats an empty Scan Requested detail as everything', () => {
    const request = parseScanEvent({
      source: 'eks-kubelet-audit',
      'detail-type': 'Scan Requested',
      detail: {},
    });
    expect(request.trigger).toBe('on-demand');
    expect(request.clusters).toBeUndefined();
    expect(request.instanceIds).toBeUndefined();
  });

  it('keeps clusters, instanceIds, reason and scanId of an on-demand request, without duplicates', () => {
    const request = parseScanEvent({
      source: 'eks-kubelet-audit',
      'detail-type': 'Scan Requested',
      detail: {
        clusters: ['prod', 'prod', 'dev'],
        instanceIds: [I1, I1, I2],
        reason: 'after patch',
        scanId: 's-1',
      },
    });
    expect(request).toEqual({
      trigger: 'on-demand',
      clusters: ['prod', 'dev'],
      instanceIds: [I1, I2],
      reason: 'after patch',
      scanId: 's-1',
    });
  });

  it.each([
    [{ clusters: 'prod' }, 'detail.clusters'],
    [{ clusters: [] }, 'detail.clusters'],
    [{ clusters: ['-bad'] }, 'detail.clusters[0]'],
    [{ instanceIds: ['i-xyz'] }, 'detail.instanceIds[0]'],
    [{ instanceIds: [I1, 'nope'] }, 'detail.instanceIds[1]'],
    [{ instanceIds: [] }, 'detail.instanceIds'],
    [{ reason: 'x'.repeat(257) }, 'detail.reason'],
    [{ scanId: 'has space' }, 'detail.scanId'],
    [{ cluster: ['prod'] }, 'detail.cluster'],
    [{ concurrentScans: 0 }, 'detail.concurrentScans'],
    [{ concurrentScans: 1001 }, 'detail.concurrentScans'],
    [{ concurrentScans: 2.5 }, 'detail.concurrentScans'],
    [{ concurrentScans: '20' }, 'detail.concurrentScans'],
  ])('rejects detail %j naming %s', (detail, field) => {
    expect(invalidField({ source: 'eks-kubelet-audit', 'detail-type': 'Scan Requested', detail })).toBe(
      field,
    );
  });

  it.each([
    [{ concurrentScans: 1000 }, ['detail.concurrentScans']],
    [{ offline: { listedAt: '1970-01-01T00:00:00Z', byPingStatus: {} } }, ['detail.offline']],
    [
      { concurrentScans: 'x', offline: 1, trigger: 'scheduled' },
      ['detail.trigger', 'detail.concurrentScans', 'detail.offline'],
    ],
  ])('rejects the internal fields of %j on the public path, naming %j', (forged, fields) => {
    // Prepare
    const event = {
      source: 'eks-kubelet-audit',
      'detail-type': 'Scan Requested',
      detail: { clusters: ['prod'], ...forged },
    };
    // Act
    let caught: unknown;
    try {
      parseScanEvent(event);
    } catch (error) {
      caught = error;
    }
    // Assess: forged whatever the value (even one the internal schema would refuse)
    expect(caught).toBeInstanceOf(ForgedInternalFieldError);
    expect((caught as ForgedInternalFieldError).fields).toEqual(fields);
    expect((caught as Error).message).toMatch(/not accepted on the public bus/);
  });

  it('keeps the fan-out share of a work item from the internal channel only', () => {
    const item = { clusters: ['prod'], scanId: 's-1', trigger: 'scheduled', concurrentScans: 20 };
    expect(parseInvocation(wrapped(item), BUS)).toEqual({
      channel: 'internal',
      request: { trigger: 'scheduled', clusters: ['prod'], scanId: 's-1', work: { concurrentScans: 20 } },
    });
    const publicEvent = {
      source: 'eks-kubelet-audit',
      'detail-type': 'Scan Requested',
      detail: { clusters: ['prod'] },
    };
    expect(parseInvocation(publicEvent, BUS)).toEqual({
      channel: 'public',
      request: { trigger: 'on-demand', clusters: ['prod'] },
    });
  });

  it('refuses a wrapper from a rule of another bus, or a wrapper when no internal bus is configured', () => {
    const item = { clusters: ['prod'], scanId: 's-1', trigger: 'scheduled', concurrentScans: 2 };
    const other = 'arn:aws:events:eu-west-1:111122223333:rule/default/ScanRequestedRule';
    expect(invalidField(wrapped(item, other))).toBe('event.ruleArn');
    expect(() => parseInvocation(wrapped(item), undefined)).toThrow(/internal bus "\(none configured\)"/);
    expect(invalidField({ ...wrapped(item), channel: 'public' })).toBe('event.channel');
  });

  it('rejects a typo in the detail rather than widening the scan to everything', () => {
    expect(() =>
      parseScanEvent({
        source: 'eks-kubelet-audit',
        'detail-type': 'Scan Requested',
        detail: { instanceId: [I1] },
      }),
    ).toThrow(/detail\.instanceId: unknown field/);
  });

  it('rejects unknown sources, detail-types and non-objects', () => {
    expect(invalidField({ source: 'aws.ec2', 'detail-type': 'Scan Requested', detail: {} })).toBe('source');
    expect(invalidField({ source: 'eks-kubelet-audit', 'detail-type': 'Scan Done', detail: {} })).toBe(
      'detail-type',
    );
    expect(invalidField('scan please')).toBe('event');
    expect(
      invalidField({ source: 'eks-kubelet-audit', 'detail-type': 'Scheduled Scan', detail: { x: 1 } }),
    ).toBe('detail.x');
  });

  it('turns a Security Hub custom action into a scan of the findings instances and clusters', () => {
    // Prepare: two findings (one per event is usual; several must work too), one of another product.
    const event = {
      source: 'aws.securityhub',
      'detail-type': 'Security Hub Findings - Custom Action',
      resources: ['arn:aws:securityhub:eu-west-1:111122223333:action/custom/rescan'],
      detail: {
        actionName: 'Rescan',
        findings: [
          {
            ProductFields: { 'eks-kubelet-audit/cluster': 'prod' },
            Resources: [
              { Type: 'AwsEc2Instance', Id: `arn:aws:ec2:eu-west-1:111122223333:instance/${I1}` },
              {
                Type: 'AwsEksCluster',
                Id: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod',
                Details: { AwsEksCluster: { Name: 'prod' } },
              },
            ],
          },
          {
            Resources: [
              { Type: 'AwsEc2Instance', Id: `arn:aws-cn:ec2:cn-north-1:111122223333:instance/${I2}` },
            ],
          },
        ],
      },
    };
    // Act
    const request = parseScanEvent(event);
    // Assess
    expect(request.trigger).toBe('security-hub');
    expect(request.instanceIds).toEqual([I1, I2]);
    expect(request.clusters).toEqual(['prod']);
    expect(request.reason).toContain('Rescan');
  });

  it('rejects a custom action whose findings name no instance', () => {
    const field = invalidField({
      source: 'aws.securityhub',
      'detail-type': 'Security Hub Findings - Custom Action',
      detail: { findings: [{ Resources: [{ Type: 'AwsS3Bucket', Id: 'arn:aws:s3:::b' }] }] },
    });
    expect(field).toBe('detail.findings[].Resources');
    expect(
      invalidField({
        source: 'aws.securityhub',
        'detail-type': 'Security Hub Findings - Custom Action',
        detail: { findings: [] },
      }),
    ).toBe('detail.findings');
  });
});

describe('work item offline hint', () => {
  const LISTED_AT = '2026-11-28T09:00:00.123Z';
  const event = (detail: object) =>
    wrapped({ clusters: ['prod'], scanId: 's-1', trigger: 'on-demand', concurrentScans: 1, ...detail });
  const parse = (e: unknown) => parseInvocation(e, BUS).request.work ?? {};
  const hint = (byPingStatus: object, listedAt: unknown = LISTED_AT) => ({
    offline: { listedAt, byPingStatus },
  });

  it('keeps the fan-out listing as given, and an empty one (nothing offline) too', () => {
    // Prepare
    const offline = { ConnectionLost: [[I1, 1_764_000_000_123]], Inactive: [[I2, null]] };
    // Act
    const request = parse(event(hint(offline)));
    const none = parse(event(hint({})));
    // Assess
    expect(request).toHaveProperty('offline', { listedAt: LISTED_AT, byPingStatus: offline });
    expect(none).toHaveProperty('offline', { listedAt: LISTED_AT, byPingStatus: {} });
    expect(parse(event({}))).not.toHaveProperty('offline');
  });

  it.each([
    [hint({ ConnectionLost: [['i-xyz', 1]] }), 'event.detail.offline.byPingStatus.ConnectionLost[0][0]'],
    [hint({ Inactive: [[I1, -1]] }), 'event.detail.offline.byPingStatus.Inactive[0][1]'],
    [hint({ Inactive: [[I1, 1.5]] }), 'event.detail.offline.byPingStatus.Inactive[0][1]'],
    [hint({ Inactive: [[I1, '2026-11-28T09:00:00Z']] }), 'event.detail.offline.byPingStatus.Inactive[0][1]'],
    [hint({ Inactive: [[I1]] }), 'event.detail.offline.byPingStatus.Inactive[0][1]'],
    [hint({ Inactive: [I1] }), 'event.detail.offline.byPingStatus.Inactive[0]'],
    [hint({}, '28/11/2026'), 'event.detail.offline.listedAt'],
    [hint({}, 1_764_000_000_000), 'event.detail.offline.listedAt'],
    [{ offline: { byPingStatus: {} } }, 'event.detail.offline.listedAt'],
    [{ offline: [I1] }, 'event.detail.offline'],
  ])('rejects %j naming %s', (detail, field) => {
    expect(invalidField(event(detail))).toBe(field);
  });

  it('names the accepted keys of the object an unknown key sits in', () => {
    expect(() => parse(event(hint({ Online: [[I1, 1]] })))).toThrow(
      /detail\.offline\.byPingStatus\.Online: unknown field \(accepted: ConnectionLost, Inactive\)/,
    );
    expect(() => parse(event({ offline: { listedAt: LISTED_AT, byPingStatus: {}, at: 1 } }))).toThrow(
      /detail\.offline\.at: unknown field \(accepted: listedAt, byPingStatus\)/,
    );
    const publicEvent = {
      source: 'eks-kubelet-audit',
      'detail-type': 'Scan Requested',
      detail: { ofline: {} },
    };
    expect(() => parseScanEvent(publicEvent)).toThrow(
      /detail\.ofline: unknown field \(accepted: clusters, instanceIds, reason, scanId, resync\)/,
    );
  });

  it('rejects more instances than one event carries', () => {
    // Prepare: 300 + 201 = 501 instances, each list within its own bound.
    const ids = (n: number, from: number) =>
      Array.from({ length: n }, (_, i) => [`i-${(from + i).toString(16).padStart(17, '0')}`, null]);
    // Act / Assess
    expect(invalidField(event(hint({ ConnectionLost: ids(300, 0), Inactive: ids(201, 300) })))).toBe(
      'event.detail.offline',
    );
    expect(parse(event(hint({ ConnectionLost: ids(300, 0), Inactive: ids(200, 300) })))).toHaveProperty(
      'offline',
    );
  });
});
