import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // aws-cdk-lib validates every synthesized template (~3.5 s); the CI `cdk synth` keeps it on.
    env: { CDK_VALIDATION: 'false', CDK_DISABLE_VERSION_CHECK: '1' },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
