// vi.waitFor's default (1 s) is the expect.poll default vitest.config.ts raises to 15 s: on a busy
// two-core machine an answer that waits on a database write took longer, and a full run failed
// where the same test alone passed. Every suite gets the same bound; a test may still pass its own.
import { vi } from 'vitest';

const waitFor = vi.waitFor.bind(vi);
vi.waitFor = (callback, options) =>
  waitFor(callback, typeof options === 'number' ? options : { timeout: 15_000, interval: 50, ...options });
