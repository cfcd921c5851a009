import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

/**
 * The unit tests that judge functions/kubelet and functions/controls, for `npm run test:mutation`.
 * Mutation testing asks whether these tests pin every verdict by themselves: the end-to-end,
 * emulator, collector and bench suites would kill mutants too, but slowly and without saying which
 * rule a verdict rests on. (mergeConfig would append to the base `include`, not replace it.)
 */
export default defineConfig({
  test: {
    ...base.test,
    include: ['test/kubelet/**/*.test.ts', 'test/controls/**/*.test.ts'],
  },
});
