/**
 * The evidence document that `collect.sh` prints on a node: the contract between the node-side
 * collector and the TypeScript evaluator. Every field is something the collector *saw*; nothing
 * here is a judgement. Bump EVIDENCE_VERSION on any incompatible change.
 *
 * The collector prints either the plain document, or (when gzip is on the node and the result is
 * shorter) the compact envelope `{"eka":1,"gz85":"...","pad":N}` whose data inflates to the plain
 * document, so that most nodes fit the 2,500 characters ListCommandInvocations returns inline.
 */
import { z } from 'zod';

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

const boundedString = z.string().max(EVIDENCE_LIMITS.maxStringChars);

/** Why a file is in the document. A path can have several roles. */
export const FILE_ROLES = [
  'config', // named by --config
  'config-dir-entry', // found under --config-dir (any name; only *.conf are drop-ins)
  'unit', // /etc/systemd/system/kubelet.service (or the unit the kubelet runs from)
  'unit-dropin', // /etc/systemd/system/kubelet.service.d/*.conf
  'environment', // /etc/eks/kubelet/environment (AL2023 nodeadm) and EnvironmentFile= of the unit
  'os-release', // /etc/os-release
] as const;
export type FileRole = (typeof FILE_ROLES)[number];

export const fileEvidenceSchema = z.object({
  /** Absolute path on the host (without HOST_ROOT). */
  path: boundedString,
  roles: z.array(z.enum(FILE_ROLES)).min(1).max(FILE_ROLES.length),
  /** PID of the kubelet whose argv named this file, for config/config-dir-entry. */
  pid: z.number().int().nonnegative().optional(),
  /** True when the content below is present (possibly cut, see `cut`). */
  ok: z.boolean(),
  /** Why the file could not be read: "not found", "permission denied", "not a regular file", ... */
  error: boundedString.optional(),
  size: z.number().int().nonnegative().optional(),
  /** Octal permission bits, e.g. "0644". */
  mode: z
    .string()
    .regex(/^[0-7]{3,4}$/)
    .optional(),
  uid: z.number().int().nonnegative().optional(),
  gid: z.number().int().nonnegative().optional(),
  /** "text" = printable ASCII + tab/CR/LF, JSON-escaped; "base64" = anything else, byte-exact. */
  encoding: z.enum(['text', 'base64']).optional(),
  content: z.string().max(EVIDENCE_LIMITS.maxFileContentChars).optional(),
  /** The collector's per-file or total cap cut the content: it is a prefix, or absent. */
  cut: z.boolean().optional(),
});
export type FileEvidence = z.infer<typeof fileEvidenceSchema>;

export const kubeletProcessSchema = z.object({
  pid: z.number().int().positive(),
  ppid: z.number().int().nonnegative().optional(),
  /** Real UID from /proc/<pid>/status. */
  uid: z.number().int().nonnegative().optional(),
  /** /proc/<pid>/cgroup, lines joined with "\n". */
  cgroup: boundedString.optional(),
  /** Exact argv from the NUL-separated /proc/<pid>/cmdline. */
  argv: z.array(z.string().max(EVIDENCE_LIMITS.maxArgLength)).min(1).max(EVIDENCE_LIMITS.maxArgs),
  /** The collector cut argv (too many or too long arguments): it cannot be evaluated as complete. */
  argvCut: z.boolean().optional(),
  /** Working directory (readlink of /proc/<pid>/cwd, made host-relative), or absent with cwdError. */
  cwd: boundedString.optional(),
  cwdError: boundedString.optional(),
  /** Process start, for the "ps -ef" STIME column: seconds since boot (field 22 of stat / CLK_TCK). */
  startSecondsSinceBoot: z.number().nonnegative().optional(),
  /** CPU time used (utime + stime, fields 14-15 of stat / CLK_TCK), for the "ps -ef" C and TIME columns. */
  cpuSeconds: z.number().nonnegative().optional(),
  /** Why this process was chosen: "kubelet.service cgroup" | "child of PID 1" | ... */
  selectedBy: boundedString.optional(),
});
export type KubeletProcess = z.infer<typeof kubeletProcessSchema>;

export const rejectedProcessSchema = z.object({
  pid: z.number().int().positive(),
  argv0: boundedString,
  why: boundedString,
});

export const hostSchema = z.object({
  /** False when the collector cannot see the host's processes (e.g. Bottlerocket control container). */
  visible: z.boolean(),
  /** Why not visible, or how it was reached ("via /.bottlerocket/rootfs"). */
  note: boundedString.optional(),
  /** Seconds since boot from /proc/uptime, to render STIME. */
  uptimeSeconds: z.number().nonnegative().optional(),
  /** Epoch seconds at collection, from `date +%s`. */
  nowEpochSeconds: z.number().int().nonnegative().optional(),
  hostname: boundedString.optional(),
});

export const configDirSchema = z.object({
  path: boundedString,
  pid: z.number().int().positive().optional(),
  /** Every entry found recursively, host paths, directories with a trailing "/", lexical order. */
  entries: z.array(boundedString).max(EVIDENCE_LIMITS.maxFiles),
  error: boundedString.optional(),
  cut: z.boolean().optional(),
});

export const evidenceDocumentSchema = z.object({
  format: z.literal(EVIDENCE_FORMAT),
  version: z.literal(EVIDENCE_VERSION),
  collector: boundedString,
  /** Older collectors only: the same instant as host.nowEpochSeconds, in ISO 8601. */
  collectedAt: boundedString.optional(),
  host: hostSchema,
  kubelets: z.array(kubeletProcessSchema).max(EVIDENCE_LIMITS.maxKubelets),
  rejected: z.array(rejectedProcessSchema).max(64).default([]),
  configDirs: z.array(configDirSchema).max(EVIDENCE_LIMITS.maxKubelets).default([]),
  files: z.array(fileEvidenceSchema).max(EVIDENCE_LIMITS.maxFiles),
  errors: z.array(boundedString).max(64).default([]),
  /** The total cap was reached: some content was left out (see files[].cut). */
  cut: z.boolean().default(false),
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
export const compactEnvelopeSchema = z
  .object({
    eka: z.literal(COMPACT_ENVELOPE_VERSION),
    gz85: z.string().min(5),
    pad: z.number().int().min(0).max(3),
  })
  .strict();
export type CompactEnvelope = z.infer<typeof compactEnvelopeSchema>;
