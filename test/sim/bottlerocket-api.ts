/**
 * What Bottlerocket's API answers in the control container, shaped exactly as its source writes it,
 * for a fake `apiclient` in simulated node trees.
 *
 * - `apiclient report cis-k8s -f json` prints bloodhound's report unchanged (core-kit
 *   `sources/api/apiclient/src/main.rs` prints the body): one line of serde_json of `ReportResults`
 *   (`sources/bloodhound/src/results.rs`): level, total, passed, skipped, failed, status, timestamp,
 *   then the flattened ReportMetadata (name, version, url), then `results`, a BTreeMap keyed by the
 *   check's name (so sorted), each value the flattened CheckerMetadata (name, id, level, title, mode)
 *   and CheckerResult (status, error). `JsonReportWriter` ends it with a newline.
 * - `apiclient get settings.kubernetes` prints `serde_json::to_string_pretty` of the merged answer:
 *   2-space indentation, `"key": value`, keys sorted (serde_json's default map is a BTreeMap).
 *
 * Checks, titles, levels, modes and error texts: core-kit `sources/bloodhound/src/bin/kubernetes-cis-
 * checks/{main,checks}.rs` and `sources/bloodhound/src/lib.rs` (check_file_not_mode,
 * ensure_file_owner_and_group_root); the default level is 1, which leaves out 4.2.8 (Level 2). The
 * timestamp is `format!("{:?}", Utc::now())`, which chrono prints with a "Z".
 */

import type { BottlerocketEvidence } from '../../functions/collector/evidence-schema.ts';

export type CisStatus = 'PASS' | 'FAIL' | 'SKIP';

/** A check's outcome with bloodhound's own error text (the default text follows the status). */
export interface CisOutcome {
  readonly status: CisStatus;
  readonly error?: string;
  /** For a permission check that FAILs: the mode bloodhound prints (`0x{:o}` of mode & 0o777). */
  readonly mode?: number;
}

interface CisCheck {
  id: string;
  level: number;
  title: string;
  manual?: true;
  /** What bloodhound's checker says when the check FAILs and when it cannot run (SKIP). */
  fail?: string;
  skip?: string;
}

const KUBELET_CONFIG = '/etc/kubernetes/kubelet/config';
const KUBECONFIG = '/etc/kubernetes/kubelet/kubeconfig';
const PARSE = 'unable to parse kubelet config';
const OWNER = { fail: 'File owner is not root:root', skip: 'unable to get file metadata' };

