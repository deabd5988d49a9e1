// One run of a broadcast's delivery on one channel: it takes over what a dead run left, then
// keeps several platform calls in flight (lanes) until no recipient is left pending. Each call:
// wait for the platform's limits, record the intent (`sending`, committed just before the call),
// call, and settle the outcomes (in batches, one write at a time). Only the few calls in hand are
// held in memory, never the broadcast's recipients.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { BulkCall, BulkSender } from '../../channels/channel.ts';
import type { TimerClock } from '../../clock.ts';
import type { ChannelName } from '../../conversation/message.ts';
import type { BroadcastDesk, DeliveryResult, InterruptedCall } from '../../domain/broadcasts.ts';
import { classifyFailure, backoffMs, MAX_SAME_KEY_TRIES } from './delivery-failures.ts';
import { lanesFor, planCalls } from './delivery-calls.ts';
import type { NoticeSource, NoticeWriter } from './delivery-notice.ts';
import { Pauses } from './delivery-pauses.ts';

export interface RunDeps {
  desk: BroadcastDesk;
  bulk: BulkSender;
  notice: NoticeWriter;
  clock: TimerClock;
  logger: Logger;
  /** The broadcast moved on (settled outcomes); called at most every PROGRESS_EVERY_MS. */
  progress: () => void;
}

/** How a run ended. */
export type RunEnd =
  /** No recipient of this channel is left to send. */
  | 'done'
  /** The run no longer holds its recipients: the broadcast was cancelled, or a later run took over. */
  | 'superseded'
  /** The instance is stopping; what is left is for the next run. */
  | 'interrupted';

type Outcome = { id: string; result: DeliveryResult; reason?: string };

/** Outcomes settled in one write at most. */
const MAX_SETTLE = 500;
/** The console hears of progress at most this often. */
export const PROGRESS_EVERY_MS = 250;

export class DeliveryRun {
  /** Names this run in the recipient rows it claims. */
  readonly run = randomUUID();
  private readonly lanes: number;
  private readonly claimSize: number;
  private readonly ready: BulkCall[] = [];
  private claiming: Promise<void> | undefined;
  /** The last claim found nothing pending. */
  private drained = false;
  private inFlight = 0;
  private readonly callEndWaiters: (() => void)[] = [];
  private readonly outcomes: Outcome[] = [];
  private settling: Promise<void> | undefined;
  private lastProgressAt = 0;
  /** Platform failures in a row (any lane), for the backoff. */
  private failuresInARow = 0;
  private end: RunEnd | undefined;
  private error: Error | undefined;
  private readonly pauses: Pauses;

  constructor(
    private readonly deps: RunDeps,
    private readonly broadcastId: string,
    private readonly channel: ChannelName,
    private readonly broadcast: NoticeSource,
  ) {
    this.lanes = lanesFor(deps.bulk);
    this.claimSize = deps.bulk.recipientsPerCall * this.lanes * 2;
    this.pauses = new Pauses(deps.clock);
  }

  /** Delivers until nothing is pending; throws what made it give up (the job tries again). */
  async deliver(): Promise<RunEnd> {
    const interrupted = await this.deps.desk.takeOver(this.broadcastId, this.channel, this.run);
    await this.recover(interrupted);
    if (!this.end) await Promise.all(Array.from({ length: this.lanes }, () => this.lane()));
    await this.settleAll();
    if (this.error !== undefined) throw this.error;
    return this.end ?? 'done';
  }

  /** Stops taking calls (the instance is stopping): those in flight finish and are settled. */
  interrupt(): void {
    this.stop('interrupted');
  }

  /**
   * Calls a dead run was making. Where the platform knows the call's key (LINE), the same call
   * is made again and a repeat is answered as already accepted; elsewhere it may have reached
   * the patient, so it counts as sent and is never made again: at most one copy.
   */
  private async recover(calls: InterruptedCall[]): Promise<void> {
    if (calls.length === 0) return;
    this.deps.logger.info(
      { broadcastId: this.broadcastId, channel: this.channel, calls: calls.length },
      'broadcast delivery taking over interrupted calls',
    );
    if (!this.deps.bulk.resendsSafely) {
      for (const call of calls)
        this.record(call.recipients.map(({ id }) => ({ id, result: 'sent', reason: 'unconfirmed' })));
      return;
    }
    const queue = [...calls];
    await Promise.all(
      Array.from({ length: this.lanes }, async () => {
        for (let call = queue.shift(); call && !this.end; call = queue.shift()) {
          const { key, recipients } = call;
          await this.callAgain(
            {
              key,
              text: this.deps.notice(this.broadcast, recipients[0]!.locale),
              recipients: recipients.map(({ id, channelUserId }) => ({ id, channelUserId })),
            },
            0,
          );
        }
      }),
    ).catch((error: unknown) => this.fail(error));
  }

  private async lane(): Promise<void> {
    try {
      for (let call = await this.nextCall(); call; call = await this.nextCall()) {
        try {
          await this.make(call);
        } finally {
          this.inFlight -= 1;
          for (const wake of this.callEndWaiters.splice(0)) wake();
        }
      }
    } catch (error) {
      this.fail(error);
    }
  }

