// A job that runs once per window across every instance sharing the queue: each run schedules
// the next under the window's job id, so instances starting or running it together add it once.
import type { Logger } from 'pino';
import type { JobQueue } from './job-queue.ts';

/** Defines `name` on `jobs` to run `work` every `everyMs`; `start` schedules the first run. */
export function definePeriodicJob(
  jobs: JobQueue,
  name: string,
  everyMs: number,
  work: () => Promise<void>,
  logger: Logger,
): { start(): Promise<void> } {
  const schedule = async () => {
    const next = Math.floor(Date.now() / everyMs) + 1;
    await jobs
      .add(name, {}, { jobId: `${name}:${next}`, delayMs: next * everyMs - Date.now() })
      .catch((error: unknown) => logger.warn({ err: error, job: name }, 'could not schedule a periodic job'));
  };
  jobs.define(
    name,
    async () => {
      try {
        await work();
      } finally {
        await schedule();
      }
    },
    { concurrency: 1 },
  );
  return { start: schedule };
}
