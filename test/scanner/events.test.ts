import { describe, expect, it } from 'vitest';
import { InvalidEventError } from '../../functions/scanner/errors.ts';
import { parseScanEvent } from '../../functions/scanner/events.ts';

const I1 = 'i-0123456789abcdef0';
const I2 = 'i-0fedcba9876543210';

function invalidField(event: unknown): string {
  try {
    parseScanEvent(event);
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

  it('keeps the fan-out share concurrentScans and leaves it absent when not given', () => {
    const event = (detail: object) => ({
      source: 'eks-kubelet-audit',
      'detail-type': 'Scan Requested',
      detail,
    });
    expect(parseScanEvent(event({ clusters: ['prod'], concurrentScans: 20 }))).toEqual({
      trigger: 'on-demand',
      clusters: ['prod'],
      concurrentScans: 20,
    });
    expect(parseScanEvent(event({ clusters: ['prod'], concurrentScans: 1000 })).concurrentScans).toBe(1000);
    expect(parseScanEvent(event({ clusters: ['prod'] }))).not.toHaveProperty('concurrentScans');
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

describe('Scan Requested offline hint', () => {
  const LISTED_AT = '2026-11-28T09:00:00.123Z';
  const event = (detail: object) => ({
    source: 'eks-kubelet-audit',
    'detail-type': 'Scan Requested',
    detail: { clusters: ['prod'], ...detail },
  });
  const hint = (byPingStatus: object, listedAt: unknown = LISTED_AT) => ({
    offline: { listedAt, byPingStatus },
  });

  it('keeps the fan-out listing as given, and an empty one (nothing offline) too', () => {
    // Prepare
    const offline = { ConnectionLost: [[I1, 1_764_000_000_123]], Inactive: [[I2, null]] };
    // Act
    const request = parseScanEvent(event(hint(offline)));
    const none = parseScanEvent(event(hint({})));
    // Assess
    expect(request.offline).toEqual({ listedAt: LISTED_AT, byPingStatus: offline });
    expect(none.offline).toEqual({ listedAt: LISTED_AT, byPingStatus: {} });
    expect(parseScanEvent(event({}))).not.toHaveProperty('offline');
  });

  it.each([
    [hint({ ConnectionLost: [['i-xyz', 1]] }), 'detail.offline.byPingStatus.ConnectionLost[0][0]'],
    [hint({ Inactive: [[I1, -1]] }), 'detail.offline.byPingStatus.Inactive[0][1]'],
    [hint({ Inactive: [[I1, 1.5]] }), 'detail.offline.byPingStatus.Inactive[0][1]'],
    [hint({ Inactive: [[I1, '2026-11-28T09:00:00Z']] }), 'detail.offline.byPingStatus.Inactive[0][1]'],
    [hint({ Inactive: [[I1]] }), 'detail.offline.byPingStatus.Inactive[0][1]'],
    [hint({ Inactive: [I1] }), 'detail.offline.byPingStatus.Inactive[0]'],
    [hint({}, '28/11/2026'), 'detail.offline.listedAt'],
    [hint({}, 1_764_000_000_000), 'detail.offline.listedAt'],
    [{ offline: { byPingStatus: {} } }, 'detail.offline.listedAt'],
    [{ offline: [I1] }, 'detail.offline'],
  ])('rejects %j naming %s', (detail, field) => {
    expect(invalidField(event(detail))).toBe(field);
  });

  it('names the accepted keys of the object an unknown key sits in', () => {
    expect(() => parseScanEvent(event(hint({ Online: [[I1, 1]] })))).toThrow(
      /detail\.offline\.byPingStatus\.Online: unknown field \(accepted: ConnectionLost, Inactive\)/,
    );
    expect(() =>
      parseScanEvent(event({ offline: { listedAt: LISTED_AT, byPingStatus: {}, at: 1 } })),
    ).toThrow(/detail\.offline\.at: unknown field \(accepted: listedAt, byPingStatus\)/);
    expect(() => parseScanEvent(event({ ofline: {} }))).toThrow(
      /detail\.ofline: unknown field \(accepted: clusters, instanceIds, reason, scanId, concurrentScans, offline\)/,
    );
  });

  it('rejects more instances than one event carries', () => {
    // Prepare: 300 + 201 = 501 instances, each list within its own bound.
    const ids = (n: number, from: number) =>
      Array.from({ length: n }, (_, i) => [`i-${(from + i).toString(16).padStart(17, '0')}`, null]);
    // Act / Assess
    expect(invalidField(event(hint({ ConnectionLost: ids(300, 0), Inactive: ids(201, 300) })))).toBe(
      'detail.offline',
    );
    expect(
      parseScanEvent(event(hint({ ConnectionLost: ids(300, 0), Inactive: ids(200, 300) }))).offline,
    ).toBeDefined();
  });
});
