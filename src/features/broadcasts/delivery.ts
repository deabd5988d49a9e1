// The delivery worker of hospital broadcasts: one job per broadcast and channel on the
// 'broadcasts' queue. BullMQ hands a job whose process died to another worker within about
// DELIVERY_LOCK_MS; the job's new run takes over what the dead one left (delivery-run.ts), so a
// kill -9 at any moment loses no recipient and sends none twice where the platform can tell a
// repeat, and at most once where it cannot.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { BulkSender } from '../../channels/channel.ts';
import type { TimerClock } from '../../clock.ts';
import type { ChannelName } from '../../conversation/message.ts';
import type { BroadcastDesk } from '../../domain/broadcasts.ts';
import type { JobQueue } from '../../jobs/job-queue.ts';
import { backoffMs } from './delivery-failures.ts';
import type { NoticeWriter } from './delivery-notice.ts';
import { Pauses } from './delivery-pauses.ts';
import { DeliveryRun, type RunEnd } from './delivery-run.ts';

export const BROADCAST_QUEUE = 'broadcasts';

/** How soon a delivery whose process died is taken over (BullMQ's lock and stalled check). */
export const DELIVERY_LOCK_MS = 5_000;

/** Deliveries one process works at once (a broadcast has one per channel). */
const DELIVERIES_AT_ONCE = 4;

export interface DeliveryJob {
  broadcastId: string;
  channel: ChannelName;
}

/** One job per broadcast and channel: adding it again while it is known does nothing. */
export const deliveryJobId = (broadcastId: string, channel: ChannelName): string =>
  `broadcast:${broadcastId}:${channel}`;

export interface DeliveryDeps {
  desk: BroadcastDesk;
  jobs: JobQueue;
  /** Each enabled channel's bulk sender. */
  senders: Partial<Record<ChannelName, BulkSender>>;
  notice: NoticeWriter;
  /** Tells the console a broadcast moved on (BROADCAST_FEED). */
  publish: (broadcastId: string) => Promise<void>;
  clock: TimerClock;
  logger: Logger;
}

export class BroadcastDelivery {
  private readonly runs = new Set<DeliveryRun>();
  private readonly pauses: Pauses;
  private stopping = false;

  constructor(private readonly deps: DeliveryDeps) {
    this.pauses = new Pauses(deps.clock);
    deps.jobs.define<DeliveryJob>(BROADCAST_QUEUE, (job) => this.work(job), {
      concurrency: DELIVERIES_AT_ONCE,
      lockMs: DELIVERY_LOCK_MS,
      // A run retries what fails inside it; the job is tried again only after a stop.
      attempts: 10,
      backoffMs: 1_000,
    });
  }

  /** Queues a broadcast's delivery on each of its channels. */
  async start(broadcastId: string, channels: ChannelName[]): Promise<void> {
    for (const channel of channels)
      await this.deps.jobs.add<DeliveryJob>(
        BROADCAST_QUEUE,
        { broadcastId, channel },
        { jobId: deliveryJobId(broadcastId, channel) },
      );
  }

  /**
   * Queues again the deliveries of broadcasts still sending (at start). A job that ended (it
   * stopped with its instance, or gave up) is removed first, since its id would make the add a
   * no-op for a day; one still locked by a live worker is left alone and goes on there.
   */
  async resume(): Promise<void> {
    for (const { id, channels } of await this.deps.desk.unfinished()) {
      for (const channel of channels) {
        await this.deps.jobs.remove(BROADCAST_QUEUE, deliveryJobId(id, channel));
        await this.deps.jobs.add<DeliveryJob>(
          BROADCAST_QUEUE,
          { broadcastId: id, channel },
          { jobId: deliveryJobId(id, channel) },
        );
      }
    }
  }

  /** Stops the runs of this process (before the queue closes): calls in flight are settled. */
  stop(): void {
    this.stopping = true;
    for (const run of this.runs) run.interrupt();
    this.pauses.cancelAll();
  }

  /**
   * Works one delivery until its channel has nothing left, trying again (a new run) after a
   * failure such as the database going away.
   */
  private async work({ broadcastId, channel }: DeliveryJob): Promise<void> {
    for (let failures = 0; !this.stopping;) {
      try {
        if ((await this.runOnce(broadcastId, channel)) !== 'interrupted') return;
      } catch (error) {
        failures += 1;
        this.deps.logger.warn(
          { err: error, broadcastId, channel, failures },
          'broadcast delivery failed; a new run takes over',
        );
        await this.pauses.wait(backoffMs(failures));
      }
    }
    // With BullMQ the job is tried again by a live instance; in process, `resume` queues it at
    // the next start.
    if (this.deps.jobs.kind === 'bullmq')
      throw new Error('broadcast delivery paused: this instance is stopping');
  }

  private async runOnce(broadcastId: string, channel: ChannelName): Promise<RunEnd> {
    const { desk } = this.deps;
    const report = await desk.report(broadcastId);
    if (!report || report.status !== 'sending') return 'done';
    const bulk = this.deps.senders[channel];
    if (!bulk) {
      await this.failUnreachable(broadcastId, channel);
    } else {
      const run = new DeliveryRun(
        {
          desk,
          bulk,
          notice: this.deps.notice,
          clock: this.deps.clock,
          logger: this.deps.logger,
          progress: () => this.publish(broadcastId),
        },
        broadcastId,
        channel,
        report,
      );
      this.runs.add(run);
      if (this.stopping) run.interrupt();
      try {
        const end = await run.deliver();
        if (end !== 'done') {
          this.publish(broadcastId);
          return end;
        }
      } finally {
        this.runs.delete(run);
      }
    }
    await desk.finishIfDone(broadcastId);
    this.publish(broadcastId);
    return 'done';
  }

  /**
   * A channel no longer enabled on this instance (its settings were removed after the
   * broadcast was accepted): its recipients cannot be reached, and the report says so.
   */
  private async failUnreachable(broadcastId: string, channel: ChannelName): Promise<void> {
    const { desk } = this.deps;
    const run = randomUUID();
    for (const call of await desk.takeOver(broadcastId, channel, run))
      await desk.settle(call.recipients.map(({ id }) => ({ id, result: 'sent', reason: 'unconfirmed' })));
    for (;;) {
      const claimed = await desk.claim(broadcastId, channel, run, 500);
      if (claimed.length === 0) return;
      await desk.settle(claimed.map(({ id }) => ({ id, result: 'failed', reason: 'channel-not-enabled' })));
    }
  }

  private publish(broadcastId: string): void {
    this.deps
      .publish(broadcastId)
      .catch((error: unknown) =>
        this.deps.logger.warn({ err: error, broadcastId }, 'could not publish broadcast progress'),
      );
  }
}
