/**
 * The evidence document that `collect.sh` prints on a node: the contract between the node-side
 * collector and the TypeScript evaluator. Every field is something the collector *saw*; nothing
 * here is a judgement. Bump EVIDENCE_VERSION on any incompatible change.
 *
 * What a node discloses is bounded by the rule in functions/collector/collect.sh's header: file
 * contents only for the --config file and *.conf drop-ins; unit, environment and os-release files
 * `reduced` to the lines that shape the kubelet's command line (or identify the OS); any other
 * --config-dir entry, the kubeconfig and the client CA files `redacted` (metadata only); the kubelet
 * binary's version line; on Bottlerocket, the API's CIS report (each check's id, status, title, mode and
 * error text) and whitelisted kubelet settings.
 *
 * The collector prints either the plain document, or (when gzip is on the node and the result is
 * shorter) the compact envelope `{"eka":1,"gz85":"...","pad":N}` whose data inflates to the plain
 * document, so that most nodes fit the 2,500 characters ListCommandInvocations returns inline.
 */
// zod/mini: the same validation with functions instead of methods, so the bundle only carries the
// checks it uses (about 16 KB against 280 KB for classic zod). Its messages come from a locale.
import { en } from 'zod/locales';
import * as z from 'zod/mini';

// Mini ships without messages ("Invalid input"); the English locale keeps reasons readable. Global,
// as classic zod's own default is.
z.config(en());

export const EVIDENCE_FORMAT = 'eks-kubelet-audit/evidence' as const;
export const EVIDENCE_VERSION = 1 as const;

/** Bounds that the parser enforces; the collector stays inside them by construction. */
export const EVIDENCE_LIMITS = {
  /** Largest document (plain, or inflated from the envelope) the parser accepts, in bytes. */
  maxDocumentBytes: 256 * 1024,
  maxKubelets: 8,
  maxArgs: 512,
  maxArgLength: 8 * 1024,
  maxFiles: 128,
  maxFileContentChars: 64 * 1024,
  maxStringChars: 8 * 1024,
} as const;

const boundedString = z.string().check(z.maxLength(EVIDENCE_LIMITS.maxStringChars));

/** Why a file is in the document. A path can have several roles. */
export const FILE_ROLES = [
  'config', // named by --config
  'config-dir-entry', // found under --config-dir (any name; only *.conf are drop-ins, the rest is redacted)
  'unit', // /etc/systemd/system/kubelet.service (or the unit the kubelet runs from), reduced
  'unit-dropin', // /etc/systemd/system/kubelet.service.d/*.conf, reduced
  'environment', // /etc/eks/kubelet/environment (AL2023 nodeadm) and EnvironmentFile= of the unit, reduced
  'os-release', // /etc/os-release, reduced to its identifying keys
  'kubeconfig', // named by --kubeconfig: metadata only (redacted), for CIS EKS 3.1.1/3.1.2
  // named by --client-ca-file, or a clientCAFile value found in the --config file or a drop-in
  // (every candidate: the evaluator decides which is in effect): metadata only (redacted)
  'client-ca',
] as const;
export type FileRole = (typeof FILE_ROLES)[number];

/** What the path resolves to, as stat(1) sees it; only "file" is ever opened by the collector. */
export const FILE_TYPES = [
  'file',
  'directory',
  'symlink',
  'fifo',
  'socket',
  'char-device',
  'block-device',
  'other',
] as const;
export type FileType = (typeof FILE_TYPES)[number];

const fileEvidenceShape = z.object({
  /** Absolute path on the host (without HOST_ROOT). */
  path: boundedString,
  roles: z.array(z.enum(FILE_ROLES)).check(z.minLength(1), z.maxLength(FILE_ROLES.length)),
  /** PID of the kubelet whose argv named this file, for config/config-dir-entry. */
  pid: z.optional(z.int().check(z.nonnegative())),
  /** True when the content below is present (possibly cut, see `cut`). */
  ok: z.boolean(),
  /** Why the file could not be read: "not found", "permission denied", "not a regular file", ... */
  error: z.optional(boundedString),
  size: z.optional(z.int().check(z.nonnegative())),
  /** Octal mode of what the path resolves to, with the setuid/setgid/sticky digit, e.g. "0644", "4755". */
  mode: z.optional(z.string().check(z.regex(/^[0-7]{3,4}$/))),
  uid: z.optional(z.int().check(z.nonnegative())),
  gid: z.optional(z.int().check(z.nonnegative())),
  /** "text" = printable ASCII + tab/CR/LF, JSON-escaped; "base64" = anything else, byte-exact. */
  encoding: z.optional(z.enum(['text', 'base64'])),
  content: z.optional(z.string().check(z.maxLength(EVIDENCE_LIMITS.maxFileContentChars))),
  /** The collector's per-file or total cap cut the content: it is a prefix, or absent. */
  cut: z.optional(z.boolean()),
  /** Type of what the path resolves to. */
  type: z.optional(z.enum(FILE_TYPES)),
  /** readlink of the path itself when it is a symbolic link. */
  target: z.optional(boundedString),
  /**
   * lstat of the path itself when it is a symbolic link (kubeconfig and client-ca entries only);
   * mode/uid/gid above then describe the target, which is what the kubelet opens.
   */
  link: z.optional(
    z.object({
      mode: z.string().check(z.regex(/^[0-7]{3,4}$/)),
      uid: z.int().check(z.nonnegative()),
      gid: z.int().check(z.nonnegative()),
    }),
  ),
  /**
   * The disclosure rule keeps this file's content on the node (a --config-dir entry that is not a
   * *.conf drop-in): only its metadata is here, and it was never opened.
   */
  redacted: z.optional(z.literal(true)),
  /**
   * `content` holds only the lines that can change the kubelet's command line (unit files: section
   * headers, ExecStart=, EnvironmentFile= and the Environment= assignments of variables ExecStart=
   * references; environment files: those assignments; os-release: its identifying keys).
   */
  reduced: z.optional(z.literal(true)),
});

