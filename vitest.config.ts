import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Most suites spend their time waiting on the platforms' real pacing (Telegram's per-chat
    // limit), not on CPU: more files at once than cores keeps the run short on two cores.
    maxWorkers: 5,
  },
});
