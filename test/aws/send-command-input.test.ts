import { describe, expect, it } from 'vitest';
import {
  collectorCommandInput,
  DEPLOYED_DOCUMENT_VERSION,
} from '../../functions/aws/run-command/send-command-input.ts';

const base = { documentName: 'KubeletAudit-Collector-ABC123', deliveryTimeoutSeconds: 60 };

describe('collectorCommandInput', () => {
  it('always names a document version: the deployed "1" unless told another number', () => {
    expect(DEPLOYED_DOCUMENT_VERSION).toBe('1');
    expect(collectorCommandInput(base, { InstanceIds: ['i-0123456789abcdef0'] }).DocumentVersion).toBe('1');
    expect(
      collectorCommandInput({ ...base, documentVersion: '7' }, { InstanceIds: ['i-0123456789abcdef0'] })
        .DocumentVersion,
    ).toBe('7');
  });

  it.each([
    '$DEFAULT',
    '$LATEST',
    '',
    '0',
    '01',
    '1.0',
  ])('refuses the unpinned or invalid version %j', (v) => {
    expect(() => collectorCommandInput({ ...base, documentVersion: v }, { InstanceIds: ['i-1'] })).toThrow(
      RangeError,
    );
  });

  it('builds the same rate controls for ids and tag targets as before', () => {
    const byId = collectorCommandInput({ ...base, comment: 'x'.repeat(150) }, { InstanceIds: ['i-1'] });
    expect(byId).toMatchObject({
      DocumentName: base.documentName,
      InstanceIds: ['i-1'],
      MaxErrors: '100%',
      MaxConcurrency: '50',
      TimeoutSeconds: 60,
      CloudWatchOutputConfig: { CloudWatchOutputEnabled: false },
    });
    expect(byId.Comment).toHaveLength(100);
    const byTag = collectorCommandInput(base, {
      Targets: [{ Key: 'tag:eks:cluster-name', Values: ['prod'] }],
    });
    expect(byTag.MaxConcurrency).toBe('100%');
    expect(byTag).not.toHaveProperty('Comment');
  });
});
