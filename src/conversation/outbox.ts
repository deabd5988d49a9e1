// Outbound delivery. Each step's messages form a numbered batch, sent at once by the
// conversation's holder or, when that fails or earlier batches still wait, through the
// conversation's outbox, one batch after another: messages arrive in the order decided and a
// retry resumes after the messages already sent.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Locale } from '../i18n/locales.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { KeyValueStore, MailboxCommit, MailboxHead } from '../storage/kv/key-value-store.ts';
import {
  conversationKey,
  type ChannelContext,
  type ChannelName,
  type ConversationAddress,
  type OutboundMessage,
} from './message.ts';
import { SerialMailbox, type ItemHandler } from './serial-mailbox.ts';

/** The messages one step decided, with what the channel needs to send them. */
export interface OutboundBatch extends ConversationAddress {
  /** Increases by one per batch in a conversation (from 1 again when the conversation starts over). */
  seq: number;
  /**
   * Names this batch in the outbox's progress mark; set when it enters the outbox, since `seq`
   * repeats after a conversation starts over. Absent in batches queued by older versions.
   */
  id?: string;
  messages: OutboundMessage[];
  locale: Locale;
  /** The channel's own context of the event that caused the batch (a reply token, a press to acknowledge). */
  channelContext?: ChannelContext;
  /**
   * Whether the patient has consented, for channels that keep a session's data (the web chat
   * keeps a never-consented one's for an hour). Absent in batches queued by older versions.
   */
  consented?: boolean;
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

/**
 * Where a conversation's delivery progress is kept: "id:count" of the batch being sent ("seq:count"
 * for a batch without id). The mark outlives its batch, so it must name that batch alone.
 */
const progressKey = (key: string) => `outbox-progress:${key}`;

/**
 * Delivers batches through the channel senders, in order, and retries what fails.
 *
 * A conversation step's batch is stored in the conversation's outbox in the same atomic write
 * as the step's state, and the holder claims the outbox in that write: delivery starts at once
 * in this process. Nothing is sent before the step is stored, so a step repeated after a crash
 * has sent nothing yet. Each message the platform accepts is marked, with the outbox lock
 * renewed, in one atomic write (the last by the batch's removal): whoever takes over (the retry job, or the periodic sweep after
 * this process died) resumes after the last marked message, and a slow delivery that keeps
 * making progress keeps its lock, so no second holder sends the same batch meanwhile. The one
 * window left: a crash after the platform accepted a message and before its mark (one store
 * round trip) sends that message once more. Each decided message is sent or retried, never
 * dropped, except one whose call timed out after reaching the platform (see the senders).
 */
export class Outbox {
  private readonly mailbox: SerialMailbox;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly sweep: { start(): Promise<void> };

  constructor(
    kv: KeyValueStore,
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
    this.sweep = this.mailbox.defineRecovery(jobs, logger, (key) => this.flush(key));
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
    const item = JSON.stringify({ ...batch, id: randomUUID() } satisfies OutboundBatch);
    return this.mailbox.forward(key, item, token, progressKey(key));
  }

  /**
   * Delivers what a commit's claim returned, after `waitMs` when the platform asked for a pause
   * (longer pauses are left to the retry job). 'busy': another holder is delivering and will see
   * the batch too; should it die, the sweep delivers it.
   */
  deliverClaimed(
    address: ConversationAddress,
    token: string,
    head: MailboxHead | undefined,
    waitMs = 0,
  ): void {
    if (head?.status !== 'item') return;
    const key = conversationKey(address);
    // No timer when there is nothing to wait for: this is every answer's path.
    const pause = waitMs > 0 ? sleep(Math.min(waitMs, MAX_INLINE_WAIT_MS)) : Promise.resolve();
    const delivery = pause
      .then(() => this.mailbox.work(key, token, head, this.deliverItem(key)))
      .then(
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

  /**
   * Delivers everything waiting in one conversation's outbox, unless another holder is: what
   * the retry job and the recovery sweep do.
   */
  async redeliver(address: ConversationAddress): Promise<void> {
    await this.flush(conversationKey(address));
  }

  private async flush(key: string): Promise<void> {
    await this.mailbox.drain(key, this.deliverItem(key), { read: progressKey(key) });
  }

  /** Sends one batch, resuming after the messages a dead holder already sent. */
  private deliverItem(key: string): ItemHandler {
    return async (raw, claimed, token) => {
      const batch = JSON.parse(raw) as OutboundBatch;
      const name = batch.id ?? String(batch.seq);
      const mark = claimed?.value ?? '';
      const at = mark.lastIndexOf(':');
      const alreadySent = at > 0 && mark.slice(0, at) === name ? Number(mark.slice(at + 1)) || 0 : 0;
      // The last message needs no mark: the batch leaves the outbox in the next write, as soon
      // as a mark would. A lost lock means another holder took over: stop sending at once.
      const markSent = async (count: number) => {
        if (count >= batch.messages.length) return;
        if (!(await this.mailbox.mark(key, token, progressKey(key), `${name}:${count}`)))
          throw new Error('outbox lock lost mid-batch; its new holder resumes after the last mark');
      };
      try {
        await this.send(batch, alreadySent, markSent);
      } catch (error) {
        throw new BatchFailed(batch.seq, error);
      }
    };
  }

  /** Retries one batch's delivery in place while the platform asks for a short wait (429). */
  private async send(
    batch: OutboundBatch,
    alreadySent: number,
    markSent: (count: number) => Promise<void>,
  ): Promise<void> {
    let sent = alreadySent;
    const track = async (count: number) => {
      sent = count;
      await markSent(count);
    };
    for (;;) {
      try {
        await this.tryDeliver(batch, sent, track);
        return;
      } catch (error) {
        if (!(error instanceof DeliveryError)) throw error;
        const wait = error.options.retryAfterMs;
        if (wait === undefined || wait > MAX_INLINE_WAIT_MS) throw error;
        this.logger.warn({ channel: batch.channel, waitMs: wait }, 'platform asked us to slow down');
        // Renews the outbox lock (and stops if it is lost): waits in a row must not outlast it,
        // or a recovery sweep would send the next message too.
        await markSent(sent);
        await sleep(wait);
      }
    }
  }

  /** One try through the channel; a batch that can never be delivered is given up here. */
  private async tryDeliver(
    batch: OutboundBatch,
    alreadySent: number,
    markSent: (count: number) => Promise<void>,
  ): Promise<void> {
    const sender = this.senders[batch.channel];
    if (!sender) {
      this.logger.error({ channel: batch.channel }, 'no sender configured for channel; batch dropped');
      return;
    }
    try {
      await sender.deliver(batch, alreadySent, markSent);
    } catch (error) {
      if (!(error instanceof DeliveryError && error.options.permanent)) throw error;
      this.logger.warn(
        { channel: batch.channel, reason: error.message },
        'delivery refused for good; batch dropped',
      );
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
