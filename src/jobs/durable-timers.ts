// Delayed jobs that must not be lost with Redis (restarted empty) or with the in-process queue
// (restarted): each is written to PostgreSQL when scheduled and deleted when done, and
// `rebuild` queues every pending one again under its own idempotent job id.
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { AddOptions, JobHandler, JobQueue, QueueOptions } from './job-queue.ts';

/** A JobQueue whose delayed jobs with ids are also recorded in the ScheduledTimer table. */
export class DurableTimers implements JobQueue {
  private readonly defined = new Set<string>();

  constructor(
    private readonly jobs: JobQueue,
    private readonly prisma: PrismaClient,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  get kind(): JobQueue['kind'] {
    return this.jobs.kind;
  }

  define<T>(queue: string, handler: JobHandler<T>, options?: QueueOptions): void {
    this.defined.add(queue);
    this.jobs.define<T>(
      queue,
      async (data, context) => {
        await handler(data, context);
        // Done: nothing to rebuild. A job that keeps failing stays and is tried again at start.
        await this.prisma.scheduledTimer.deleteMany({ where: { queue, jobId: context.id } });
      },
      options,
    );
  }

  async add<T>(queue: string, data: T, options: AddOptions = {}): Promise<void> {
    const { jobId, delayMs } = options;
    if (jobId !== undefined && delayMs !== undefined && delayMs > 0) {
      const dueAt = this.clock.now() + delayMs;
      const json = JSON.parse(JSON.stringify(data)) as object;
      await this.prisma.scheduledTimer.upsert({
        where: { queue_jobId: { queue, jobId } },
        create: { queue, jobId, data: json, dueAt: new Date(dueAt) },
        update: {},
      });
      // The delay is counted again from now: time went on while the row was written (a test's
      // clock may have jumped past most of it), and the job is due when the row says.
      await this.jobs.add(queue, data, { ...options, delayMs: Math.max(0, dueAt - this.clock.now()) });
      return;
    }
    await this.jobs.add(queue, data, options);
  }

  async remove(queue: string, jobId: string): Promise<void> {
    await this.prisma.scheduledTimer.deleteMany({ where: { queue, jobId } });
    await this.jobs.remove(queue, jobId);
  }

  /**
   * Queues every recorded timer again (a past one runs now); the job ids make repeats no-ops.
   * Rows of a queue nothing handles any more (one a previous version had) could never run and
   * would fail to queue at every start: they are dropped, said once.
   */
  async rebuild(): Promise<number> {
    const orphans = await this.prisma.scheduledTimer.deleteMany({
      where: { queue: { notIn: [...this.defined] } },
    });
    if (orphans.count > 0)
      this.logger.warn({ timers: orphans.count }, 'timers of queues nothing handles any more dropped');
    const pending = await this.prisma.scheduledTimer.findMany({ orderBy: { dueAt: 'asc' } });
    for (const timer of pending) {
      await this.jobs
        .add(timer.queue, timer.data, {
          jobId: timer.jobId,
          delayMs: Math.max(0, timer.dueAt.getTime() - this.clock.now()),
        })
        .catch((error: unknown) =>
          this.logger.warn({ err: error, queue: timer.queue, jobId: timer.jobId }, 'could not queue a timer'),
        );
    }
    if (pending.length > 0)
      this.logger.info({ timers: pending.length }, 'pending timers queued from the database');
    return pending.length;
  }

  /** The underlying queue closes on its own. */
  async close(): Promise<void> {}
}
