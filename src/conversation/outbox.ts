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
/** A platform asking us to wait longer than this gets the job retried later instead. */
const MAX_INLINE_WAIT_MS = 30_000;
const OUTBOX_TTL_MS = 24 * 60 * 60 * 1000;

/** Queues batches and delivers them through the channel senders. */
export class Outbox {
  private readonly mailbox: SerialMailbox;

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
  }

  /** Adds a batch; idempotent for the same conversation and seq. */
  async enqueue(batch: OutboundBatch): Promise<void> {
    const key = conversationKey(batch);
    await this.mailbox.push(key, JSON.stringify(batch));
    await this.jobs.add(DELIVER_QUEUE, { key }, { jobId: `deliver:${key}:${batch.seq}` });
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
      await markSent(Math.max(batch.messages.length, 1));
    });
    if (outcome === 'busy') {
      // The holder normally delivers our batch too; this later look covers a holder that died.
      const ttl = this.mailbox.lockTtlMs;
      const window = Math.floor(Date.now() / ttl);
      await this.jobs.add(
        DELIVER_QUEUE,
        { key },
        { jobId: `deliver-retry:${key}:${window}`, delayMs: ttl + 1_000 },
      );
    }
  }

  private async send(
    batch: OutboundBatch,
    alreadySent: number,
    markSent: (count: number) => Promise<void>,
  ): Promise<void> {
    const sender = this.senders[batch.channel];
    if (!sender) {
      this.logger.error({ channel: batch.channel }, 'no sender configured for channel; batch dropped');
      return;
    }
    let sent = alreadySent;
    const track = async (count: number) => {
      sent = count;
      await markSent(count);
    };
    for (;;) {
      try {
        await sender.deliver(batch, sent, track);
        return;
      } catch (error) {
        if (!(error instanceof DeliveryError)) throw error;
        if (error.options.permanent) {
          this.logger.warn(
            { channel: batch.channel, reason: error.message },
            'delivery refused for good; batch dropped',
          );
          return;
        }
        const wait = error.options.retryAfterMs;
        if (wait === undefined || wait > MAX_INLINE_WAIT_MS) throw error;
        this.logger.warn({ channel: batch.channel, waitMs: wait }, 'platform asked us to slow down');
        await sleep(wait);
      }
    }
  }
}
