// The conversation engine: every inbound event is deduplicated and queued in its patient's
// inbox; one holder at a time (across instances) loads the state, steps the flow, hands the
// effects to the job queue and the outbox, and saves the state.
import type { i18n } from 'i18next';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { BookingResult } from '../domain/booking.ts';
import type { IntakeRecorder } from '../domain/intakes.ts';
import type { PatientDirectory } from '../domain/patients.ts';
import { DEFAULT_LOCALE, isLocale, type Locale } from '../i18n/locales.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { KeyValueStore } from '../storage/kv/key-value-store.ts';
import type {
  BookingRequest,
  ConversationState,
  Effect,
  FlowEvent,
  FlowRegistry,
  FlowSettings,
  StepContext,
  Translate,
} from './flow.ts';
import {
  conversationKey,
  type ConversationAddress,
  type InboundEvent,
  type OutboundMessage,
} from './message.ts';
import { coalesceMessages } from './coalesce.ts';
import type { Outbox } from './outbox.ts';
import { SerialMailbox } from './serial-mailbox.ts';

/** An event as queued for a conversation: from a patient, or the result of an effect. */
export type ConversationEvent = Omit<InboundEvent, 'content'> & { content: FlowEvent };

export interface EngineOptions {
  kv: KeyValueStore;
  jobs: JobQueue;
  flows: FlowRegistry;
  directory: PatientDirectory;
  intakes: IntakeRecorder;
  /** Asks the hospital what booking needs; the answer comes back as the system event "booking". */
  booking: {
    perform(address: ConversationAddress, patientId: string, request: BookingRequest): Promise<BookingResult>;
  };
  /** Seals effect payloads while they wait in the job queue (they carry names, symptoms). */
  cipher: { encrypt(plain: string): string; decrypt(sealed: string): string };
  translator: i18n;
  settings: FlowSettings;
  outbox: Outbox;
  logger: Logger;
  clock: Clock;
  /** Asks a channel for a user's language when its events do not carry one (LINE profile). */
  lookupLocale?: (address: ConversationAddress) => Promise<Locale | undefined>;
  /** How long an idle conversation's state is kept. */
  stateTtlMs?: number;
  /** How long a holder that died can block its conversation (default 30 s). */
  inboxLockTtlMs?: number;
}

/** Redelivered events are recognised for this long. */
const DEDUPE_TTL_MS = 48 * 60 * 60 * 1000;
const RECENT_EVENTS_KEPT = 64;
const EFFECTS_QUEUE = 'effects';
const DRAIN_QUEUE = 'conversation-drain';

export type AcceptResult = 'accepted' | 'duplicate';

/** A domain effect waiting in the job queue; the effect itself is encrypted. */
interface EffectJob {
  address: ConversationAddress;
  sealed: string;
  locale: Locale;
  jobId: string;
}

export class ConversationEngine {
  private readonly inbox: SerialMailbox;
  private readonly draining = new Set<Promise<void>>();
  private readonly stateTtlMs: number;

  constructor(private readonly options: EngineOptions) {
    this.stateTtlMs = options.stateTtlMs ?? 14 * 24 * 60 * 60 * 1000;
    this.inbox = new SerialMailbox(options.kv, {
      name: 'inbox',
      lockTtlMs: options.inboxLockTtlMs ?? 30_000,
      itemTtlMs: DEDUPE_TTL_MS,
    });
    options.jobs.define<EffectJob>(
      EFFECTS_QUEUE,
      (job) =>
        this.perform(
          job.address,
          JSON.parse(options.cipher.decrypt(job.sealed)) as Effect,
          job.locale,
          job.jobId,
        ),
      { concurrency: 8, attempts: 8, backoffMs: 1_000 },
    );
    options.jobs.define<{ address: ConversationAddress }>(DRAIN_QUEUE, ({ address }) => this.drain(address), {
      concurrency: 4,
      attempts: 5,
      backoffMs: 5_000,
    });
  }

  /**
   * Takes an event in: durable in the patient's inbox when this resolves (acknowledge the
   * platform then), or recognised as a redelivery. Processing continues in the background.
   */
  async accept(event: ConversationEvent): Promise<AcceptResult> {
    const queued = await this.inbox.push(conversationKey(event), JSON.stringify(event), event.dedupeKey);
    if (!queued) return 'duplicate';
    this.track(this.drain(event));
    return 'accepted';
  }

