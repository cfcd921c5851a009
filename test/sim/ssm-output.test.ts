import { describe, expect, it } from 'vitest';
import {
  CONTENT_TRUNCATED_SUFFIX,
  contentPrefix,
  ERROR_TITLE,
  TRUNCATE_ERROR,
  TRUNCATE_OUT,
  truncatePluginOutput,
} from './emulator/ssm-output.ts';

describe('truncatePluginOutput (ssm-agent TruncateOutput)', () => {
  it('joins stdout and stderr with the error title when both fit', () => {
    expect(truncatePluginOutput('out', '')).toBe('out');
    expect(truncatePluginOutput('', 'err')).toBe(`${ERROR_TITLE}err`);
    expect(truncatePluginOutput('out', 'err')).toBe(`out${ERROR_TITLE}err`);
  });

  it('cuts a long stdout to fit the capacity and marks it', () => {
    const out = truncatePluginOutput('a'.repeat(3000), '');

    expect(out).toHaveLength(2500);
    expect(out).toBe('a'.repeat(2500 - TRUNCATE_OUT.length) + TRUNCATE_OUT);
  });

  it('cuts a long stderr when stdout is short, and both halves when both are long', () => {
    const errOnly = truncatePluginOutput('ok', 'e'.repeat(5000));
    const both = truncatePluginOutput('o'.repeat(5000), 'e'.repeat(5000));

    expect(errOnly.startsWith(`ok${ERROR_TITLE}eee`)).toBe(true);
    expect(errOnly.endsWith(TRUNCATE_ERROR)).toBe(true);
    expect(errOnly).toHaveLength(2500);
    const half = Math.trunc((2500 - ERROR_TITLE.length - TRUNCATE_ERROR.length - TRUNCATE_OUT.length) / 2);
    expect(both).toBe(`${'o'.repeat(half)}${TRUNCATE_OUT}${ERROR_TITLE}${'e'.repeat(half)}${TRUNCATE_ERROR}`);
  });

  it('counts bytes, not characters, like Go len(), and may cut a character in half', () => {
    const out = truncatePluginOutput('é'.repeat(2000), '');

    // 2,477 bytes kept = 1,238 two-byte characters + half of one (decoded as U+FFFD).
    expect(out).toBe(`${'é'.repeat(1238)}\uFFFD${TRUNCATE_OUT}`);
  });
});

describe('contentPrefix (ssm-agent StringPrefix)', () => {
  it('keeps content up to the maximum and cuts longer content to exactly the maximum with the suffix', () => {
    expect(contentPrefix('x'.repeat(24_000), 24_000)).toHaveLength(24_000);
    expect(contentPrefix('x'.repeat(24_001), 24_000)).toBe(
      'x'.repeat(24_000 - CONTENT_TRUNCATED_SUFFIX.length) + CONTENT_TRUNCATED_SUFFIX,
    );
  });
});