export const fileEvidenceSchema = fileEvidenceShape.check(
  z.refine((f) => f.redacted !== true || (f.content === undefined && f.reduced !== true), {
    message: 'a redacted file carries no content',
    path: ['content'],
  }),
);
export type FileEvidence = z.infer<typeof fileEvidenceSchema>;

export const kubeletProcessSchema = z.object({
  pid: z.int().check(z.positive()),
  ppid: z.optional(z.int().check(z.nonnegative())),
  /** Real UID from /proc/<pid>/status. */
  uid: z.optional(z.int().check(z.nonnegative())),
  /** /proc/<pid>/cgroup, lines joined with "\n". */
  cgroup: z.optional(boundedString),
  /** Exact argv from the NUL-separated /proc/<pid>/cmdline. */
  argv: z
    .array(z.string().check(z.maxLength(EVIDENCE_LIMITS.maxArgLength)))
    .check(z.minLength(1), z.maxLength(EVIDENCE_LIMITS.maxArgs)),
  /** The collector cut argv (too many or too long arguments): it cannot be evaluated as complete. */
  argvCut: z.optional(z.boolean()),
  /** Working directory (readlink of /proc/<pid>/cwd, made host-relative), or absent with cwdError. */
  cwd: z.optional(boundedString),
  cwdError: z.optional(boundedString),
  /** Process start, for the "ps -ef" STIME column: seconds since boot (field 22 of stat / CLK_TCK). */
  startSecondsSinceBoot: z.optional(z.number().check(z.nonnegative())),
  /** CPU time used (utime + stime, fields 14-15 of stat / CLK_TCK), for the "ps -ef" C and TIME columns. */
  cpuSeconds: z.optional(z.number().check(z.nonnegative())),
  /** Why this process was chosen: "kubelet.service cgroup" | "child of PID 1" | ... */
  selectedBy: z.optional(boundedString),
  /**
   * First line of `<binary> --version` of the binary the process runs (/proc/<pid>/exe), e.g.
   * "Kubernetes v1.32.3-eks-7636447"; the collector keeps it only in that shape.
   */
  version: z.optional(z.string().check(z.maxLength(100), z.regex(/^Kubernetes v[0-9]/))),
  /** Why there is no version: the binary was refused (not root-owned, writable by others, ...),
   * timed out, or printed something else. */
  versionError: z.optional(boundedString),
});
export type KubeletProcess = z.infer<typeof kubeletProcessSchema>;

export const rejectedProcessSchema = z.object({
  pid: z.int().check(z.positive()),
  argv0: boundedString,
  why: boundedString,
});

export const hostSchema = z.object({
  /** False when the collector cannot see the host's processes (e.g. Bottlerocket control container). */
  visible: z.boolean(),
  /** Why not visible, or how it was reached ("via /.bottlerocket/rootfs"). */
  note: z.optional(boundedString),
  /** Seconds since boot from /proc/uptime, to render STIME. */
  uptimeSeconds: z.optional(z.number().check(z.nonnegative())),
  /** Epoch seconds at collection, from `date +%s`. */
  nowEpochSeconds: z.optional(z.int().check(z.nonnegative())),
  hostname: z.optional(boundedString),
});

export const configDirSchema = z.object({
  path: boundedString,
  pid: z.optional(z.int().check(z.positive())),
  /** Every entry found recursively, host paths, directories with a trailing "/", lexical order. */
  entries: z.array(boundedString).check(z.maxLength(EVIDENCE_LIMITS.maxFiles)),
  error: z.optional(boundedString),
  cut: z.optional(z.boolean()),
});

const cisStatus = z.enum(['PASS', 'FAIL', 'SKIP']);

/**
 * Bottlerocket's own CIS Kubernetes Benchmark report (`apiclient report cis-k8s -f json`, run by
 * bloodhound), reduced by the collector. Numbering is CIS Kubernetes §4, not CIS EKS §3.
 */
