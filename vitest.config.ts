import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/wait-defaults.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Suites wait on PostgreSQL, Chromium, child processes and the fakes more than on CPU (Telegram's
    // per-chat pacing, once most of the wait, is 20 ms in tests): more files at once than cores
    // keeps the run short on two cores.
    maxWorkers: 5,
    // expect.poll returns as soon as its condition holds; its 1 s default was too short for an
    // answer that waits on a database write on a busy two-core machine (a browser test failed so).
    expect: { poll: { timeout: 15_000, interval: 50 } },
  },
});