const CHECKS: readonly CisCheck[] = [
  {
    id: '4.1.1',
    level: 1,
    title: 'Ensure that the kubelet service file permissions are set to 644 or more restrictive',
  },
  { id: '4.1.2', level: 1, title: 'Ensure that the kubelet service file ownership is set to root:root' },
  {
    id: '4.1.3',
    level: 1,
    title: 'If proxy kubeconfig file exists ensure permissions are set to 644 or more restrictive',
    manual: true,
  },
  {
    id: '4.1.4',
    level: 1,
    title: 'If proxy kubeconfig file exists ensure ownership is set to root:root',
    manual: true,
  },
  {
    id: '4.1.5',
    level: 1,
    title: 'Ensure that the --kubeconfig kubelet.conf file permissions are set to 644 or more restrictive',
    fail: `file ${KUBECONFIG} has extra permissions: 0x`,
    skip: `unable to inspect '${KUBECONFIG}'`,
  },
  {
    id: '4.1.6',
    level: 1,
    title: 'Ensure that the --kubeconfig kubelet.conf file ownership is set to root:root',
    ...OWNER,
  },
  {
    id: '4.1.7',
    level: 1,
    title: 'Ensure that the certificate authorities file permissions are set to 600 or more restrictive',
  },
  {
    id: '4.1.8',
    level: 1,
    title: 'Ensure that the client certificate authorities file ownership is set to root:root',
  },
  {
    id: '4.1.9',
    level: 1,
    title:
      'If the kubelet config.yaml configuration file is being used validate permissions set to 600 or more restrictive',
    fail: `file ${KUBELET_CONFIG} has extra permissions: 0x`,
    skip: `unable to inspect '${KUBELET_CONFIG}'`,
  },
  {
    id: '4.1.10',
    level: 1,
    title:
      'If the kubelet config.yaml configuration file is being used validate file ownership is set to root:root',
    ...OWNER,
  },
  {
    id: '4.2.1',
    level: 1,
    title: 'Ensure that the --anonymous-auth argument is set to false',
    fail: 'anonymous authentication is configured',
    skip: PARSE,
  },
  {
    id: '4.2.2',
    level: 1,
    title: 'Ensure that the --authorization-mode argument is not set to AlwaysAllow',
    fail: 'AlwaysAllow authorization is configured',
    skip: PARSE,
  },
  {
    id: '4.2.3',
    level: 1,
    title: 'Ensure that the --client-ca-file argument is set as appropriate',
    fail: 'CA file not set to expected path',
    skip: PARSE,
  },
  {
    id: '4.2.4',
    level: 1,
    title: 'Verify that the --read-only-port argument is set to 0',
    fail: 'Kubelet readOnlyPort not set to 0',
    skip: PARSE,
  },
  {
    id: '4.2.5',
    level: 1,
    title: 'Ensure that the --streaming-connection-idle-timeout argument is not set to 0',
    fail: 'Kubelet streamingConnectionIdleTimeout is set to 0',
  },
  {
    id: '4.2.6',
    level: 1,
    title: 'Ensure that the --make-iptables-util-chains argument is set to true',
    fail: 'Kubelet makeIPTablesUtilChains is disabled',
  },
  {
    id: '4.2.7',
    level: 1,
    title: 'Ensure that the --hostname-override argument is not set (not valid for Bottlerocket)',
    manual: true,
  },
  {
    id: '4.2.8',
    level: 2,
    title:
      'Ensure that the eventRecordQPS argument is set to a level which ensures appropriate event capture',
    manual: true,
  },
  {
    id: '4.2.9',
    level: 1,
    title: 'Ensure that the --tls-cert-file and --tls-private-key-file arguments are set as appropriate',
  },
  {
    id: '4.2.10',
    level: 1,
    title: 'Ensure that the --rotate-certificates argument is not set to false (not valid for Bottlerocket)',
    manual: true,
  },
  {
    id: '4.2.11',
    level: 1,
    title: 'Verify that the RotateKubeletServerCertificate argument is set to true',
    fail: 'Kubelet RotateKubeletServerCertificate is disabled',
  },
  { id: '4.2.12', level: 1, title: 'Ensure that the Kubelet only makes use of Strong Cryptographic Ciphers' },
  { id: '4.2.13', level: 1, title: 'Ensure that a limit is set on pod PIDs' },
];

/** "4.1.10" → "k8s04011000", the check's binary name and its key in `results`. */
function checkName(id: string): string {
  const [a = 0, b = 0, c = 0] = id.split('.').map(Number);
  return `k8s${[a, b, c, 0].map((n) => String(n).padStart(2, '0')).join('')}`;
}

/** bloodhound's error text for a check's outcome (ManualChecker's for a manual check). */
function errorText(check: CisCheck, outcome: CisOutcome): string {
  if (check.manual) return 'Manual check, see benchmark for audit details.';
  if (outcome.error !== undefined) return outcome.error;
  if (outcome.status === 'PASS') return '';
  if (outcome.status === 'SKIP') return check.skip ?? PARSE;
  const fail = check.fail ?? 'check failed';
  // check_file_not_mode: format!("file {} has extra permissions: 0x{:o}", path, mode & 0o777).
  return fail.endsWith('0x') ? `${fail}${(outcome.mode ?? 0o644).toString(8)}` : fail;
}

/**
 * The report a typical aws-k8s node gives at `level` (1 by default): every automatic check PASS
 * except those in `statuses`, manual checks SKIP with bloodhound's ManualChecker error.
 */
