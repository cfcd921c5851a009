/**
 * Read evidence from a file or stdin, bounded so a runaway input cannot exhaust memory. A path must
 * name a regular file: it is checked before opening (opening a FIFO blocks until a writer appears) and
 * opened non-blocking, then checked again on the open handle, so swapping in a FIFO, a device or
 * /proc entry in between cannot hang or feed the CLI.
 */
import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { EVIDENCE_LIMITS } from '../collector/evidence-schema.ts';

/** Generous over the parser's own limit, so the parser (not us) reports "oversized" with its reason. */
export const MAX_INPUT_BYTES = EVIDENCE_LIMITS.maxDocumentBytes * 4;

export type InputResult = { ok: true; text: string } | { ok: false; error: string };

async function readBounded(chunks: AsyncIterable<Buffer | string>, what: string): Promise<InputResult> {
  const parts: Buffer[] = [];
  let total = 0;
  for await (const chunk of chunks) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    total += buf.length;
    if (total > MAX_INPUT_BYTES)
      return { ok: false, error: `${what} is larger than ${MAX_INPUT_BYTES} bytes` };
    parts.push(buf);
  }
  return { ok: true, text: Buffer.concat(parts).toString('utf8') };
}

export async function readInput(input: string, stdin: AsyncIterable<Buffer | string>): Promise<InputResult> {
  if (input === '-') return readBounded(stdin, 'standard input');
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    if (!(await stat(input)).isFile()) return { ok: false, error: `${input} is not a regular file` };
    handle = await open(input, constants.O_RDONLY | constants.O_NONBLOCK);
    if (!(await handle.stat()).isFile()) return { ok: false, error: `${input} is not a regular file` };
    return await readBounded(handle.createReadStream({ autoClose: false }), input);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(error);
    return { ok: false, error: `cannot read ${input}: ${why}` };
  } finally {
    await handle?.close();
  }
}
