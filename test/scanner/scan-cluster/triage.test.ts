/**
 * Triage on its own: who is answered without a command (Auto Mode, Windows, offline in SSM) and the
 * order the rest are sent in (grouped by instance role, then node group, so an unmanaged node group
 * fills its own SendCommand chunks, run-command/send.ts).
 */
import { describe, expect, it } from 'vitest';
import { controls } from '../../../functions/controls/index.ts';
import type { NodeInfo, Reachability } from '../../../functions/fleet.ts';
import type { ScanState } from '../../../functions/scanner/scan-cluster/state.ts';
import { triage } from '../../../functions/scanner/scan-cluster/triage.ts';
import { expectedWindowsReason } from '../../controls/windows-reasons.ts';

function node(instanceId: string, extra: Partial<NodeInfo> = {}): NodeInfo {
  return {
    instanceId,
    cluster: 'c1',
    provisioner: 'managed-node-group',
    platform: 'linux',
    operatorManaged: false,
    clusterTags: ['eks:cluster-name'],
    ...extra,
  };
}

/** Only what triage reads: the answers it fills and the offline listing the fan-out passed on. */
function scanWith(offline: Map<string, Reachability>): ScanState {
  const unused = () => {
    throw new Error('triage must not list offline instances when the fan-out passed them');
  };
  return {
    answers: new Map(),
    input: { offlineInstances: offline },
    deps: { clients: { ssm: { send: unused } } },
  } as unknown as ScanState;
}

describe('triage', () => {
  const offline = new Map<string, Reachability>([
    ['i-off', { reachable: false, code: 'SSM_OFFLINE', reason: 'ConnectionLost since then' }],
    ['i-on', { reachable: true }],
  ]);
  const nodes = [
    node('i-b2', { iamInstanceProfileArn: 'arn:b', nodeGroup: 'ng-2' }),
    node('i-auto', {
      operatorManaged: true,
      operatorPrincipal: 'eks.amazonaws.com',
      provisioner: 'auto-mode',
    }),
    node('i-a1', { iamInstanceProfileArn: 'arn:a', nodeGroup: 'ng-1' }),
    node('i-win', { platform: 'windows' }),
    node('i-off', { iamInstanceProfileArn: 'arn:a' }),
    node('i-b1', { iamInstanceProfileArn: 'arn:b', nodeGroup: 'ng-1' }),
    node('i-on', { iamInstanceProfileArn: 'arn:a', nodeGroup: 'ng-1' }),
  ];

  it('answers Auto Mode, Windows and offline nodes without a command, in scope order', async () => {
    const scan = scanWith(offline);
    const triaged = await triage(scan, nodes);
    expect(triaged.noCommand.map((n) => n.instanceId)).toEqual(['i-auto', 'i-win']);
    expect(triaged.offlineNodes.map((n) => n.instanceId)).toEqual(['i-off']);
    expect([...scan.answers.keys()]).toEqual(['i-auto', 'i-win', 'i-off']);
    expect(scan.answers.get('i-auto')?.reasonCode).toBe('AUTO_MODE');
    expect(scan.answers.get('i-auto')?.results[0]?.reason).toContain('operated by eks.amazonaws.com');
    expect(scan.answers.get('i-win')?.reasonCode).toBe('NOT_APPLICABLE_WINDOWS');
    // Each control answers a Windows node in its own words: not applicable, or not assessed.
    const windows = scan.answers.get('i-win')?.results ?? [];
    expect(windows.map((r) => r.controlId)).toEqual(controls.map((c) => c.id));
    for (const r of windows) {
      expect(r.status).toBe('NOT_AVAILABLE');
      expect(r.reason).toBe(expectedWindowsReason(r.controlId));
    }
    expect(scan.answers.get('i-off')?.reasonCode).toBe('SSM_OFFLINE');
    expect(scan.answers.get('i-off')?.results.every((r) => r.status === 'NOT_AVAILABLE')).toBe(true);
  });

  it('sends the rest sorted by instance role, then node group, then id', async () => {
    const triaged = await triage(scanWith(offline), nodes);
    expect(triaged.sendTo.map((n) => n.instanceId)).toEqual(['i-a1', 'i-on', 'i-b1', 'i-b2']);
  });
});
