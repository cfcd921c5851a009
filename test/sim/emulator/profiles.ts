/**
 * Ready-made timing profiles. Tests use the fast defaults of startEmulator (no latency, 100 ms
 * pickup, 200 ms execution, all simulated). The bench wants AWS-like timing; none of these numbers is
 * published by AWS, so they are stated assumptions, chosen on the slow side of what operators report:
 * - node execution (agent poll → bash → upload): lognormal, median 1.5 s, p99 8 s;
 * - agent pickup of a new command: 0.2–1.5 s (the agent's MGS channel delivers in about a second);
 * - API latency: 40–120 ms per call, 150–400 ms for the large-payload calls (EC2 DescribeInstances
 *   pages of 1,000, Security Hub imports of 100 findings, GetFindings pages of 100).
 */

import { lognormal, uniform } from './random.ts';
import type { EmulatorOptions } from './server.ts';

export function awsLikeTiming(): Pick<EmulatorOptions, 'executionTime' | 'pickupDelay' | 'latency'> {
  return {
    executionTime: lognormal(1500, 8000),
    pickupDelay: uniform(200, 1500),
    latency: {
      '*': uniform(40, 120),
      'ec2:DescribeInstances': uniform(150, 400),
      'securityhub:BatchImportFindings': uniform(150, 400),
      'securityhub:GetFindings': uniform(150, 400),
    },
  };
}
