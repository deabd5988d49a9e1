// A conversation's timers: what the `schedule` and `cancelSchedule` effects do. Each timer is a
// delayed job on the timer queue (DurableTimers in production, so it outlives Redis and the
// process) that hands its event back to the conversation when its time comes. Holds,
// appointment reminders and payment expiry are all decided by flows as such timers.
import type { Clock } from '../clock.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { EffectOf, SystemEvent } from './flow.ts';
import { conversationKey, type ConversationAddress } from './message.ts';

const TIMER_QUEUE = 'conversation-timer';

/** A timer waiting in the queue; its event is sealed like effects are (it may carry ids of care). */
interface TimerJob {
  address: ConversationAddress;
  id: string;
  at: number;
  sealed: string;
}

/**
 * The dedupe key of the event a timer hands back: the same timer (id and due time) counts once
 * in the conversation however often its job runs, and so does anything else that hands the same
 * event for it (a job of an older version's reminder queue).
 */
export function timerEventKey(address: ConversationAddress, id: string, at: number): string {
  return `timer:${conversationKey(address)}:${id}:${at}`;
}

export class ConversationTimers {
  constructor(
    private readonly queue: JobQueue,
    private readonly cipher: { encrypt(plain: string): string; decrypt(sealed: string): string },
    private readonly clock: Clock,
    /** Hands a due timer's event to its conversation. */
    notify: (address: ConversationAddress, event: SystemEvent, dedupeKey: string) => Promise<void>,
  ) {
    queue.define<TimerJob>(
      TIMER_QUEUE,
      (job) =>
        notify(
          job.address,
          JSON.parse(cipher.decrypt(job.sealed)) as SystemEvent,
          timerEventKey(job.address, job.id, job.at),
        ),
      { concurrency: 4, attempts: 5, backoffMs: 5_000 },
    );
  }

  /**
   * Sets or cancels a conversation's timer. A timer set again is replaced: the old job goes
   * first (a finished one too, whose id the queue would otherwise still remember).
   */
  async perform(
    address: ConversationAddress,
    effect: EffectOf<'schedule' | 'cancelSchedule'>,
  ): Promise<void> {
    const jobId = `timer:${conversationKey(address)}:${effect.id}`;
    await this.queue.remove(TIMER_QUEUE, jobId);
    if (effect.type === 'cancelSchedule') return;
    const job: TimerJob = {
      address,
      id: effect.id,
      at: effect.at,
      sealed: this.cipher.encrypt(JSON.stringify(effect.event)),
    };
    await this.queue.add(TIMER_QUEUE, job, { jobId, delayMs: Math.max(0, effect.at - this.clock.now()) });
  }
}