export const bottlerocketCisReportSchema = z.object({
  /** The benchmark level the report covers (apiclient's default is 1). */
  level: z.optional(z.int().check(z.nonnegative())),
  /** PASS / FAIL / SKIP for the whole report; apiclient exits 0 when checks FAIL. */
  status: cisStatus,
  /** The benchmark's version, e.g. "v1.8.0". */
  benchmarkVersion: z.optional(z.string().check(z.maxLength(32))),
  checks: z
    .array(
      z.object({
        /** CIS Kubernetes id, e.g. "4.1.5". */
        id: z.string().check(z.regex(/^[0-9][0-9.]{0,15}$/)),
        status: cisStatus,
        /** The check's title, cut to 120 characters. */
        title: z.string().check(z.maxLength(1024)),
        /** A Manual check (always SKIP: bloodhound cannot verify it). */
        manual: z.optional(z.literal(true)),
        /**
         * bloodhound's error text of an automatic check, cut to 120 characters: why it FAILed or was
         * SKIPped ("file /etc/kubernetes/kubelet/config has extra permissions: 0x640",
         * "unable to parse kubelet config").
         */
        error: z.optional(z.string().check(z.maxLength(1024))),
      }),
    )
    .check(z.maxLength(64)),
});

/** Settings keys whose values the collector ships (see collect.sh BR_SETTINGS). */
export const bottlerocketSettingsSchema = z.object({
  'standalone-mode': z.optional(z.boolean()),
  'authentication-mode': z.optional(z.string().check(z.maxLength(32))),
  'event-qps': z.optional(z.number()),
  'server-tls-bootstrap': z.optional(z.boolean()),
});

/** What Bottlerocket's API said, from the control container (which cannot see the host's files). */
export const bottlerocketEvidenceSchema = z.object({
  cisReport: z.optional(bottlerocketCisReportSchema),
  /** The whitelisted keys of settings.kubernetes that were set (an absent key was not set). */
  settings: z.optional(bottlerocketSettingsSchema),
  /** Secret settings that are set, by name only: their values never leave the node. */
  settingsPresent: z.optional(z.array(z.enum(['server-certificate', 'server-key'])).check(z.maxLength(2))),
  /** Why a call was not made or its answer not used (timed out, too large, not a report, ...). */
  errors: z.array(boundedString).check(z.maxLength(8)),
});
export type BottlerocketEvidence = z.infer<typeof bottlerocketEvidenceSchema>;

export const evidenceDocumentSchema = z.object({
  format: z.literal(EVIDENCE_FORMAT),
  version: z.literal(EVIDENCE_VERSION),
  collector: boundedString,
  /** Older collectors only: the same instant as host.nowEpochSeconds, in ISO 8601. */
  collectedAt: z.optional(boundedString),
  host: hostSchema,
  kubelets: z.array(kubeletProcessSchema).check(z.maxLength(EVIDENCE_LIMITS.maxKubelets)),
  rejected: z._default(z.array(rejectedProcessSchema).check(z.maxLength(64)), []),
  configDirs: z._default(z.array(configDirSchema).check(z.maxLength(EVIDENCE_LIMITS.maxKubelets)), []),
  files: z.array(fileEvidenceSchema).check(z.maxLength(EVIDENCE_LIMITS.maxFiles)),
  /** Only from Bottlerocket's control container: the API's CIS report and kubelet settings. */
  bottlerocket: z.optional(bottlerocketEvidenceSchema),
  errors: z._default(z.array(boundedString).check(z.maxLength(64)), []),
  /** The total cap was reached: some content was left out (see files[].cut). */
  cut: z._default(z.boolean(), false),
  /** Always the last key the collector writes: its absence means the document was cut short. */
  end: z.literal(true),
});
export type EvidenceDocument = z.infer<typeof evidenceDocumentSchema>;

/** The compact envelope's format version (its "eka" key; the plain document has its own version). */
export const COMPACT_ENVELOPE_VERSION = 1 as const;

/**
 * The compact envelope: `gz85` is the `gzip -9 -n` member of the plain document without its fixed
 * 10-byte header (RFC 1952 ID1 ID2 CM FLG=0 MTIME XFL OS; the CRC-32 and ISIZE trailer stay),
 * zero-padded to a multiple of 4 bytes and Z85-encoded (functions/collector/z85.ts); `pad` is the
 * number of padding bytes. Alphabet and length are checked when decoding, so that the reason can say
 * what is wrong.
 */
export const compactEnvelopeSchema = z.strictObject({
  eka: z.literal(COMPACT_ENVELOPE_VERSION),
  gz85: z.string().check(z.minLength(5)),
  pad: z.int().check(z.gte(0), z.lte(3)),
});
export type CompactEnvelope = z.infer<typeof compactEnvelopeSchema>;
