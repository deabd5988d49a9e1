// One contract for every JobQueue implementation.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { BullmqQueue } from '../../src/jobs/bullmq-queue.ts';
import { InProcessQueue } from '../../src/jobs/in-process-queue.ts';
import type { JobQueue } from '../../src/jobs/job-queue.ts';
import { deleteRedisKeys, testRedisUrl, uniquePrefix } from '../support/backends.ts';

interface Backend {
  name: string;
  open(): JobQueue;
  cleanup(queue: JobQueue): Promise<void>;
}

const backends: Backend[] = [
  { name: 'in-process', open: () => new InProcessQueue(), cleanup: async () => {} },
];
if (testRedisUrl) {
  const redisUrl = testRedisUrl;
  const prefixes = new Map<JobQueue, string>();
  backends.push({
    name: 'bullmq',
    open: () => {
      const prefix = uniquePrefix('jobs').slice(0, -1);
      const queue = new BullmqQueue(redisUrl, prefix);
      prefixes.set(queue, prefix);
      return queue;
    },
    cleanup: (queue) => deleteRedisKeys(redisUrl, `{${prefixes.get(queue)}}`),
  });
}

/** Resolves once `condition` holds, polling; fails the test after `timeoutMs`. */
async function eventually(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

describe.each(backends)('JobQueue contract [$name]', (backend) => {
  let queue: JobQueue | undefined;
  afterEach(async () => {
    if (!queue) return;
    await queue.close();
    await backend.cleanup(queue);
    queue = undefined;
  });

  it('runs each job once with its data', async () => {
    queue = backend.open();
    const seen: number[] = [];
    queue.define<{ n: number }>('work', async ({ n }) => {
      seen.push(n);
    });
    await Promise.all([1, 2, 3].map((n) => queue!.add('work', { n })));
    await eventually(() => seen.length === 3);
    expect(seen.sort()).toEqual([1, 2, 3]);
  });

  it('tells the handler the job id as it was given, colons included (timers are deleted by it)', async () => {
    queue = backend.open();
    const ids: string[] = [];
    queue.define('timer', async (_data, context) => {
      ids.push(context.id);
    });
    await queue.add('timer', {}, { jobId: 'reminder:appt-1:24h' });
    await eventually(() => ids.length === 1);
    expect(ids).toEqual(['reminder:appt-1:24h']);
  });

  it('treats a repeated job id as the same job, even after it finished', async () => {
    queue = backend.open();
    const seen: string[] = [];
    queue.define<{ text: string }>('send', async ({ text }) => {
      seen.push(text);
    });
    await Promise.all([
      queue.add('send', { text: 'first' }, { jobId: 'msg:42' }),
      queue.add('send', { text: 'again' }, { jobId: 'msg:42' }),
    ]);
    await eventually(() => seen.length === 1);
    await queue.add('send', { text: 'late' }, { jobId: 'msg:42' });
    await queue.add('send', { text: 'other' }, { jobId: 'msg:43' });
    await eventually(() => seen.length === 2);
    await sleep(200);
    expect(seen).toEqual(['first', 'other']);
  });

  it('holds delayed jobs until their time, and a removed one never runs', async () => {
    queue = backend.open();
    const ranAt = new Map<string, number>();
    queue.define<{ name: string }>('remind', async ({ name }) => {
      ranAt.set(name, Date.now());
    });
    const addedAt = Date.now();
    await queue.add('remind', { name: 'kept' }, { jobId: 'kept', delayMs: 400 });
    await queue.add('remind', { name: 'cancelled' }, { jobId: 'cancelled', delayMs: 300 });
    await queue.remove('remind', 'cancelled');
    await eventually(() => ranAt.has('kept'));
    expect(ranAt.get('kept')! - addedAt).toBeGreaterThanOrEqual(380);
    await sleep(200);
    expect(ranAt.has('cancelled')).toBe(false);
  });

  it('retries a failing job with growing delays until it succeeds', async () => {
    queue = backend.open();
    const attempts: { attempt: number; at: number }[] = [];
    queue.define(
      'flaky',
      async (_data, { attempt }) => {
        attempts.push({ attempt, at: Date.now() });
        if (attempt < 3) throw new Error(`temporary failure ${attempt}`);
      },
      { attempts: 4, backoffMs: 100 },
    );
    await queue.add('flaky', {});
    await eventually(() => attempts.length === 3);
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    const firstGap = attempts[1]!.at - attempts[0]!.at;
    const secondGap = attempts[2]!.at - attempts[1]!.at;
    expect(firstGap).toBeGreaterThanOrEqual(90);
    expect(secondGap).toBeGreaterThanOrEqual(190);
    await sleep(300);
    expect(attempts).toHaveLength(3);
  });

  it('gives up after the configured number of attempts', async () => {
    queue = backend.open();
    let tries = 0;
    queue.define(
      'doomed',
      async () => {
        tries += 1;
        throw new Error('always fails');
      },
      { attempts: 2, backoffMs: 50 },
    );
    await queue.add('doomed', {});
    await eventually(() => tries === 2);
    await sleep(300);
    expect(tries).toBe(2);
  });

  it('starts no more than the rate limit allows per window', async () => {
    queue = backend.open();
    const starts: number[] = [];
    queue.define(
      'limited',
      async () => {
        starts.push(Date.now());
      },
      { concurrency: 5, rateLimit: { max: 3, durationMs: 300 } },
    );
    await Promise.all(Array.from({ length: 9 }, (_, i) => queue!.add('limited', { i })));
    await eventually(() => starts.length === 9, 15_000);
    // Any three consecutive windows of 300 ms hold at most three starts each; nine jobs
    // therefore need at least two full windows after the first start.
    expect(starts[8]! - starts[0]!).toBeGreaterThanOrEqual(550);
  });

  it('close waits for running jobs to finish', async () => {
    queue = backend.open();
    let finished = false;
    let started = false;
    queue.define('slow', async () => {
      started = true;
      await sleep(300);
      finished = true;
    });
    await queue.add('slow', {});
    await eventually(() => started);
    await queue.close();
    expect(finished).toBe(true);
    await backend.cleanup(queue);
    queue = undefined;
  });
});
