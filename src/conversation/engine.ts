// The conversation engine: every inbound event is deduplicated and queued in its patient's
// inbox; one holder at a time (across instances) loads the state (saved-state.ts), steps the
// flow, queues its effects (effect-jobs.ts; timers in timers.ts), and stores the state with the
// step's messages for the outbox, which sends them only once they are stored.
import type { i18n } from 'i18next';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { KnownPatient } from '../domain/patients.ts';
import type { Locale } from '../i18n/locales.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { KeyValueStore } from '../storage/kv/key-value-store.ts';
import type {
  ConversationState,
  Effect,
  EffectHandlers,
  FlowEvent,
  FlowRegistry,
  FlowSettings,
  StepContext,
  SystemEvent,
} from './flow.ts';
import {
  addressOf,
  conversationKey,
  type ConversationAddress,
  type InboundEvent,
  type OutboundMessage,
} from './message.ts';
import { ChatTexts } from './chat-texts.ts';
import { coalesceMessages } from './coalesce.ts';
import { EffectJobs } from './effect-jobs.ts';
import type { ConversationNotifier } from './notifier.ts';
import type { OutboundBatch, Outbox } from './outbox.ts';
import { currentState } from './saved-state.ts';
import { SerialMailbox, type ItemHandler } from './serial-mailbox.ts';
import { ConversationTimers } from './timers.ts';

/** An event as queued for a conversation: from a patient, or the result of an effect. */
export type ConversationEvent = Omit<InboundEvent, 'content'> & { content: FlowEvent };

export interface EngineOptions {
  kv: KeyValueStore;
  jobs: JobQueue;
  flows: FlowRegistry;
  /** The features' effect handlers; an effect type may be handled by one of them only. */
  effects: EffectHandlers[];
  /** Who the patient is, for the first step of a new conversation. */
  findPatient(address: ConversationAddress): Promise<KnownPatient | undefined>;
  /** Seals effect payloads while they wait in the job queue (they carry names, symptoms). */
  cipher: { encrypt(plain: string): string; decrypt(sealed: string): string };
  translator: i18n;
  settings: FlowSettings;
  outbox: Outbox;
  logger: Logger;
  clock: Clock;
  /** Asks a channel for a user's language when its events do not carry one (LINE profile). */
  lookupLocale?: (address: ConversationAddress) => Promise<Locale | undefined>;
  /**
   * Where `schedule` effects wait: a queue whose delayed jobs outlive Redis and the process
   * (DurableTimers); the job queue itself when not given.
   */
  timers?: JobQueue;
  /** How long an idle conversation's state is kept once the patient has consented. */
  stateTtlMs?: number;
  /** How long it is kept until then (a script opening web chats must not fill Redis for weeks). */
  unconsentedStateTtlMs?: number;
  /** How long a holder that died can block its conversation (default 30 s). */
  inboxLockTtlMs?: number;
}

/** An idle consented conversation's state is kept this long. */
export const STATE_TTL_MS = 14 * 24 * 60 * 60 * 1000;
/** And one whose patient never consented (README "Abuse limits"). */
export const UNCONSENTED_STATE_TTL_MS = 60 * 60 * 1000;

/** Redelivered events are recognised for this long. */
const DEDUPE_TTL_MS = 48 * 60 * 60 * 1000;
const DRAIN_QUEUE = 'conversation-drain';

/** Where a conversation's state is kept. */
const stateKey = (key: string) => `conv:${key}`;

export type AcceptResult = 'accepted' | 'duplicate';

export class ConversationEngine implements ConversationNotifier {
  private readonly inbox: SerialMailbox;
  private readonly draining = new Set<Promise<void>>();
  private readonly stateTtlMs: number;
  private readonly unconsentedStateTtlMs: number;
  private readonly sweep: { start(): Promise<void> };
  private readonly effects: EffectJobs;
  private readonly texts: ChatTexts;

