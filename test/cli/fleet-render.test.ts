/** The fleet table shows node and tag text only through sanitizeText; the JSON keeps it exact. */
import { describe, expect, it } from 'vitest';
import type { FleetView } from '../../functions/cli/fleet.ts';
import { fleetJson, fleetTable, resultsTable } from '../../functions/cli/fleet-render.ts';
import { notAssessed } from '../../functions/controls/index.ts';

/** Whether raw escape, bell or bidi-override characters reach the output. */
const raw = (text: string) => ['\x1b', '\x07', '\u202E'].some((c) => text.includes(c));

const HOSTILE = 'ng\x1b]0;owned\x07\x1b[2J\u202Eevil';

const view: FleetView = {
  clusters: [{ name: 'c', arn: 'arn:aws:eks:eu-west-1:111122223333:cluster/c', autoMode: false }],
  missing: [],
  verdicts: [
    {
      cluster: 'c',
      node: {
        instanceId: 'i-0123456789abcdef0',
        cluster: 'c',
        provisioner: 'managed-node-group',
        platform: 'linux',
        nodeGroup: HOSTILE,
        operatorManaged: false,
        clusterTags: [],
      },
      reachable: false,
      code: 'SSM_OFFLINE',
      reason: `offline ${HOSTILE}`,
    },
  ],
};

describe('fleet output', () => {
  it('never puts a terminal control sequence from a node into the table', () => {
    const text = fleetTable(view);
    const results = resultsTable(view, [
      { verdict: view.verdicts[0]!, answer: { results: notAssessed('NOT_AVAILABLE', HOSTILE, {}) } },
    ]);
    for (const out of [text, results]) {
      expect(raw(out)).toBe(false);
      expect(out).toContain('i-0123456789abcdef0');
    }
    expect(text).toContain('1 nodes in 1 clusters; 0 would be scanned.');
  });

  it('keeps the JSON exact, with invisible characters escaped', () => {
    const json = fleetJson(view);
    expect(raw(json)).toBe(false);
    expect(JSON.parse(json).nodes[0].nodeGroup).toBe(HOSTILE);
  });
});
