/**
 * Where the kubelet looks for its client CA file, and what the collector saw there. The path the
 * kubelet opens depends on where the value came from:
 * - the --config file: relative paths are joined to the file's directory when it is loaded
 *   (pkg/kubelet/kubeletconfig/configfiles/configfiles.go Load → resolveRelativePaths over
 *   KubeletConfigurationPathRefs, which lists authentication.x509.clientCAFile);
 * - a --config-dir drop-in: loadDropinConfigFileIntoJSON uses LoadIntoJSON, which does NOT resolve
 *   relative paths, and neither does the merge (cmd/kubelet/app/server.go), so the relative value is
 *   opened against the kubelet's working directory;
 * - a flag: opened as given, so against the working directory too.
 * The kubelet reads the file at start (BuildAuthn → dynamiccertificates.NewDynamicCAContentFromFile,
 * which fails on a missing, unreadable or empty bundle) and exits if it cannot.
 */
import { posix } from 'node:path';
import type { FileEvidence } from '../collector/evidence-schema.ts';
import type { Provenance } from '../kubelet/provenance.ts';

export type ClientCaLocation =
  | { readonly ok: true; readonly path: string; readonly relativeTo?: string }
  | { readonly ok: false; readonly reason: string };

/** The host path the kubelet opens for a clientCAFile value decided by `decidedBy`. */
export function clientCaPath(
  value: string,
  decidedBy: Provenance | undefined,
  cwd: string | undefined,
): ClientCaLocation {
  if (value.startsWith('/')) return { ok: true, path: posix.normalize(value) };
  const base = decidedBy?.kind === 'config-file' ? posix.dirname(decidedBy.path) : cwd;
  if (base === undefined || !base.startsWith('/')) {
    return {
      ok: false,
      reason: `it is relative (${JSON.stringify(value)}) and the kubelet's working directory is unknown`,
    };
  }
  return { ok: true, path: posix.resolve(base, value), relativeTo: base };
}

export type ClientCaFileState =
  | { readonly kind: 'exists'; readonly text: string }
  | { readonly kind: 'missing'; readonly text: string }
  | { readonly kind: 'unusable'; readonly text: string }
  | { readonly kind: 'unknown'; readonly text: string };

/** What the collector's metadata (never the content) says of the file. */
export function clientCaFileState(file: FileEvidence | undefined): ClientCaFileState {
  if (file === undefined) {
    return { kind: 'unknown', text: 'the collector did not report it, so whether it exists is unknown' };
  }
  if (!file.ok) {
    const error = file.error ?? 'could not be checked';
    if (/not found|no such file/i.test(error)) return { kind: 'missing', text: 'does NOT exist' };
    if (file.type !== undefined && file.type !== 'file') {
      return { kind: 'unusable', text: `is a ${file.type}, not a regular file the kubelet could load` };
    }
    return { kind: 'unknown', text: `could not be checked (${error})` };
  }
  if (file.type !== undefined && file.type !== 'file') {
    return { kind: 'unusable', text: `is a ${file.type}, not a regular file the kubelet could load` };
  }
  if (file.size === 0)
    return { kind: 'unusable', text: 'is empty, which the kubelet refuses as a CA bundle' };
  const owner = file.uid === undefined ? '' : `, owner ${file.uid}:${file.gid ?? '?'}`;
  return { kind: 'exists', text: `exists (mode ${file.mode ?? 'unknown'}${owner})` };
}