  constructor(private readonly options: EngineOptions) {
    this.texts = new ChatTexts(options.translator);
    const notify = this.notify.bind(this);
    this.effects = new EffectJobs({
      jobs: options.jobs,
      handlers: options.effects,
      timers: new ConversationTimers(options.timers ?? options.jobs, options.cipher, options.clock, notify),
      cipher: options.cipher,
      logger: options.logger,
      notify,
    });
    this.stateTtlMs = options.stateTtlMs ?? STATE_TTL_MS;
    this.unconsentedStateTtlMs = Math.min(
      options.unconsentedStateTtlMs ?? UNCONSENTED_STATE_TTL_MS,
      this.stateTtlMs,
    );
    this.inbox = new SerialMailbox(options.kv, {
      name: 'inbox',
      lockTtlMs: options.inboxLockTtlMs ?? 30_000,
      itemTtlMs: DEDUPE_TTL_MS,
    });
    options.jobs.define<{ address: ConversationAddress }>(DRAIN_QUEUE, ({ address }) => this.drain(address), {
      concurrency: 4,
      attempts: 5,
      backoffMs: 5_000,
    });
    this.sweep = this.inbox.defineRecovery(options.jobs, options.logger, (key) => this.drain(addressOf(key)));
  }

  /** Starts the periodic sweep for conversations left unprocessed by an instance that died. */
  async start(): Promise<void> {
    await this.sweep.start();
  }

  /**
   * Takes an event in: durable in the patient's inbox when this resolves (acknowledge the
   * platform then), or recognised as a redelivery. When no one holds the conversation, this
   * call takes it in the same step and processing continues in the background.
   */
  async accept(event: ConversationEvent): Promise<AcceptResult> {
    const key = conversationKey(event);
    const address: ConversationAddress = { channel: event.channel, channelUserId: event.channelUserId };
    const raw = JSON.stringify(event);
    const token = SerialMailbox.token();
    const pushed = await this.inbox.push(key, raw, {
      onceId: event.dedupeKey,
      onceTtlMs: event.dedupeTtlMs,
      claim: { token, ...this.claimReads(address) },
    });
    if (!pushed.queued) return 'duplicate';
    this.track(
      this.inbox
        .work(key, token, pushed.head ?? { status: 'busy' }, this.stepper(address, { raw, event }))
        .then((outcome) => this.lookLater(address, outcome))
        .catch(async (error: unknown) => {
          // A step that failed (a database that did not answer in time under load) is tried
          // again by a drain job in a second, not left for the 30 s recovery sweep.
          this.options.logger.warn({ err: error }, 'conversation step failed; a drain job retries it');
          await this.options.jobs.add(
            DRAIN_QUEUE,
            { address },
            { jobId: `drain-retry:${key}:${Math.floor(this.options.clock.now() / 1_000)}`, delayMs: 1_000 },
          );
        }),
    );
    return 'accepted';
  }

  /** Resolves once every drain started by this instance has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.draining.size > 0) await Promise.allSettled([...this.draining]);
  }

  /** Works through a conversation's inbox unless another holder already is. */
  async drain(address: ConversationAddress): Promise<void> {
    const key = conversationKey(address);
    await this.lookLater(
      address,
      await this.inbox.drain(key, this.stepper(address), this.claimReads(address)),
    );
  }

