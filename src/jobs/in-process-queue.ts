// In-process job runner for a single instance with no Redis. Delayed jobs live in timers on the
// instance's clock (a test moving a ManualClock runs those that fell due, with no waiting), so
// they do not survive a restart by themselves: the ones that matter (reminders, slot-hold and
// payment expiry) are recorded in PostgreSQL by durable-timers.ts and queued again at start.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { systemClock, type CancelTimer, type TimerClock } from '../clock.ts';
import {
  COMPLETED_ID_RETENTION_MS,
  retryDelay,
  type AddOptions,
  type JobHandler,
  type JobQueue,
  type QueueOptions,
} from './job-queue.ts';

interface PendingJob {
  id: string;
  data: unknown;
  attempt: number;
}

interface Lane {
  handler: JobHandler<unknown>;
  options: Required<Omit<QueueOptions, 'rateLimit' | 'lockMs'>> & Pick<QueueOptions, 'rateLimit'>;
  ready: PendingJob[];
  running: number;
  starts: number[];
  timers: Map<string, CancelTimer>;
  /** Wakes the lane when the rate-limit window frees a slot. */
  rateTimer: CancelTimer | undefined;
  knownIds: Map<string, number>;
}

/** JobQueue that runs handlers in this process. */
export class InProcessQueue implements JobQueue {
  readonly kind = 'in-process' as const;
  private readonly lanes = new Map<string, Lane>();
  private readonly active = new Set<Promise<void>>();
  private closed = false;

  /**
   * Every wait (delays, retry backoff, rate-limit windows, id retention) is on `clock`, so it
   * agrees with the key-value store's TTLs and the timers' due dates, which use the same clock.
   */
  constructor(
    private readonly logger?: Logger,
    private readonly clock: TimerClock = systemClock,
  ) {}

  define<T>(queue: string, handler: JobHandler<T>, options: QueueOptions = {}): void {
    this.lanes.set(queue, {
      handler: handler as JobHandler<unknown>,
      options: { concurrency: 1, attempts: 1, backoffMs: 1_000, ...options },
      ready: [],
      running: 0,
      starts: [],
      timers: new Map(),
      rateTimer: undefined,
      knownIds: new Map(),
    });
  }

  async add<T>(queue: string, data: T, options: AddOptions = {}): Promise<void> {
    const lane = this.lane(queue);
    if (this.closed) throw new Error(`job queue closed; cannot add to ${queue}`);
    const id = options.jobId ?? randomUUID();
    this.forgetOldIds(lane);
    if (lane.knownIds.has(id)) return;
    lane.knownIds.set(id, this.clock.now());
    this.schedule(queue, lane, { id, data, attempt: 1 }, options.delayMs ?? 0);
  }

  async remove(queue: string, jobId: string): Promise<void> {
    const lane = this.lane(queue);
    lane.timers.get(jobId)?.();
    lane.timers.delete(jobId);
    lane.ready = lane.ready.filter((job) => job.id !== jobId);
    lane.knownIds.delete(jobId);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const lane of this.lanes.values()) {
      for (const cancel of lane.timers.values()) cancel();
      lane.timers.clear();
      lane.rateTimer?.();
      lane.rateTimer = undefined;
    }
    while (this.active.size > 0) await Promise.allSettled([...this.active]);
  }

  async idle(): Promise<boolean> {
    if (this.active.size === 0) return false;
    while (this.active.size > 0) await Promise.allSettled([...this.active]);
    return true;
  }

  private lane(queue: string): Lane {
    const lane = this.lanes.get(queue);
    if (!lane) throw new Error(`no handler defined for job queue ${queue}`);
    return lane;
  }

  private schedule(queue: string, lane: Lane, job: PendingJob, delayMs: number): void {
    if (delayMs <= 0) {
      lane.ready.push(job);
      this.pump(queue, lane);
      return;
    }
    const cancel = this.clock.after(delayMs, () => {
      lane.timers.delete(job.id);
      lane.ready.push(job);
      this.pump(queue, lane);
    });
    lane.timers.set(job.id, cancel);
  }

  private pump(queue: string, lane: Lane): void {
    while (!this.closed && lane.running < lane.options.concurrency && lane.ready.length > 0) {
      const wait = this.rateLimitWait(lane);
      if (wait > 0) {
        if (!lane.rateTimer) {
          lane.rateTimer = this.clock.after(wait, () => {
            lane.rateTimer = undefined;
            this.pump(queue, lane);
          });
        }
        return;
      }
      const job = lane.ready.shift()!;
      lane.running += 1;
      lane.starts.push(this.clock.now());
      const run = this.run(queue, lane, job).finally(() => {
        lane.running -= 1;
        this.active.delete(run);
        this.pump(queue, lane);
      });
      this.active.add(run);
    }
  }

  private rateLimitWait(lane: Lane): number {
    const limit = lane.options.rateLimit;
    if (!limit) return 0;
    const windowStart = this.clock.now() - limit.durationMs;
    lane.starts = lane.starts.filter((start) => start > windowStart);
    if (lane.starts.length < limit.max) return 0;
    return lane.starts[0]! - windowStart;
  }

  private async run(queue: string, lane: Lane, job: PendingJob): Promise<void> {
    try {
      await lane.handler(job.data, { id: job.id, attempt: job.attempt });
    } catch (error) {
      if (job.attempt >= lane.options.attempts) {
        this.logger?.error({ err: error, queue, jobId: job.id, attempt: job.attempt }, 'job failed for good');
        return;
      }
      this.logger?.warn({ err: error, queue, jobId: job.id, attempt: job.attempt }, 'job failed; will retry');
      if (this.closed) return;
      this.schedule(
        queue,
        lane,
        { ...job, attempt: job.attempt + 1 },
        retryDelay(lane.options.backoffMs, job.attempt),
      );
    }
  }

  private forgetOldIds(lane: Lane): void {
    const cutoff = this.clock.now() - COMPLETED_ID_RETENTION_MS;
    for (const [id, addedAt] of lane.knownIds) {
      if (addedAt > cutoff) break;
      lane.knownIds.delete(id);
    }
  }
}
