/**
 * A collected configuration file's bytes and their decoding as a kubelet configuration, worked out
 * once per file of a node's evidence. Every setting control of the catalog reads the same --config
 * file and drop-ins (and the drift reading reads them again with the unit files' command line), so
 * decoding them per control repeated the same YAML/JSON parse a dozen times per node: most of a
 * node's evaluation time, and a scan reads its nodes' results at the pace it evaluates them.
 *
 * The decoded object is shared between those readers, who only read it (drop-ins merge into new
 * objects: drop-ins.ts applyMergePatch). Keyed by the evidence's own FileEvidence object, so the
 * cache lives exactly as long as the node's evidence does.
 */
import type { FileEvidence } from '../collector/evidence-schema.ts';
import { type DecodedConfig, decodeKubeletConfig } from './config-file.ts';
import { type FileBytes, fileBytes } from './file-content.ts';

export interface DecodedFile {
  readonly content: FileBytes;
  /** Present when the bytes were read whole (not cut, not unreadable). */
  readonly decoded?: DecodedConfig;
}

const decodedFiles = new WeakMap<FileEvidence, DecodedFile>();

export function decodedFile(file: FileEvidence): DecodedFile {
  const known = decodedFiles.get(file);
  if (known !== undefined) return known;
  const content = fileBytes(file);
  const result: DecodedFile =
    content.ok && !content.cut ? { content, decoded: decodeKubeletConfig(content.bytes) } : { content };
  decodedFiles.set(file, result);
  return result;
}