  /** The next call to make, claiming more recipients when the ones in hand run low. */
  private async nextCall(): Promise<BulkCall | undefined> {
    for (;;) {
      if (this.end) return undefined;
      const call = this.ready.shift();
      if (call) {
        this.inFlight += 1;
        if (this.ready.length < this.lanes && !this.drained) this.claimMore();
        return call;
      }
      this.claimMore();
      await this.claiming;
      if (this.ready.length > 0 || this.end) continue;
      // Nothing pending: finished, unless a call in flight gives its recipients back (a 429).
      if (this.inFlight === 0) return undefined;
      await new Promise<void>((resolve) => this.callEndWaiters.push(resolve));
    }
  }

  /** Starts a claim unless one is under way; its failure ends the run. */
  private claimMore(): void {
    if (this.claiming) return;
    const claiming = this.deps.desk
      .claim(this.broadcastId, this.channel, this.run, this.claimSize)
      .then(
        (claimed) => {
          this.drained = claimed.length === 0;
          this.ready.push(
            ...planCalls(claimed, this.deps.bulk.recipientsPerCall, (locale) =>
              this.deps.notice(this.broadcast, locale),
            ),
          );
        },
        (error: unknown) => this.fail(error),
      )
      .finally(() => {
        if (this.claiming === claiming) this.claiming = undefined;
      });
    this.claiming = claiming;
  }

  /** Paces, records the intent, calls, and decides what a failure means for the recipients. */
  private async make(call: BulkCall): Promise<void> {
    await this.deps.bulk.pace(call);
    if (this.end) return;
    const ids = call.recipients.map(({ id }) => id);
    if (!(await this.deps.desk.sending(this.run, call.key, ids))) return this.stop('superseded');
    try {
      this.record(await this.deps.bulk.send(call));
      this.failuresInARow = 0;
      return;
    } catch (error) {
      const failure = classifyFailure(error, this.deps.bulk.resendsSafely);
      this.logFailure(error, failure.kind);
      switch (failure.kind) {
        case 'refused':
          return this.record(ids.map((id) => ({ id, result: 'failed', reason: failure.reason })));
        case 'wait':
          // Nothing was sent; the sender pauses the whole bot for as long as the platform asked.
          await this.deps.desk.release(this.run, ids);
          return this.pauses.wait(failure.ms);
        case 'not-sent':
          await this.deps.desk.release(this.run, ids);
          return this.pauses.wait(backoffMs(++this.failuresInARow));
        case 'unknown-resendable':
          return this.callAgain(call, 1);
        case 'unknown':
          // It may have reached the patient and the platform cannot tell a repeat: never again.
          this.record(ids.map((id) => ({ id, result: 'sent', reason: 'unconfirmed' })));
          return this.pauses.wait(backoffMs(++this.failuresInARow));
      }
    }
  }

  /**
   * Makes a call again with its key until the platform answers (a repeat it had accepted comes
   * back as sent); `tries` were made already. After MAX_SAME_KEY_TRIES the run gives up, leaving
   * the call `sending` for the next run to take over and make again.
   */
  private async callAgain(call: BulkCall, tries: number): Promise<void> {
    const ids = call.recipients.map(({ id }) => id);
    for (let attempt = tries + 1; ; attempt += 1) {
      await this.deps.bulk.pace(call);
      try {
        this.record(await this.deps.bulk.send(call, { resend: true }));
        this.failuresInARow = 0;
        return;
      } catch (error) {
        const failure = classifyFailure(error, true);
        this.logFailure(error, failure.kind);
        if (failure.kind === 'refused')
          return this.record(ids.map((id) => ({ id, result: 'failed', reason: failure.reason })));
        if (attempt >= MAX_SAME_KEY_TRIES || this.end) throw error;
        await this.pauses.wait(failure.kind === 'wait' ? failure.ms : backoffMs(++this.failuresInARow));
      }
    }
  }

  private record(outcomes: Outcome[]): void {
    this.outcomes.push(...outcomes);
    this.settleNext();
  }

  /** One settle write at a time; outcomes arriving meanwhile wait for the next. */
  private settleNext(): void {
    if (this.settling || this.outcomes.length === 0) return;
    const batch = this.outcomes.splice(0, MAX_SETTLE);
    this.settling = this.deps.desk.settle(batch).then(
      () => {
        this.settling = undefined;
        const now = this.deps.clock.now();
        if (now - this.lastProgressAt >= PROGRESS_EVERY_MS) {
          this.lastProgressAt = now;
          this.deps.progress();
        }
        this.settleNext();
      },
      (error: unknown) => {
        // Left `sending`: the next run settles them (LINE by asking again, others as unconfirmed).
        this.settling = undefined;
        this.outcomes.length = 0;
        this.fail(error);
      },
    );
  }

  private async settleAll(): Promise<void> {
    while (this.settling || this.outcomes.length > 0) {
      this.settleNext();
      await this.settling;
    }
  }

  private stop(end: RunEnd): void {
    this.end ??= end;
    this.pauses.cancelAll();
    for (const wake of this.callEndWaiters.splice(0)) wake();
  }

  private fail(error: unknown): void {
    this.error ??= error instanceof Error ? error : new Error(String(error));
    this.stop('interrupted');
  }

  private logFailure(error: unknown, kind: string): void {
    this.deps.logger.warn(
      { err: error, broadcastId: this.broadcastId, channel: this.channel, kind },
      'broadcast call failed',
    );
  }
}
