// The effects a step decided, other than its messages, performed as jobs: each is sealed and
// queued under an id made of its conversation, its event and its place among the step's
// effects, so a step repeated after a crash queues nothing twice and a handler retried by the
// queue sees the same id. Timers go to the conversation's timers; every other effect to the
// handler its feature registered.
import type { Logger } from 'pino';
import type { Locale } from '../i18n/locales.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type {
  Effect,
  EffectContext,
  EffectHandler,
  EffectHandlers,
  EffectType,
  SystemEvent,
} from './flow.ts';
import { conversationKey, type ConversationAddress } from './message.ts';
import type { ConversationTimers } from './timers.ts';

const EFFECTS_QUEUE = 'effects';

/** A domain effect waiting in the job queue; the effect itself is encrypted. */
interface EffectJob {
  address: ConversationAddress;
  sealed: string;
  locale: Locale;
  jobId: string;
  /** When the step decided it; absent in jobs queued by older versions. */
  decidedAt?: number;
}

export interface EffectJobsOptions {
  jobs: JobQueue;
  /** The features' effect handlers; an effect type may be handled by one of them only. */
  handlers: EffectHandlers[];
  timers: ConversationTimers;
  /** Seals effects while they wait in the queue (they carry names, symptoms). */
  cipher: { encrypt(plain: string): string; decrypt(sealed: string): string };
  logger: Logger;
  /** Hands an effect's result back to its conversation. */
  notify: (address: ConversationAddress, event: SystemEvent, dedupeKey: string) => Promise<void>;
}

export class EffectJobs {
  private readonly handlers = new Map<string, EffectHandler<EffectType>>();

  constructor(private readonly options: EffectJobsOptions) {
    for (const handlers of options.handlers) {
      for (const [type, handler] of Object.entries(handlers)) {
        if (this.handlers.has(type)) throw new Error(`two handlers registered for the effect ${type}`);
        this.handlers.set(type, handler as EffectHandler<EffectType>);
      }
    }
    options.jobs.define<EffectJob>(
      EFFECTS_QUEUE,
      (job) =>
        this.perform(
          job.address,
          JSON.parse(options.cipher.decrypt(job.sealed)) as Effect,
          job.locale,
          job.jobId,
          job.decidedAt ?? Date.now(),
        ),
      { concurrency: 8, attempts: 8, backoffMs: 1_000 },
    );
  }

  /**
   * Queues the effects one step decided on `dedupeKey`'s event (its messages excepted: the
   * outbox sends those). Idempotent: the same step's effects again are recognised by their ids.
   */
  async queue(
    address: ConversationAddress,
    effects: readonly Effect[],
    locale: Locale,
    dedupeKey: string,
    decidedAt: number,
  ): Promise<void> {
    const others = effects.filter((effect) => effect.type !== 'send');
    for (const [index, effect] of others.entries()) {
      const jobId = `fx:${conversationKey(address)}:${dedupeKey}:${index}`;
      const sealed = this.options.cipher.encrypt(JSON.stringify(effect));
      const job: EffectJob = { address, sealed, locale, jobId, decidedAt };
      await this.options.jobs.add(EFFECTS_QUEUE, job, { jobId });
    }
  }

  /** Performs an effect; a result comes back to the conversation as an event. */
  private async perform(
    address: ConversationAddress,
    effect: Effect,
    locale: Locale,
    jobId: string,
    decidedAt: number,
  ): Promise<void> {
    if (effect.type === 'send') return;
    if (effect.type === 'schedule' || effect.type === 'cancelSchedule')
      return this.options.timers.perform(address, effect);
    const handler = this.handlers.get(effect.type);
    if (!handler) {
      // Nothing can perform it (a feature removed while its effects waited): retrying cannot help.
      this.options.logger.error({ effect: effect.type }, 'no handler for effect; dropped');
      return;
    }
    const context: EffectContext = {
      address,
      locale,
      effectId: jobId,
      decidedAt,
      notify: (event) => this.options.notify(address, event, `${jobId}:result`),
    };
    await handler(effect, context);
  }
}