  /**
   * When another holder had the conversation, a look is scheduled for just after that holder's
   * lock would expire, so events never wait on a holder that died.
   */
  private async lookLater(address: ConversationAddress, outcome: 'done' | 'busy'): Promise<void> {
    if (outcome === 'done') return;
    const key = conversationKey(address);
    const ttl = this.inbox.lockTtlMs;
    const window = Math.floor(this.options.clock.now() / ttl);
    await this.options.jobs.add(
      DRAIN_QUEUE,
      { address },
      { jobId: `drain:${key}:${window}`, delayMs: ttl + 1_000 },
    );
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => {
      this.options.logger.error(
        { err: error },
        'conversation drain failed; the next event or the recovery sweep retries it',
      );
    });
    this.draining.add(tracked);
    void tracked.finally(() => this.draining.delete(tracked));
  }

  /** What a claim of the conversation reads with its first event: the state. */
  private claimReads(address: ConversationAddress): { read: string } {
    return { read: stateKey(conversationKey(address)) };
  }

  /**
   * Steps a conversation's events for its holder. The state read with the claim is kept here
   * between events (the holder is the only writer). The state, and the step's messages for the
   * outbox, are stored with the event's removal from the inbox in one atomic write, and the
   * outbox is claimed in it; its messages go out only after that write. So a step repeated
   * after a crash or a lost lock has sent nothing yet, and its repeat sends them once. `pushed`
   * is the event this instance just queued, so it need not be parsed back.
   */
  private stepper(
    address: ConversationAddress,
    pushed?: { raw: string; event: ConversationEvent },
  ): ItemHandler {
    const key = conversationKey(address);
    let saved: string | undefined;
    return async (raw, claimed) => {
      if (claimed) saved = claimed.value;
      const event = raw === pushed?.raw ? pushed.event : (JSON.parse(raw) as ConversationEvent);
      const step = await this.process(address, event, saved);
      saved = step.state;
      const { outbox } = this.options;
      const ttlMs = step.consented ? this.stateTtlMs : this.unconsentedStateTtlMs;
      const set = { key: stateKey(key), value: step.state, ttlMs };
      if (!step.batch) return { commit: { set } };
      const token = SerialMailbox.token();
      return {
        commit: { set, forward: outbox.forward(step.batch, token) },
        committed: (forwarded) => outbox.deliverClaimed(address, token, forwarded),
      };
    };
  }

  /**
   * One step: the next state (JSON) and its messages. The inbox hands each event over once: it
   * leaves the inbox in the same write that stores the state it led to.
   */
  private async process(
    address: ConversationAddress,
    event: ConversationEvent,
    saved: string | undefined,
  ): Promise<{ state: string; batch: OutboundBatch | undefined; consented: boolean }> {
    const { flows, settings, logger } = this.options;
    const state = await currentState(saved, address, event.platformLocale, this.options);

    const context: StepContext = {
      text: (locale) => this.texts.in(locale),
      now: this.options.clock.now(),
      settings,
    };
    let next: ConversationState;
    let effects: Effect[];
    try {
      ({ state: next, effects } = flows.step(state, event.content, context));
    } catch (error) {
      // A flow bug must not wedge the conversation: apologise, keep the state, move on.
      logger.error({ err: error, step: state.step }, 'flow step failed');
      next = state;
      effects = [
        { type: 'send', message: { text: this.texts.in(state.locale)('errors.generic', { ns: 'common' }) } },
      ];
    }
    // Consent is the engine's to track (it sets how long the conversation is kept): the last
    // decision a step records, else the one before.
    const consented =
      flows.consentDecision?.(effects) ??
      // A state stored before the engine kept the flag: the register knows.
      state.consented ??
      (await this.options.findPatient(address))?.consented ??
      false;
    next = { ...next, outSeq: state.outSeq, consented };

    const messages: OutboundMessage[] = coalesceMessages(
      effects.flatMap((effect) => (effect.type === 'send' ? [effect.message] : [])),
    );
    let batch: OutboundBatch | undefined;
    if (messages.length > 0 || event.channelContext?.answerEvenIfSilent) {
      next.outSeq += 1;
      batch = {
        ...address,
        seq: next.outSeq,
        messages,
        locale: next.locale,
        channelContext: event.channelContext,
        consented,
      };
    }
    // Effects are queued before the step is stored: a crash in between repeats the step, and
    // every effect is idempotent by its id, so the repeat records nothing twice.
    await this.effects.queue(address, effects, next.locale, event.dedupeKey, context.now);
    return { state: JSON.stringify(next), batch, consented };
  }

  /**
   * Tells a conversation that something happened: a timer, a payment, an answer from the
   * hospital or from staff. `dedupeKey` makes a repeated notice (a retried job) count once.
   */
  async notify(address: ConversationAddress, event: SystemEvent, dedupeKey: string): Promise<void> {
    await this.accept({ ...address, dedupeKey, sentAt: this.options.clock.now(), content: event });
  }
}
