import { defineConfig } from 'vitest/config';

// .ci/run sets BNNC_TEST_REPORT to collect a JSON summary next to the usual output.
const report = process.env.BNNC_TEST_REPORT;

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    reporters: report ? ['default', ['json', { outputFile: report }]] : ['default'],
  },
});
