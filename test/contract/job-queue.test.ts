// One contract for every JobQueue implementation. Time is never slept through: the in-process
// runner waits on a ManualClock the test moves; BullMQ waits in Redis, where the test reads the
// delayed set (the job's state and delay) and promotes the job instead of waiting its time out.
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { BullmqQueue } from '../../src/jobs/bullmq-queue.ts';
import { InProcessQueue } from '../../src/jobs/in-process-queue.ts';
import { COMPLETED_ID_RETENTION_MS, type JobQueue } from '../../src/jobs/job-queue.ts';
import { deleteRedisKeys, testRedisUrl, uniquePrefix } from '../support/backends.ts';

interface Backend {
  name: string;
  open(): JobQueue;
  /**
   * Checks that the job waits exactly `ms` for its time (`before` asserts what must not have
   * happened yet), then lets that time pass.
   */
  waitOut(queue: string, jobId: string, ms: number, before: () => void): Promise<void>;
  /** Resolves once the job is done for good, as `outcome`: nothing will run it again. */
  settled(queue: string, jobId: string, outcome: 'completed' | 'failed'): Promise<void>;
  /** Lets a close that does not wait for running jobs finish (it must not). */
  closeChance(): Promise<void>;
  /** The rate-limit window, when the test can move it (the in-process runner's clock). */
  clock?: ManualClock;
  cleanup(queue: JobQueue): Promise<void>;
}

function inProcess(): Backend {
  let clock = new ManualClock();
  let queue: InProcessQueue | undefined;
  return {
    name: 'in-process',
    get clock() {
      return clock;
    },
    open: () => {
      clock = new ManualClock();
      queue = new InProcessQueue(undefined, clock);
      return queue;
    },
    async waitOut(_queue, _jobId, ms, before) {
      // A retry is set once the failed try's promise settles.
      await expect.poll(() => clock.pendingTimers).toBeGreaterThan(0);
      clock.advance(ms - 1);
      before();
      clock.advance(1);
    },
    async settled() {
      await queue!.idle();
      expect(clock.pendingTimers).toBe(0);
      clock.advance(COMPLETED_ID_RETENTION_MS);
    },
    // Every microtask has run by the next turn of the event loop: a close that did not wait
    // would have resolved by then.
    closeChance: () => new Promise((resolve) => setImmediate(resolve)),
    cleanup: async () => {},
  };
}

function bullmq(redisUrl: string): Backend {
  const url = new URL(redisUrl);
  const connection = { host: url.hostname, port: Number(url.port || 6379) };
  let prefix = '';
  const inspectors = new Map<string, Queue>();
  /** A BullMQ Queue of the test's own on the same keys, to read a job's state. */
  const inspect = (name: string): Queue => {
    let queue = inspectors.get(name);
    if (!queue) {
      queue = new Queue(name, { connection, prefix: `{${prefix}}` });
      inspectors.set(name, queue);
    }
    return queue;
  };
  const stateOf = async (name: string, jobId: string) => (await inspect(name).getJob(jobId))?.getState();
  return {
    name: 'bullmq',
    open: () => {
      prefix = uniquePrefix('jobs').slice(0, -1);
      return new BullmqQueue(redisUrl, prefix);
    },
    async waitOut(name, jobId, ms, before) {
      await expect.poll(() => stateOf(name, jobId)).toBe('delayed');
      const job = (await inspect(name).getJob(jobId))!;
      expect(job.delay).toBe(ms);
      expect((await inspect(name).getDelayed()).map((delayed) => delayed.id)).toEqual([jobId]);
      before();
      // Redis's clock cannot be moved: the job is handed to the worker as if its time had come.
      await job.promote();
    },
    async settled(name, jobId, outcome) {
      await expect.poll(() => stateOf(name, jobId)).toBe(outcome);
    },
    // BullMQ's close gives no sign that it is waiting for a job; a close that did not wait
    // would resolve within its few Redis round trips, well inside this.
    closeChance: () => sleep(100),
    async cleanup() {
      await Promise.all([...inspectors.values()].map((queue) => queue.close()));
      inspectors.clear();
      await deleteRedisKeys(redisUrl, `{${prefix}}`);
    },
  };
}

/**
 * Delays and backoffs are minutes long: far longer than a test runs, so on BullMQ (whose time
 * cannot be moved) a job is still delayed when the test looks, and runs only when promoted.
 */
const MINUTE = 60_000;

