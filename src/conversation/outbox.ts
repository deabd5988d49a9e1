// Outbound delivery. Each step's messages form a numbered batch in the conversation's outbox;
// its holder delivers them through the patient's channel, one batch after another, so messages
// arrive in the order decided and a retry resumes after the messages already sent.
import type { Logger } from 'pino';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Locale } from '../i18n/locales.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { definePeriodicJob } from '../jobs/periodic.ts';
import type { KeyValueStore, MailboxCommit, MailboxHead } from '../storage/kv/key-value-store.ts';
import {
  conversationKey,
  type ChannelName,
  type ConversationAddress,
  type OutboundMessage,
} from './message.ts';
import { SerialMailbox, type ItemHandler } from './serial-mailbox.ts';

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
const SWEEP_EVERY_MS = 15_000;
/** A batch waiting this long was left by an instance that stopped mid-delivery. */
const ABANDONED_AFTER_MS = 30_000;

/** Where a conversation's delivery progress is kept: "seq:count" of the batch being sent. */
const progressKey = (key: string) => `outbox-progress:${key}`;

/**
 * Queues batches and delivers them through the channel senders.
 *
 * A step's batch is stored in its conversation's outbox in the same atomic write as the step's
 * state, and the step's holder claims the outbox in that write, so delivery starts at once in
 * this process with no further round trip. When it fails, a retry job takes over (with
 * backoff, idempotent per batch); when this process dies mid-way, the periodic sweep finds the
 * outbox waiting with no holder and delivers what is left. So each decided message is sent or
 * retried, never dropped.
 */
export class Outbox {
  private readonly mailbox: SerialMailbox;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly sweep: { start(): Promise<void> };

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
    this.sweep = definePeriodicJob(
      jobs,
      SWEEP_QUEUE,
      SWEEP_EVERY_MS,
      () =>
        this.mailbox.recover(ABANDONED_AFTER_MS, (key) =>
          this.flush(key).catch((error: unknown) =>
            this.logger.warn(
              { err: error },
              'sweep could not deliver a pending batch; the next sweep retries',
            ),
          ),
        ),
      logger,
    );
  }

  /** Starts the periodic sweep (one per window across all instances). */
  async start(): Promise<void> {
    await this.sweep.start();
  }

  /**
   * The part of a conversation step's commit that queues `batch` and claims the outbox with
   * `token`; pass what the commit returns to `deliverClaimed`.
   */
  forward(batch: OutboundBatch, token: string): NonNullable<MailboxCommit['forward']> {
    const key = conversationKey(batch);
    return this.mailbox.forward(key, JSON.stringify(batch), token, progressKey(key));
  }

  /**
   * Delivers what a commit's claim returned. 'busy': another holder is delivering and will see
   * the batch too; should it die, the sweep delivers it.
   */
  deliverClaimed(address: ConversationAddress, token: string, head: MailboxHead | undefined): void {
    if (head?.status !== 'item') return;
    const key = conversationKey(address);
    const delivery = this.mailbox.work(key, token, head, this.deliverItem(key)).then(
      () => undefined,
      async (error: unknown) => {
        this.logger.warn(
          { err: error, channel: address.channel },
          'delivery failed; retrying from the job queue',
        );
        const seq = error instanceof BatchFailed ? error.seq : 0;
        await this.jobs.add(DELIVER_QUEUE, { key }, { jobId: `deliver:${key}:${seq}`, delayMs: 1_000 });
      },
    );
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

  /** Delivers everything waiting in one conversation's outbox, unless another holder is. */
  private async flush(key: string): Promise<void> {
    await this.mailbox.drain(key, this.deliverItem(key), progressKey(key));
  }

  /** Sends one batch, resuming after the messages a dead holder already sent. */
  private deliverItem(key: string): ItemHandler {
    return async (raw, progress) => {
      const batch = JSON.parse(raw) as OutboundBatch;
      const [doneSeq, doneCount] = (progress ?? '0:0').split(':').map(Number) as [number, number];
      const alreadySent = batch.seq === doneSeq ? doneCount : 0;
      // The last message needs no mark: the batch leaves the outbox right after it.
      const markSent = async (count: number) => {
        if (count < batch.messages.length)
          await this.kv.set(progressKey(key), `${batch.seq}:${count}`, { ttlMs: OUTBOX_TTL_MS });
      };
      try {
        await this.send(batch, alreadySent, markSent);
      } catch (error) {
        throw new BatchFailed(batch.seq, error);
      }
    };
  }

  private async send(
    batch: OutboundBatch,
    alreadySent: number,
    markSent: (count: number) => Promise<void>,
  ): Promise<void> {
    // A batch given up on simply leaves the outbox like a delivered one.
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

/** A batch that could not be delivered now; its seq names the retry job. */
class BatchFailed extends Error {
  constructor(
    readonly seq: number,
    cause: unknown,
  ) {
    super(`delivery of batch ${seq} failed`, { cause });
    this.name = 'BatchFailed';
  }
}
