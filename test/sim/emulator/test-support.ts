/** Helpers shared by the emulator's own tests (test/sim/*.test.ts). */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SSMClient } from '@aws-sdk/client-ssm';
import { sdkClientConfig } from './index.ts';

/** Real SDK v3 clients pointed at the emulator, with fast retries. */
export function sdkClients(endpoint: string, maxAttempts = 3) {
  const config = sdkClientConfig(endpoint, { fastRetry: true, maxAttempts });
  return {
    eks: new EKSClient(config),
    ec2: new EC2Client(config),
    ssm: new SSMClient(config),
    securityHub: new SecurityHubClient(config),
    events: new EventBridgeClient(config),
  };
}

/**
 * A stand-in collector for tests of the SSM wire behaviour: prints the os-release NAME of the node
 * tree it was given (so a test sees HOST_ROOT really was that tree), optional padding, and stderr.
 */
export function fakeCollectorScript(body?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fake-collector-'));
  const path = join(dir, 'collect.sh');
  writeFileSync(
    path,
    body ??
      `#!/bin/bash
name=$(sed -n 's/^NAME=//p' "$HOST_ROOT/etc/os-release" 2>/dev/null | head -1)
printf '{"os":%s,"kubelet":%s}' "\${name:-\\"none\\"}" "$(ls "$HOST_ROOT/proc" | grep -c '^[0-9]')"
echo "collector ran" >&2
`,
  );
  chmodSync(path, 0o755);
  return path;
}

/** Poll `probe` until it returns a value that is not undefined (real time). */
export async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('waitFor: timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A valid ASFF finding for the emulator's default account/region, with overrides. */
export function asffFinding(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const account = '123456789012';
  const at = '2026-11-01T00:00:00.000Z';
  return {
    SchemaVersion: '2018-10-08',
    Id: id,
    ProductArn: `arn:aws:securityhub:eu-west-1:${account}:product/${account}/default`,
    GeneratorId: 'eks-kubelet-audit/cis-eks-3.2.6',
    AwsAccountId: account,
    Types: [
      'Software and Configuration Checks/Industry and Regulatory Standards/CIS Host Hardening Benchmarks',
    ],
    CreatedAt: at,
    UpdatedAt: at,
    Title: 'Kubelet manages iptables',
    Description: 'The kubelet must be allowed to manage iptables.',
    FindingProviderFields: { Severity: { Label: 'INFORMATIONAL', Original: 'PASSED' } },
    Compliance: { Status: 'PASSED', RelatedRequirements: ['CIS Amazon EKS Benchmark v1.8.0/3.2.6'] },
    Resources: [
      {
        Type: 'AwsEc2Instance',
        Id: `arn:aws:ec2:eu-west-1:${account}:instance/i-0123456789abcdef0`,
        Partition: 'aws',
        Region: 'eu-west-1',
      },
    ],
    ProductFields: { 'eks-kubelet-audit/cluster': 'prod-eu' },
    RecordState: 'ACTIVE',
    ...overrides,
  };
}