const backends: Backend[] = [inProcess()];
if (testRedisUrl) backends.push(bullmq(testRedisUrl));

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
    await expect.poll(() => seen.length).toBe(3);
    expect(seen.sort()).toEqual([1, 2, 3]);
  });

  it('tells the handler the job id as it was given, colons included (timers are deleted by it)', async () => {
    queue = backend.open();
    const ids: string[] = [];
    queue.define('timer', async (_data, context) => {
      ids.push(context.id);
    });
    await queue.add('timer', {}, { jobId: 'reminder:appt-1:24h' });
    await expect.poll(() => ids.length).toBe(1);
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
    await expect.poll(() => seen.length).toBe(1);
    await queue.add('send', { text: 'late' }, { jobId: 'msg:42' });
    await queue.add('send', { text: 'other' }, { jobId: 'msg:43' });
    // One job at a time, first in first out: a 'late' that had been taken would run before 'other'.
    await expect.poll(() => seen.length).toBe(2);
    expect(seen).toEqual(['first', 'other']);
  });

  it('holds delayed jobs until their time, and a removed one never runs', async () => {
    queue = backend.open();
    const ran: string[] = [];
    queue.define<{ name: string }>('remind', async ({ name }) => {
      ran.push(name);
    });
    await queue.add('remind', { name: 'kept' }, { jobId: 'kept', delayMs: 40 * MINUTE });
    await queue.add('remind', { name: 'cancelled' }, { jobId: 'cancelled', delayMs: 30 * MINUTE });
    await queue.remove('remind', 'cancelled');
    await backend.waitOut('remind', 'kept', 40 * MINUTE, () => expect(ran).toEqual([]));
    await expect.poll(() => ran).toEqual(['kept']);
    await backend.settled('remind', 'kept', 'completed');
    expect(ran).toEqual(['kept']);
  });

  it('retries a failing job with growing delays until it succeeds', async () => {
    queue = backend.open();
    const attempts: number[] = [];
    queue.define(
      'flaky',
      async (_data, { attempt }) => {
        attempts.push(attempt);
        if (attempt < 3) throw new Error(`temporary failure ${attempt}`);
      },
      { attempts: 4, backoffMs: MINUTE },
    );
    await queue.add('flaky', {}, { jobId: 'flaky-1' });
    await expect.poll(() => attempts).toEqual([1]);
    await backend.waitOut('flaky', 'flaky-1', MINUTE, () => expect(attempts).toEqual([1]));
    await expect.poll(() => attempts).toEqual([1, 2]);
    await backend.waitOut('flaky', 'flaky-1', 2 * MINUTE, () => expect(attempts).toEqual([1, 2]));
    await expect.poll(() => attempts).toEqual([1, 2, 3]);
    await backend.settled('flaky', 'flaky-1', 'completed');
    expect(attempts).toEqual([1, 2, 3]);
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
      { attempts: 2, backoffMs: MINUTE },
    );
    await queue.add('doomed', {}, { jobId: 'doomed-1' });
    await expect.poll(() => tries).toBe(1);
    await backend.waitOut('doomed', 'doomed-1', MINUTE, () => expect(tries).toBe(1));
    await expect.poll(() => tries).toBe(2);
    await backend.settled('doomed', 'doomed-1', 'failed');
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
    const clock = backend.clock;
    if (clock) {
      await expect.poll(() => starts.length).toBe(3);
      await queue.idle!();
      clock.advance(299);
      expect(starts).toHaveLength(3);
      clock.advance(1);
      await expect.poll(() => starts.length).toBe(6);
      await queue.idle!();
      clock.advance(299);
      expect(starts).toHaveLength(6);
      clock.advance(1);
      await expect.poll(() => starts.length).toBe(9);
      return;
    }
    // BullMQ's window is a Redis key's time to live that its worker waits out on its own timer:
    // neither clock can be moved, so the window is measured in real time.
    await expect.poll(() => starts.length, { timeout: 15_000 }).toBe(9);
    // Any three consecutive windows of 300 ms hold at most three starts each; nine jobs
    // therefore need at least two full windows after the first start.
    expect(starts[8]! - starts[0]!).toBeGreaterThanOrEqual(550);
  });

  it('close waits for running jobs to finish', async () => {
    queue = backend.open();
    let finished = false;
    let started = false;
    let finish!: () => void;
    const slow = new Promise<void>((resolve) => (finish = resolve));
    queue.define('slow', async () => {
      started = true;
      await slow;
      finished = true;
    });
    await queue.add('slow', {});
    await expect.poll(() => started).toBe(true);
    let closed = false;
    const closing = queue.close().then(() => (closed = true));
    await backend.closeChance();
    expect(closed).toBe(false);
    finish();
    await closing;
    expect(finished).toBe(true);
    await backend.cleanup(queue);
    queue = undefined;
  });
});
