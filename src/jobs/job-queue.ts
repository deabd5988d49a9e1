// The job queue port: outbound sends, hospital calls, reminders and broadcasts run as jobs so
// a decided effect is retried rather than dropped. BullMQ on Redis, in-process without Redis;
// both pass test/contract/job-queue.

/** What a handler learns about the job it runs. */
export interface JobContext {
  id: string;
  /** 1 on the first try. */
  attempt: number;
}

export type JobHandler<T> = (data: T, context: JobContext) => Promise<void>;

/** How a queue's worker behaves. */
export interface QueueOptions {
  /** Jobs run at once by this process for this queue. */
  concurrency?: number;
  /** At most `max` jobs start per `durationMs`, across all processes sharing the backend. */
  rateLimit?: { max: number; durationMs: number };
  /** Tries in all, first included. */
  attempts?: number;
  /** First retry delay; each further retry doubles it. */
  backoffMs?: number;
  /**
   * For long jobs (a broadcast's delivery): how soon a job whose process died runs again
   * elsewhere (BullMQ's lock duration and stalled check). The in-process runner has no other
   * process to hand it to: its jobs start again with the process.
   */
  lockMs?: number;
}

/** Options for one job. */
export interface AddOptions {
  /** Idempotency key: a second add with the same id while the first is known does nothing. */
  jobId?: string;
  delayMs?: number;
}

/** A set of named queues with one handler each. */
export interface JobQueue {
  readonly kind: 'bullmq' | 'in-process';
  /** Registers the handler for `queue` and starts working it. */
  define<T>(queue: string, handler: JobHandler<T>, options?: QueueOptions): void;
  add<T>(queue: string, data: T, options?: AddOptions): Promise<void>;
  /** Removes a waiting or delayed job (e.g. a reminder for a cancelled appointment). */
  remove(queue: string, jobId: string): Promise<void>;
  /** Stops taking jobs and waits for those running to finish. */
  close(): Promise<void>;
  /**
   * Waits for the jobs running in this process (not those waiting for their time); true when
   * there were some. Only the in-process runner has it: BullMQ's jobs may run anywhere.
   */
  idle?(): Promise<boolean>;
}

/** How long a finished job id is remembered for idempotency. */
export const COMPLETED_ID_RETENTION_MS = 24 * 60 * 60 * 1000;

/** Delay before try number `attempt + 1`: exponential from `backoffMs`. */
export function retryDelay(backoffMs: number, attempt: number): number {
  return backoffMs * 2 ** (attempt - 1);
}