  /** Resolves once every drain started by this instance has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.draining.size > 0) await Promise.allSettled([...this.draining]);
  }

  /**
   * Works through a conversation's inbox unless another holder already is. Then a look is
   * scheduled for just after that holder's lock would expire, so events never wait on a
   * holder that died.
   */
  async drain(address: ConversationAddress): Promise<void> {
    const key = conversationKey(address);
    const outcome = await this.inbox.drain(key, (raw) => this.process(JSON.parse(raw) as ConversationEvent));
    if (outcome === 'busy') {
      const ttl = this.inbox.lockTtlMs;
      const window = Math.floor(this.options.clock.now() / ttl);
      await this.options.jobs.add(
        DRAIN_QUEUE,
        { address },
        { jobId: `drain:${key}:${window}`, delayMs: ttl + 1_000 },
      );
    }
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => {
      this.options.logger.error({ err: error }, 'conversation drain failed; the next event retries it');
    });
    this.draining.add(tracked);
    void tracked.finally(() => this.draining.delete(tracked));
  }

  private async process(event: ConversationEvent): Promise<void> {
    const { kv, flows, settings, logger } = this.options;
    const address: ConversationAddress = { channel: event.channel, channelUserId: event.channelUserId };
    const stateKey = `conv:${conversationKey(address)}`;
    const saved = await kv.get(stateKey);
    let state = saved ? (JSON.parse(saved) as ConversationState) : undefined;
    if (state?.recent.includes(event.dedupeKey)) return;

    if (!state || state.version !== flows.version) {
      const patient = await this.options.directory.findByChannel(address);
      const previousLocale = state && isLocale(state.locale) ? state.locale : undefined;
      const locale =
        previousLocale ?? event.platformLocale ?? (await this.lookupLocale(address)) ?? DEFAULT_LOCALE;
      if (state)
        logger.info(
          { from: state.version, to: flows.version },
          'conversation restarted on a new flow version',
        );
      state = flows.start(address, locale, patient, state ? 'upgraded' : 'new', settings);
    }

    const context: StepContext = {
      text: (locale) => this.text(locale),
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
        { type: 'send', message: { text: this.text(state.locale)('errors.generic', { ns: 'common' }) } },
      ];
    }
    next = {
      ...next,
      recent: [...state.recent, event.dedupeKey].slice(-RECENT_EVENTS_KEPT),
      outSeq: state.outSeq,
    };

    const messages: OutboundMessage[] = coalesceMessages(
      effects.flatMap((effect) => (effect.type === 'send' ? [effect.message] : [])),
    );
    if (messages.length > 0 || event.callbackQueryId) {
      next.outSeq += 1;
      await this.options.outbox.enqueue({
        ...address,
        seq: next.outSeq,
        messages,
        locale: next.locale,
        replyToken: event.replyToken,
        replyTokenExpiresAt: event.replyToken ? event.sentAt + 50_000 : undefined,
        callbackQueryId: event.callbackQueryId,
      });
    }
    const others = effects.filter((effect) => effect.type !== 'send');
    for (const [index, effect] of others.entries()) {
      const jobId = `fx:${conversationKey(address)}:${event.dedupeKey}:${index}`;
      const sealed = this.options.cipher.encrypt(JSON.stringify(effect));
      const job: EffectJob = { address, sealed, locale: next.locale, jobId };
      await this.options.jobs.add(EFFECTS_QUEUE, job, { jobId });
    }
    // Saved last: a crash before this point repeats the step, and every effect above is
    // idempotent by its id, so the repeat sends and records nothing twice.
    await kv.set(stateKey, JSON.stringify(next), { ttlMs: this.stateTtlMs });
  }

  /** Performs a domain effect; results come back to the conversation as system events. */
  private async perform(
    address: ConversationAddress,
    effect: Effect,
    locale: Locale,
    jobId: string,
  ): Promise<void> {
    const { directory } = this.options;
    switch (effect.type) {
      case 'send':
        return;
      case 'recordConsent':
        return directory.recordConsent(address, { ...effect, locale });
      case 'setLocale':
        return directory.setLocale(address, effect.locale);
      case 'recordRedFlag':
        return directory.recordRedFlag(address, {
          phrase: effect.phrase,
          phraseLocale: effect.phraseLocale,
          emergencyNumber: effect.emergencyNumber,
        });
      case 'recordIntake':
        return this.options.intakes.record(address, effect.patientId, effect.intake, jobId);
      case 'booking': {
        const result = await this.options.booking.perform(address, effect.patientId, effect.request);
        await this.accept({
          ...address,
          dedupeKey: `${jobId}:result`,
          sentAt: this.options.clock.now(),
          content: { kind: 'system', name: 'booking', data: { result: JSON.stringify(result) } },
        });
        return;
      }
      case 'identifyPatient': {
        const { patientId, returning } = await directory.identify(address, { ...effect, locale });
        await this.accept({
          ...address,
          dedupeKey: `${jobId}:result`,
          sentAt: this.options.clock.now(),
          content: { kind: 'system', name: 'patient.identified', data: { patientId, returning } },
        });
        return;
      }
    }
  }

  private async lookupLocale(address: ConversationAddress): Promise<Locale | undefined> {
    try {
      return await this.options.lookupLocale?.(address);
    } catch (error) {
      this.options.logger.warn(
        { err: error, channel: address.channel },
        'could not look up the user language',
      );
      return undefined;
    }
  }

  private readonly translators = new Map<Locale, Translate>();

  /** Text in `locale`; texts without placeholders are looked up once per process. */
  private text(locale: Locale): Translate {
    let translate = this.translators.get(locale);
    if (!translate) {
      const t = this.options.translator.getFixedT(locale, 'chat');
      // Only placeholder-free texts are remembered: values may be a patient's name.
      const fixed = new Map<string, string>();
      translate = (key, values) => {
        if (values) return t(key, values);
        let text = fixed.get(key);
        if (text === undefined) {
          text = t(key);
          fixed.set(key, text);
        }
        return text;
      };
      this.translators.set(locale, translate);
    }
    return translate;
  }
}
