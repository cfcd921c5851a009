import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './synth.ts';

type Json = Record<string, unknown>;

const EVENTS_DIR = join(REPO_ROOT, 'events');
const PARSER = join(REPO_ROOT, 'functions/scanner/events.ts');
const files = readdirSync(EVENTS_DIR).filter((f) => f.endsWith('.json'));
const read = (name: string): unknown => JSON.parse(readFileSync(join(EVENTS_DIR, name), 'utf8'));

/** `aws events put-events --entries file://…` takes a JSON array of PutEventsRequestEntry. */
const PUT_EVENTS_FILES = ['scan-all.json', 'scan-cluster.json', 'scan-instances.json'];
const HANDLER_PAYLOADS = ['scheduled.json', 'scan-requested.json', 'securityhub-custom-action.json'];
/** What the internal bus's rule hands the function: not an event anyone else can send. */
const INTERNAL_PAYLOADS = ['scan-work-item.json'];

// botocore events PutEventsRequestEntry / PutEventsRequest.
const ENTRY_FIELDS = ['Time', 'Source', 'Resources', 'DetailType', 'Detail', 'EventBusName', 'TraceHeader'];
const MAX_ENTRIES = 10;
const MAX_REQUEST_BYTES = 256 * 1024;

/** The event EventBridge delivers for an entry (what the rule's target receives). */
function envelope(entry: Json): Json {
  return {
    version: '0',
    id: '00000000-0000-0000-0000-000000000000',
    'detail-type': entry.DetailType,
    source: entry.Source,
    account: '111122223333',
    time: '2026-11-27T00:00:00Z',
    region: 'eu-west-1',
    resources: entry.Resources ?? [],
    detail: JSON.parse(entry.Detail as string),
  };
}

async function parser(): Promise<(event: unknown) => unknown> {
  const module = (await import(PARSER)) as { parseScanEvent: (event: unknown) => unknown };
  return module.parseScanEvent;
}

describe('events/', () => {
  it('holds exactly the documented files', () => {
    expect(files.sort()).toEqual([...PUT_EVENTS_FILES, ...HANDLER_PAYLOADS, ...INTERNAL_PAYLOADS].sort());
  });

  describe.each(PUT_EVENTS_FILES)('%s (PutEvents entries)', (name) => {
    const entries = read(name) as Json[];

    it('is a valid PutEvents request for the default bus and our source', () => {
      expect(Array.isArray(entries)).toBe(true);
      expect(entries.length).toBeGreaterThanOrEqual(1);
      expect(entries.length).toBeLessThanOrEqual(MAX_ENTRIES);
      expect(Buffer.byteLength(JSON.stringify(entries))).toBeLessThan(MAX_REQUEST_BYTES);
      for (const entry of entries) {
        for (const key of Object.keys(entry)) expect(ENTRY_FIELDS).toContain(key);
        expect(entry.Source).toBe('eks-kubelet-audit');
        expect(entry.DetailType).toBe('Scan Requested');
        expect((entry.DetailType as string).length).toBeLessThanOrEqual(128);
        expect(entry.EventBusName ?? 'default').toBe('default');
        // Detail is a string holding a JSON object (an array or scalar is rejected by EventBridge).
        expect(typeof entry.Detail).toBe('string');
        const detail = JSON.parse(entry.Detail as string);
        expect(detail).toBeTypeOf('object');
        expect(Array.isArray(detail)).toBe(false);
      }
    });
  });

  describe('parsed by the handler (functions/scanner/events.ts parseScanEvent)', () => {
    it('accepts every PutEvents entry as EventBridge delivers it', async () => {
      const parse = await parser();
      expect(parse(envelope((read('scan-all.json') as Json[])[0] as Json))).toEqual({
        trigger: 'on-demand',
        reason: 'on-demand scan of every cluster',
      });
      expect(parse(envelope((read('scan-cluster.json') as Json[])[0] as Json))).toMatchObject({
        trigger: 'on-demand',
        clusters: ['my-cluster'],
      });
      expect(parse(envelope((read('scan-instances.json') as Json[])[0] as Json))).toMatchObject({
        trigger: 'on-demand',
        instanceIds: ['i-0123456789abcdef0', 'i-0fedcba9876543210'],
      });
    });

    it('accepts every sample handler payload', async () => {
      const parse = await parser();
      expect(parse(read('scheduled.json'))).toMatchObject({ trigger: 'scheduled' });
      expect(parse(read('scan-requested.json'))).toEqual({
        trigger: 'on-demand',
        clusters: ['my-cluster'],
        reason: 'on-demand scan of one cluster',
        scanId: 'manual-2026-11-27T0930',
      });
      expect(parse(read('securityhub-custom-action.json'))).toMatchObject({
        trigger: 'security-hub',
        instanceIds: ['i-0123456789abcdef0'],
        clusters: ['my-cluster'],
      });
    });
  });

  it('has a work item sample the internal channel accepts, whose fields the public bus rejects', async () => {
    const { parseInvocation } = await import('../../functions/scanner/internal-events.ts');
    const wrapper = read('scan-work-item.json') as { ruleArn: string; event: Json };
    const bus = /:rule\/([^/]+)\//.exec(wrapper.ruleArn)?.[1];
    expect(parseInvocation(wrapper, bus)).toMatchObject({
      channel: 'internal',
      request: {
        trigger: 'scheduled',
        clusters: ['my-cluster', 'other-cluster'],
        work: { concurrentScans: 2 },
      },
    });
    // The same detail sent as a public Scan Requested: refused for its internal fields.
    const parse = await parser();
    expect(() => parse({ ...wrapper.event, 'detail-type': 'Scan Requested' })).toThrow(
      /detail\.trigger, detail\.concurrentScans, detail\.offline not accepted on the public bus/,
    );
  });

  it('has a custom action sample in the documented event format, from our own action', () => {
    const event = read('securityhub-custom-action.json') as Json;
    expect(event).toMatchObject({
      version: '0',
      source: 'aws.securityhub',
      'detail-type': 'Security Hub Findings - Custom Action',
    });
    expect(event.resources).toEqual([expect.stringMatching(/:action\/custom\/KubeletAuditRescan$/)]);
    const finding = ((event.detail as Json).findings as Json[])[0] as Json;
    expect(finding.GeneratorId).toMatch(/^eks-kubelet-audit\//);
    expect((finding.Resources as Json[]).map((r) => r.Type)).toEqual(['AwsEc2Instance', 'AwsEksCluster']);
  });
});
