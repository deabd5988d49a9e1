// BullMQ implementation of the job queue port: durable, shared by every instance, with
// delayed jobs, retries and a rate limiter that holds across processes.
import { Queue, Worker, type ConnectionOptions, type RedisClient } from 'bullmq';
import type { Logger } from 'pino';
import { withTimeout } from '../with-timeout.ts';
import {
  COMPLETED_ID_RETENTION_MS,
  type AddOptions,
  type JobHandler,
  type JobQueue,
  type QueueOptions,
} from './job-queue.ts';

/** JobQueue on Redis through BullMQ. */
export class BullmqQueue implements JobQueue {
  readonly kind = 'bullmq' as const;
  private readonly queues = new Map<string, { queue: Queue; options: QueueOptions }>();
  private readonly workers: Worker[] = [];
  private readonly connection: ConnectionOptions;

  /**
   * `prefix` namespaces every key; it is wrapped in {braces} so that each queue's keys hash
   * to one Redis Cluster slot, as BullMQ requires.
   */
  constructor(
    redisUrl: string,
    private readonly prefix: string,
    private readonly logger?: Logger,
  ) {
    const url = new URL(redisUrl);
    this.connection = {
      host: url.hostname,
      port: Number(url.port || 6379),
      username: url.username || undefined,
      password: url.password ? decodeURIComponent(url.password) : undefined,
      db: Number(url.pathname.slice(1) || 0),
      tls: url.protocol === 'rediss:' ? {} : undefined,
      // BullMQ workers block on Redis and must never give up on a command.
      maxRetriesPerRequest: null,
    };
  }

  define<T>(name: string, handler: JobHandler<T>, options: QueueOptions = {}): void {
    const prefix = `{${this.prefix}}`;
    const queue = new Queue(name, { connection: this.connection, prefix });
    this.queues.set(name, { queue, options });
    const worker = new Worker(
      name,
      async (job) =>
        handler(job.data as T, { id: originalJobId(job.id ?? ''), attempt: job.attemptsMade + 1 }),
      {
        connection: this.connection,
        prefix,
        concurrency: options.concurrency ?? 1,
        limiter: options.rateLimit
          ? { max: options.rateLimit.max, duration: options.rateLimit.durationMs }
          : undefined,
        ...lockSettings(options.lockMs),
      },
    );
    worker.on('failed', (job, error) => {
      const final = job ? job.attemptsMade >= (job.opts.attempts ?? 1) : true;
      this.logger?.[final ? 'error' : 'warn'](
        { err: error, queue: name, jobId: job?.id, attempt: job?.attemptsMade },
        final ? 'job failed for good' : 'job failed; will retry',
      );
    });
    worker.on('error', (error) => this.logger?.error({ err: error, queue: name }, 'job worker error'));
    this.workers.push(worker);
  }

  async add<T>(name: string, data: T, options: AddOptions = {}): Promise<void> {
    const { queue, options: queueOptions } = this.entry(name);
    const attempts = queueOptions.attempts ?? 1;
    await bounded(
      queue.add(name, data, {
        jobId: options.jobId === undefined ? undefined : safeJobId(options.jobId),
        delay: options.delayMs,
        attempts,
        backoff: attempts > 1 ? { type: 'exponential', delay: queueOptions.backoffMs ?? 1_000 } : undefined,
        // Finished jobs are kept for a day so that a repeated add with the same id stays a no-op.
        removeOnComplete: { age: COMPLETED_ID_RETENTION_MS / 1000 },
        removeOnFail: { age: (7 * COMPLETED_ID_RETENTION_MS) / 1000 },
      }),
    );
  }

  async remove(name: string, jobId: string): Promise<void> {
    await bounded(this.entry(name).queue.remove(safeJobId(jobId)));
  }

  async close(): Promise<void> {
    // Waiting and delayed jobs stay in Redis.
    await Promise.all(this.workers.map((worker) => closeWorker(worker)));
    await Promise.all([...this.queues.values()].map(({ queue }) => closeQueue(queue)));
  }

  private entry(name: string): { queue: Queue; options: QueueOptions } {
    const entry = this.queues.get(name);
    if (!entry) throw new Error(`no handler defined for job queue ${name}`);
    return entry;
  }
}

