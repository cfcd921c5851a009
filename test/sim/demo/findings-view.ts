/**
 * Reads findings back the way a user (or the console) does: Security Hub GetFindings through the
 * real SDK client, filtered to our product and generator, and the few fields the demo shows.
 */
import {
  type AwsSecurityFinding,
  type AwsSecurityFindingFilters,
  paginateGetFindings,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { PRODUCT_PREFIX } from '../../../functions/findings/asff.ts';
import { sdkClientConfig } from '../emulator/index.ts';

export interface FindingsReader {
  /** ACTIVE findings of our product and generator (what the console lists by default). */
  active(): Promise<AwsSecurityFinding[]>;
  /** Every finding of ours, ARCHIVED ones included. */
  all(): Promise<AwsSecurityFinding[]>;
  close(): void;
}

export function findingsReader(endpoint: string, region: string, productArn: string): FindingsReader {
  const client = new SecurityHubClient(sdkClientConfig(endpoint, { region }));
  const ours: AwsSecurityFindingFilters = {
    ProductArn: [{ Value: productArn, Comparison: 'EQUALS' }],
    GeneratorId: [{ Value: PRODUCT_PREFIX, Comparison: 'PREFIX' }],
  };
  const list = async (filters: AwsSecurityFindingFilters) => {
    const findings: AwsSecurityFinding[] = [];
    for await (const page of paginateGetFindings({ client, pageSize: 100 }, { Filters: filters })) {
      findings.push(...(page.Findings ?? []));
    }
    return findings;
  };
  return {
    active: () => list({ ...ours, RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }] }),
    all: () => list(ours),
    close: () => client.destroy(),
  };
}

export function field(finding: AwsSecurityFinding, name: string): string | undefined {
  return finding.ProductFields?.[`${PRODUCT_PREFIX}${name}`];
}

export const clusterOf = (f: AwsSecurityFinding): string => field(f, 'cluster') ?? '?';
export const instanceOf = (f: AwsSecurityFinding): string => field(f, 'instance') ?? '?';
export const controlOf = (f: AwsSecurityFinding): string => field(f, 'control') ?? f.GeneratorId ?? '?';
export const statusOf = (f: AwsSecurityFinding): string => f.Compliance?.Status ?? '?';
export const workflowOf = (f: AwsSecurityFinding): string => f.Workflow?.Status ?? '-';
export const recordStateOf = (f: AwsSecurityFinding): string => f.RecordState ?? '?';

/** The reason Security Hub shows under Compliance (StatusReasons), else our own field. */
export function reasonOf(f: AwsSecurityFinding): string {
  return f.Compliance?.StatusReasons?.[0]?.Description ?? field(f, 'status-reason') ?? '';
}

/**
 * The reason for the findings table. PASSED and FAILED reasons open with the verdict in words
 * ("The kubelet does NOT manage iptables utility chains: ...") that the STATUS column already
 * shows, so the table keeps what decided it; WARNING and NOT_AVAILABLE reasons are shown whole.
 */
export function briefReasonOf(f: AwsSecurityFinding): string {
  const reason = reasonOf(f);
  const status = statusOf(f);
  if (status !== 'PASSED' && status !== 'FAILED') return reason;
  const match = /^[^:/]{8,80}: (.+)$/s.exec(reason);
  return match?.[1] ?? reason;
}

/** "AL2023" from "Amazon Linux 2023.9.20251110", and so on; the OS name as given otherwise. */
function shortOs(prettyName: string): string {
  if (/^Amazon Linux 2023/.test(prettyName)) return 'AL2023';
  if (/^Amazon Linux 2\b/.test(prettyName)) return 'AL2';
  if (/^Bottlerocket/.test(prettyName)) return 'Bottlerocket';
  return prettyName.split(' ').slice(0, 2).join(' ');
}

const PROVISIONER_LABELS: Record<string, string> = {
  'managed-node-group': 'MNG',
  karpenter: 'Karpenter',
  'auto-mode': 'Auto Mode',
  'self-managed': 'self-managed',
};

/**
 * What kind of node, from what the finding itself says: the OS the collector read (node-os), else
 * the EC2 platform; then how it was provisioned and its group or pool.
 */
export function nodeTypeOf(f: AwsSecurityFinding): string {
  const nodeOs = field(f, 'node-os');
  const provisioner = field(f, 'provisioner');
  const os = nodeOs
    ? shortOs(nodeOs)
    : field(f, 'platform') === 'windows'
      ? 'Windows'
      : provisioner === 'auto-mode'
        ? ''
        : 'Linux';
  const group = field(f, 'nodegroup') ?? field(f, 'nodepool');
  const how = [provisioner ? (PROVISIONER_LABELS[provisioner] ?? provisioner) : undefined, group]
    .filter(Boolean)
    .join(' ');
  return [os, how].filter(Boolean).join(' · ');
}
