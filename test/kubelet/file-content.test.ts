/**
 * fileBytes: the collector's text/base64 encodings back to the file's bytes, and every way a file's
 * content can be unusable (each one a "cannot be judged" verdict upstream).
 */
import { describe, expect, it } from 'vitest';
import type { FileEvidence } from '../../functions/collector/evidence-schema.ts';
import { fileBytes } from '../../functions/kubelet/file-content.ts';
import { missingFile, textFile } from './evidence-builder.ts';

const base64 = (content: string, extra: Partial<FileEvidence> = {}): FileEvidence => ({
  ...textFile('/f', ''),
  encoding: 'base64',
  content,
  ...extra,
});
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

describe('fileBytes', () => {
  it.each([
    ['YWJj', 'abc'],
    ['YQ==', 'a'],
    ['YWI=', 'ab'],
    ['YW\nJj', 'abc'],
    ['', ''],
  ])('base64 %j is %j', (content, decoded) => {
    const r = fileBytes(base64(content));
    expect(r.ok && text(r.bytes)).toBe(decoded);
  });

  it.each(['!!YQ', 'YQ=!', 'Y===', 'YWJ', 'Y=Q='])('base64 %j is refused', (content) => {
    expect(fileBytes(base64(content))).toEqual({
      ok: false,
      reason: 'content is not valid base64',
      cut: false,
    });
  });

  it('text is its UTF-8 bytes', () => {
    const r = fileBytes(textFile('/f', 'é'));
    expect(r.ok && [...r.bytes]).toEqual([0xc3, 0xa9]);
  });

  it('a cut file says so', () => {
    expect(fileBytes(textFile('/f', 'abc', ['config'], { cut: true }))).toMatchObject({
      ok: true,
      cut: true,
    });
    expect(fileBytes(textFile('/f', 'abc'))).toMatchObject({ ok: true, cut: false });
  });

  it('an unreadable file gives its error, or a generic reason without one', () => {
    expect(fileBytes(missingFile('/f', ['config'], 'permission denied'))).toEqual({
      ok: false,
      reason: 'permission denied',
      cut: false,
    });
    const { error: _, ...noError } = missingFile('/f');
    expect(fileBytes(noError)).toEqual({ ok: false, reason: 'could not be read', cut: false });
  });

  it('a file collected as metadata only has no content', () => {
    const { content: _, encoding: __, ...metadata } = textFile('/f', 'abc');
    expect(fileBytes(metadata)).toEqual({ ok: false, reason: 'content not collected', cut: false });
  });
});