/**
 * A long job's lock: renewed every half `lockMs` while its process lives, so once the process
 * dies the lock lapses within `lockMs`, and the stalled check (every half `lockMs`, by any live
 * worker) hands the job to another worker within about 1.5 × `lockMs`. A long job may die many
 * times (every deploy kills it); it is not failed for stalling, since the handler takes over
 * what the dead run left.
 */
function lockSettings(
  lockMs: number | undefined,
): { lockDuration: number; stalledInterval: number; maxStalledCount: number } | Record<string, never> {
  if (lockMs === undefined) return {};
  return {
    lockDuration: lockMs,
    stalledInterval: Math.max(500, Math.round(lockMs / 2)),
    maxStalledCount: MAX_STALLS,
  };
}

/** Crashes a long job survives before BullMQ fails it as the one that crashes its workers. */
const MAX_STALLS = 100;

/** The id the caller gave, from BullMQ's encoded one. */
function originalJobId(id: string): string {
  return id.replaceAll('%3A', ':').replaceAll('%25', '%');
}

/** How long adding or removing a job may wait for Redis; BullMQ's connection never gives up. */
export const JOB_COMMAND_TIMEOUT_MS = 2_000;

/**
 * A request adding a job answers 503 when Redis is down or frozen, instead of hanging. The add
 * may still land later; job ids keep that a no-op for the caller's retry.
 */
async function bounded<T>(promise: Promise<T>): Promise<T> {
  try {
    return await withTimeout(promise, JOB_COMMAND_TIMEOUT_MS, 'job queue timed out');
  } catch (error) {
    if ((error as Error).message !== 'job queue timed out') throw error;
    const unavailable = new Error(`job queue unavailable: ${(error as Error).message}`, { cause: error });
    unavailable.name = 'StoreUnavailableError';
    throw unavailable;
  }
}

/** BullMQ rejects custom ids containing ':' (its key separator); encode them reversibly. */
function safeJobId(id: string): string {
  return id.replaceAll('%', '%25').replaceAll(':', '%3A');
}

/** How long closing waits for the jobs in progress before it drops the connections. */
export const CLOSE_GRACE_MS = 5_000;

/**
 * Worker.close waits for the jobs in progress, then for each connection's 'end'. With Redis
 * unreachable that never comes: ioredis emits no 'end' for a connection it is between two
 * reconnect attempts on (its disconnect only cancels the next attempt), and a finished job's
 * completion waits in the offline queue of a connection that never gives up. So a worker whose
 * connections are not both up is closed without waiting (its jobs in progress could not be
 * recorded anyway and are taken again as stalled, as after a crash), and the graceful close is
 * bounded in case Redis goes away during it.
 */
async function closeWorker(worker: Worker): Promise<void> {
  const clients = await Promise.all([worker.client, blockingClient(worker)].map(settledClient));
  if (!clients.every((client) => client?.status === 'ready')) return worker.close(true);
  if (!(await settlesWithin(worker.close(), CLOSE_GRACE_MS)))
    for (const client of clients) client?.disconnect();
}

/** Queue.close sends QUIT, which waits behind the commands queued while Redis is unreachable. */
async function closeQueue(queue: Queue): Promise<void> {
  const client = await settledClient(queue.client);
  if (client?.status === 'ready' && (await settlesWithin(queue.close(), CLOSE_GRACE_MS))) return;
  client?.disconnect();
}

/** The worker's BZPOPMIN connection, which BullMQ keeps private (undefined if it changes). */
function blockingClient(worker: Worker): Promise<RedisClient> | undefined {
  return (worker as unknown as { blockingConnection?: { client?: Promise<RedisClient> } }).blockingConnection
    ?.client;
}

/** The client once BullMQ has set it up; undefined if it never connected. */
async function settledClient(client: Promise<RedisClient> | undefined): Promise<RedisClient | undefined> {
  if (!client) return undefined;
  return withTimeout(client, 100, 'not connected').catch(() => undefined);
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return withTimeout(promise, ms, 'timed out').then(
    () => true,
    (error: unknown) => (error as Error).message !== 'timed out',
  );
}
