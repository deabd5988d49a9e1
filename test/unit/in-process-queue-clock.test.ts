// The in-process job runner waits on its injected clock: with a ManualClock, delayed jobs,
// retries and rate-limit windows move only when the test moves time, and never by sleeping.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { InProcessQueue } from '../../src/jobs/in-process-queue.ts';

describe('InProcessQueue on a ManualClock', () => {
  let queue: InProcessQueue | undefined;
  afterEach(async () => {
    await queue?.close();
    queue = undefined;
  });

  it('runs a delayed job when the clock reaches its time, not before, and never a removed one', async () => {
    const clock = new ManualClock();
    queue = new InProcessQueue(undefined, clock);
    const ran: { name: string; at: number }[] = [];
    queue.define<{ name: string }>('remind', async ({ name }) => {
      ran.push({ name, at: clock.now() });
    });
    const start = clock.now();
    await queue.add('remind', { name: 'day before' }, { jobId: 'day', delayMs: 24 * 3_600_000 });
    await queue.add('remind', { name: 'cancelled' }, { jobId: 'gone', delayMs: 60_000 });
    await queue.remove('remind', 'gone');

    clock.advance(24 * 3_600_000 - 1);
    await Promise.resolve();
    expect(ran).toEqual([]);

    clock.advance(1);
    await vi.waitFor(() => expect(ran).toEqual([{ name: 'day before', at: start + 24 * 3_600_000 }]));
    expect(clock.pendingTimers).toBe(0);
  });

  it('runs the jobs that fell due during one advance in the order of their times', async () => {
    const clock = new ManualClock();
    queue = new InProcessQueue(undefined, clock);
    const ran: string[] = [];
    queue.define<{ name: string }>('timers', async ({ name }) => void ran.push(name), { concurrency: 1 });
    await queue.add('timers', { name: 'third' }, { delayMs: 30_000 });
    await queue.add('timers', { name: 'first' }, { delayMs: 10_000 });
    await queue.add('timers', { name: 'second' }, { delayMs: 20_000 });
    await queue.add('timers', { name: 'later' }, { delayMs: 90_000 });
    clock.advance(60_000);
    await vi.waitFor(() => expect(ran).toEqual(['first', 'second', 'third']));
    expect(clock.pendingTimers).toBe(1);
  });

  it('waits out retry backoff on the clock', async () => {
    const clock = new ManualClock();
    queue = new InProcessQueue(undefined, clock);
    const attempts: number[] = [];
    queue.define(
      'flaky',
      async (_data, { attempt }) => {
        attempts.push(attempt);
        if (attempt < 3) throw new Error(`temporary failure ${attempt}`);
      },
      { attempts: 3, backoffMs: 5_000 },
    );
    await queue.add('flaky', {});
    await vi.waitFor(() => expect(attempts).toEqual([1]));
    await vi.waitFor(() => expect(clock.pendingTimers).toBe(1));
    clock.advance(4_999);
    await Promise.resolve();
    expect(attempts).toEqual([1]);
    clock.advance(1);
    await vi.waitFor(() => expect(attempts).toEqual([1, 2]));
    // The second retry waits twice as long.
    await vi.waitFor(() => expect(clock.pendingTimers).toBe(1));
    clock.advance(5_000);
    await Promise.resolve();
    expect(attempts).toEqual([1, 2]);
    clock.advance(5_000);
    await vi.waitFor(() => expect(attempts).toEqual([1, 2, 3]));
  });

  it('opens the next rate-limit window when the clock passes it', async () => {
    const clock = new ManualClock();
    queue = new InProcessQueue(undefined, clock);
    let started = 0;
    queue.define('limited', async () => void (started += 1), {
      concurrency: 5,
      rateLimit: { max: 2, durationMs: 1_000 },
    });
    await Promise.all([1, 2, 3, 4, 5].map((i) => queue!.add('limited', { i })));
    await vi.waitFor(() => expect(started).toBe(2));
    clock.advance(1_000);
    await vi.waitFor(() => expect(started).toBe(4));
    clock.advance(1_000);
    await vi.waitFor(() => expect(started).toBe(5));
  });

  it('close cancels the timers it set on the clock', async () => {
    const clock = new ManualClock();
    queue = new InProcessQueue(undefined, clock);
    queue.define('later', async () => {
      throw new Error('must not run after close');
    });
    await queue.add('later', {}, { delayMs: 1_000 });
    expect(clock.pendingTimers).toBe(1);
    await queue.close();
    expect(clock.pendingTimers).toBe(0);
    clock.advance(2_000);
  });
});
