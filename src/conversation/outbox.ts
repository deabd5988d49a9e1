// Outbound delivery. Each step's messages form a numbered batch in the conversation's outbox;
// a job drains the outbox through the patient's channel, one batch after another, so messages
// arrive in the order decided and a retried job never sends a message twice.
import type { Logger } from 'pino';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Locale } from '../i18n/locales.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { KeyValueStore } from '../storage/kv/key-value-store.ts';
import {
  conversationKey,
  type ChannelName,
  type ConversationAddress,
  type OutboundMessage,
} from './message.ts';
import { SerialMailbox } from './serial-mailbox.ts';

/** The messages one step decided, with what the channel needs to send them. */
export interface OutboundBatch extends ConversationAddress {
  /** Increases by one per batch in a conversation. */
  seq: number;
  messages: OutboundMessage[];
  locale: Locale;
  /** LINE: free reply channel of the event that caused the batch, while valid. */
  replyToken?: string;
  replyTokenExpiresAt?: number;
  /** Telegram: the button press to acknowledge. */
  callbackQueryId?: string;
}

/** A channel's way of sending. */
export interface ChannelSender {
  /**
   * Sends `batch.messages` from index `alreadySent` on, in order, calling `markSent` with the
   * count sent so far after each platform call. Throws DeliveryError.
   */
  deliver(
    batch: OutboundBatch,
    alreadySent: number,
    markSent: (count: number) => Promise<void>,
  ): Promise<void>;
}

/** Why a send failed, and what to do about it. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly options: { retryAfterMs?: number; permanent?: boolean } = {},
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

const DELIVER_QUEUE = 'deliver';
const SWEEP_QUEUE = 'outbox-sweep';
/** A platform asking us to wait longer than this gets the job retried later instead. */
const MAX_INLINE_WAIT_MS = 30_000;
const OUTBOX_TTL_MS = 24 * 60 * 60 * 1000;
/** Conversations with batches waiting, scored by when they were queued. */
const PENDING_KEY = 'outbox-pending';
const SWEEP_EVERY_MS = 15_000;
/** A batch waiting this long was left by an instance that stopped mid-delivery. */
const ABANDONED_AFTER_MS = 30_000;

/**
 * Queues batches and delivers them through the channel senders.
 *
 * A batch is durable in the outbox before anything is sent, and delivery starts at once in
 * this process. When it fails, a retry job takes over (with backoff, idempotent per batch);
 * when this process dies mid-way, the periodic sweep job finds the conversation in the
 * pending set and delivers what is left. So each decided message is sent or retried, never
 * dropped, without a queue round trip for every message on the happy path.
 */
export class Outbox {
  private readonly mailbox: SerialMailbox;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly kv: KeyValueStore,
    private readonly jobs: JobQueue,
    private readonly senders: Partial<Record<ChannelName, ChannelSender>>,
    private readonly logger: Logger,
  ) {
    this.mailbox = new SerialMailbox(kv, { name: 'outbox', lockTtlMs: 60_000, itemTtlMs: OUTBOX_TTL_MS });
    jobs.define<{ key: string }>(DELIVER_QUEUE, ({ key }) => this.flush(key), {
      concurrency: 32,
      attempts: 10,
      backoffMs: 1_000,
    });
    jobs.define(SWEEP_QUEUE, () => this.sweep(), { concurrency: 1 });
  }

  /** Starts the periodic sweep (one per window across all instances). */
  async start(): Promise<void> {
    await this.scheduleSweep();
  }

  /** Adds a batch and starts delivering it; idempotent for the same conversation and seq. */
  async enqueue(batch: OutboundBatch): Promise<void> {
    const key = conversationKey(batch);
    await Promise.all([
      this.mailbox.push(key, JSON.stringify(batch)),
      this.kv.sortedAdd(PENDING_KEY, Date.now(), key),
    ]);
    const delivery = this.flush(key).catch(async (error: unknown) => {
      this.logger.warn(
        { err: error, channel: batch.channel },
        'delivery failed; retrying from the job queue',
      );
      await this.jobs.add(DELIVER_QUEUE, { key }, { jobId: `deliver:${key}:${batch.seq}`, delayMs: 1_000 });
    });
    const tracked = delivery.catch((error: unknown) =>
      this.logger.error({ err: error }, 'could not schedule a delivery retry; the sweep will deliver it'),
    );
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }

  /** Resolves when deliveries started by this process have finished (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Delivers everything waiting in one conversation's outbox. */
  private async flush(key: string): Promise<void> {
    const outcome = await this.mailbox.drain(key, async (raw) => {
      const batch = JSON.parse(raw) as OutboundBatch;
      const progressKey = `outbox-progress:${key}`;
      const [doneSeq, doneCount] = ((await this.kv.get(progressKey)) ?? '0:0').split(':').map(Number) as [
        number,
        number,
      ];
      if (
        batch.seq < doneSeq ||
        (batch.seq === doneSeq && doneCount >= batch.messages.length && doneCount > 0)
      )
        return;
      const alreadySent = batch.seq === doneSeq ? doneCount : 0;
      const markSent = (count: number) =>
        this.kv.set(progressKey, `${batch.seq}:${count}`, { ttlMs: OUTBOX_TTL_MS });
      await this.send(batch, alreadySent, markSent);
    });
    // 'busy': another holder is delivering and will see this batch too; should it die, the
    // conversation is still in the pending set and the sweep delivers it.
    if (outcome === 'done') await this.kv.sortedRemove(PENDING_KEY, key);
  }

  private async sweep(): Promise<void> {
    try {
      const abandoned = await this.kv.sortedRange(PENDING_KEY, 0, Date.now() - ABANDONED_AFTER_MS);
      for (const { member } of abandoned) {
        await this.flush(member).catch((error: unknown) =>
          this.logger.warn({ err: error }, 'sweep could not deliver a pending batch; the next sweep retries'),
        );
      }
    } finally {
      await this.scheduleSweep();
    }
  }

  private async scheduleSweep(): Promise<void> {
    const next = Math.floor(Date.now() / SWEEP_EVERY_MS) + 1;
    await this.jobs
      .add(SWEEP_QUEUE, {}, { jobId: `sweep:${next}`, delayMs: next * SWEEP_EVERY_MS - Date.now() })
      .catch((error: unknown) => this.logger.warn({ err: error }, 'could not schedule the outbox sweep'));
  }

  private async send(
    batch: OutboundBatch,
    alreadySent: number,
    markSent: (count: number) => Promise<void>,
  ): Promise<void> {
    // Senders mark each message sent; a batch that is finished otherwise is marked here.
    const finished = () => markSent(Math.max(batch.messages.length, 1));
    const sender = this.senders[batch.channel];
    if (!sender) {
      this.logger.error({ channel: batch.channel }, 'no sender configured for channel; batch dropped');
      return finished();
    }
    let sent = alreadySent;
    const track = async (count: number) => {
      sent = count;
      await markSent(count);
    };
    for (;;) {
      try {
        await sender.deliver(batch, sent, track);
        if (batch.messages.length === 0) await finished();
        return;
      } catch (error) {
        if (!(error instanceof DeliveryError)) throw error;
        if (error.options.permanent) {
          this.logger.warn(
            { channel: batch.channel, reason: error.message },
            'delivery refused for good; batch dropped',
          );
          return finished();
        }
        const wait = error.options.retryAfterMs;
        if (wait === undefined || wait > MAX_INLINE_WAIT_MS) throw error;
        this.logger.warn({ channel: batch.channel, waitMs: wait }, 'platform asked us to slow down');
        await sleep(wait);
      }
    }
  }
}
