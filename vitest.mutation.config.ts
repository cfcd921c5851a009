import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

/**
 * The unit tests that judge functions/kubelet and functions/controls, for `npm run test:mutation`.
 * Mutation testing asks whether these tests pin every verdict by themselves: the end-to-end,
 * emulator, collector and bench suites would kill mutants too, but slowly and without saying which
 * rule a verdict rests on. (mergeConfig would append to the base `include`, not replace it.)
 *
 * Every mutant re-runs the tests that cover it, so tests that run the real collect.sh with bash, and
 * the randomised and size checks (hundreds of generated inputs each), stay out: with them a run took
 * about an hour on two cores. They run in `npm test`; what they pin about verdicts is pinned here by
 * unit tests on the same node shapes (test/controls/verdict-pins.test.ts, the control tests).
 */
const SLOW_TESTS = [
  // systemd-unit.test.ts: the collector's reduced unit files against the full ones (bash).
  'the reduced files give the argv the full files give',
  // Property and size checks.
  'random argv and config content never throw',
  'an unloadable config file with no deciding flag is never PASSED',
  'agrees on the effective value and on rejection',
  'thousands of repeated keys stay fast',
  'a huge valid file decodes',
];

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export default defineConfig({
  test: {
    ...base.test,
    include: ['test/kubelet/**/*.test.ts', 'test/controls/**/*.test.ts'],
    // Every host-visible preset through the real collect.sh (bash).
    exclude: ['test/controls/preset-verdicts.test.ts'],
    testNamePattern: new RegExp(`^(?!.*(?:${SLOW_TESTS.map(escapeRegExp).join('|')}))`),
  },
});