export function bloodhoundReport(statuses: Record<string, CisStatus | CisOutcome> = {}, level = 1): string {
  const results: Record<string, unknown> = {};
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const check of [...CHECKS].sort((x, y) => checkName(x.id).localeCompare(checkName(y.id)))) {
    if (check.level > level) continue;
    const given = statuses[check.id];
    const outcome: CisOutcome =
      typeof given === 'string' ? { status: given } : (given ?? { status: check.manual ? 'SKIP' : 'PASS' });
    const status = outcome.status;
    if (status === 'PASS') passed++;
    else if (status === 'FAIL') failed++;
    else skipped++;
    const error = errorText(check, outcome);
    results[checkName(check.id)] = {
      name: checkName(check.id),
      id: check.id,
      level: check.level,
      title: check.title,
      mode: check.manual ? 'Manual' : 'Automatic',
      status,
      error,
    };
  }
  const report = {
    level,
    total: passed + failed + skipped,
    passed,
    skipped,
    failed,
    // results.rs add_result: FAIL once a check FAILs, else PASS once one PASSes, else SKIP.
    status: failed > 0 ? 'FAIL' : passed > 0 ? 'PASS' : 'SKIP',
    timestamp: '2026-12-07T01:58:03.120462829Z',
    name: 'CIS Kubernetes Benchmark (Worker Node)',
    version: 'v1.8.0',
    url: 'https://www.cisecurity.org/benchmark/kubernetes',
    results,
  };
  return `${JSON.stringify(report)}\n`;
}

/** A certificate-shaped secret-looking value: it must never reach the evidence. */
export const SETTINGS_SECRET_MARKER =
  'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUMvakNDQWVhZ0F3SUJBZ0lCQURBTkJna3Foa2lHOXcw';

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => [k, sortKeys(v)]),
  );
}

/** `apiclient get settings.kubernetes` on an aws-k8s-1.31 node, with `overrides` merged in. */
export function kubernetesSettings(overrides: Record<string, unknown> = {}): string {
  const kubernetes = {
    'api-server': 'https://0123456789ABCDEF0123456789ABCDEF.gr7.us-west-2.eks.amazonaws.com',
    'authentication-mode': 'aws',
    'cluster-certificate': SETTINGS_SECRET_MARKER,
    'cluster-dns-ip': ['10.100.0.10'],
    'cluster-domain': 'cluster.local',
    'cluster-name': 'demo-cluster',
    'eviction-hard': { 'memory.available': '100Mi' },
    'max-pods': 29,
    'node-ip': '192.168.84.28',
    'node-labels': { 'eks.amazonaws.com/nodegroup': 'bottlerocket-ng', 'event-qps': '7' },
    'pod-infra-container-image': '602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/pause:3.1-eksbuild.1',
    'provider-id': 'aws:///us-west-2a/i-0fedcba9876543210',
    'server-tls-bootstrap': true,
    'standalone-mode': false,
    'static-pods': {},
    ...overrides,
  };
  return `${JSON.stringify(sortKeys({ settings: { kubernetes } }), null, 2)}\n`;
}

/** Single-quoted for sh (bloodhound's own texts quote paths in single quotes). */
function shQuoted(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

/**
 * A fake apiclient (POSIX sh) answering the two calls the collector makes, with `report` and
 * `settings` as the text it prints; any other call fails as apiclient does (usage, exit 2).
 */
export function fakeApiclient(
  report: string = bloodhoundReport(),
  settings: string = kubernetesSettings(),
): string {
  return [
    '#!/bin/sh',
    'case "$*" in',
    `  'report cis-k8s -f json') printf '%s' ${shQuoted(report)} ;;`,
    `  'get settings.kubernetes') printf '%s' ${shQuoted(settings)} ;;`,
    "  *) echo 'Unknown argument' >&2; exit 2 ;;",
    'esac',
    '',
  ].join('\n');
}

type Reduced = NonNullable<BottlerocketEvidence['cisReport']>;

/**
 * What the collector keeps of a bloodhound report (collect.sh cis_report): level, status, version
 * and each check's id, status, title and, for an automatic check, a non-empty error, both cut to
 * 120 characters; a Manual check is marked instead. The collector test pins the two together.
 */
export function reducedReport(report: string): Reduced {
  const parsed = JSON.parse(report) as {
    level: number;
    status: CisStatus;
    version?: string;
    results: Record<string, { id: string; title: string; mode: string; status: CisStatus; error: string }>;
  };
  return {
    level: parsed.level,
    status: parsed.status,
    ...(parsed.version === undefined ? {} : { benchmarkVersion: parsed.version }),
    checks: Object.values(parsed.results).map((c) => ({
      id: c.id,
      status: c.status,
      title: c.title.slice(0, 120),
      ...(c.mode === 'Manual' ? { manual: true as const } : c.error ? { error: c.error.slice(0, 120) } : {}),
    })),
  };
}
