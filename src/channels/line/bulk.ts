// Hospital broadcasts on LINE: one multicast per 500 patients, named by the call's key as its
// X-Line-Retry-Key, so a call made again after a crash is recognised by LINE (409: it was
// accepted before, and counted then) and never delivered twice (resendsSafely true). Calls
// keep to LINE_MULTICAST_RATE requests a second, shared by every instance.
//
// The monthly quota: a multicast spends one message per recipient, and LINE refuses what goes
// beyond the quota. We read the quota and its consumption (a minute at a time, counting what we
// send in between) and, when what is left cannot cover a call, make no call: its recipients are
// `failed` with reason 'quota'. Failed rather than left pending, so the broadcast finishes and
// its report says plainly how many were not reached and why (waiting for next month would hold
// a notice like "the clinic closes at 15:00 today" until it is wrong). LINE's own "monthly
// limit" 429 (other instances may spend the quota too) ends the same way.
import type { messagingApi } from '@line/bot-sdk';
import { HTTPFetchError } from '@line/bot-sdk';
import { systemClock, type TimerClock } from '../../clock.ts';
import { DeliveryError } from '../../conversation/outbox.ts';
import type { DeliveryResult } from '../../domain/broadcasts.ts';
import type { KeyValueStore } from '../../storage/kv/key-value-store.ts';
import type { BulkCall, BulkSender } from '../channel.ts';
import { takeRateSlot } from '../rate-limit.ts';
import { TEXT_MAX } from './render.ts';

/** LINE's limit of user ids in one multicast. */
export const MULTICAST_MAX = 500;
/** How long a quota read is trusted (we count our own sends in between). */
const QUOTA_CACHE_MS = 60_000;
/**
 * LINE answers in well under a second; the SDK's fetch would wait minutes. A call given up is
 * made again with the same retry key, which LINE answers 409 if it took the first.
 */
const ANSWER_TIMEOUT_MS = 30_000;

export interface LineBulkOptions {
  /** LINE_MULTICAST_RATE: requests a second. */
  perSecond: number;
  clock?: TimerClock;
  /** How long a multicast may go unanswered before it is given up (real time; tests shorten it). */
  answerTimeoutMs?: number;
}

type Outcome = { id: string; result: DeliveryResult; reason?: string };

export class LineBulkSender implements BulkSender {
  readonly recipientsPerCall = MULTICAST_MAX;
  readonly resendsSafely = true;
  private readonly clock: TimerClock;
  private readonly quota: MonthlyQuota;

  constructor(
    private readonly client: messagingApi.MessagingApiClient,
    private readonly kv: KeyValueStore,
    private readonly options: LineBulkOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.quota = new MonthlyQuota(client, this.clock);
  }

  async pace(): Promise<void> {
    await takeRateSlot(
      this.kv,
      [{ key: '{line}:multicast', max: this.options.perSecond, windowMs: 1_000 }],
      this.clock,
    );
  }

  async send(call: BulkCall, options: { resend?: boolean } = {}): Promise<Outcome[]> {
    const all = (result: DeliveryResult, reason?: string): Outcome[] =>
      call.recipients.map(({ id }) => ({ id, result, ...(reason ? { reason } : {}) }));
    // A resend may have been accepted already (LINE answers 409): LINE decides, not our count.
    if (!options.resend && !(await this.quota.covers(call.recipients.length))) return all('failed', 'quota');
    try {
      await withinTime(
        this.client.multicast(
          {
            to: call.recipients.map((recipient) => recipient.channelUserId),
            messages: [{ type: 'text', text: call.text.slice(0, TEXT_MAX) }],
          },
          call.key,
        ),
        this.options.answerTimeoutMs ?? ANSWER_TIMEOUT_MS,
      );
      this.quota.spent(call.recipients.length);
      return all('sent');
    } catch (error) {
      // Not an answer from LINE (no connection, no answer in time): the same key again is safe.
      if (!(error instanceof HTTPFetchError))
        throw new DeliveryError(`line multicast: ${(error as Error).message}`);
      // This very call was accepted before (a resend after a crash, or a lost answer).
      if (error.status === 409) return all('sent');
      if (error.status === 429) {
        if (/monthly limit/i.test(error.body)) {
          this.quota.exhausted();
          return all('failed', 'quota');
        }
        const seconds = Number(error.headers.get('retry-after'));
        throw new DeliveryError('line rate limit', { retryAfterMs: seconds > 0 ? seconds * 1000 : 1_000 });
      }
      if (error.status >= 400 && error.status < 500) return all('failed', `line ${error.status}`);
      throw new DeliveryError(`line error ${error.status}`);
    }
  }
}

/** The month's quota as LINE last told it, less what this instance sent since. */
class MonthlyQuota {
  private readAt = Number.NEGATIVE_INFINITY;
  /** Messages left this month; undefined when the plan has no limit (or LINE did not say). */
  private left: number | undefined;

  constructor(
    private readonly client: messagingApi.MessagingApiClient,
    private readonly clock: TimerClock,
  ) {}

  async covers(recipients: number): Promise<boolean> {
    if (this.clock.now() - this.readAt >= QUOTA_CACHE_MS) await this.read();
    return this.left === undefined || this.left >= recipients;
  }

  spent(recipients: number): void {
    if (this.left !== undefined) this.left -= recipients;
  }

  exhausted(): void {
    this.left = 0;
    this.readAt = this.clock.now();
  }

  private async read(): Promise<void> {
    try {
      const [quota, consumption] = await Promise.all([
        this.client.getMessageQuota(),
        this.client.getMessageQuotaConsumption(),
      ]);
      this.left =
        quota.type === 'limited' && quota.value !== undefined
          ? quota.value - consumption.totalUsage
          : undefined;
    } catch {
      // Unknown for now: send, and let LINE's own "monthly limit" answer stop us if it must.
      this.left = undefined;
    }
    this.readAt = this.clock.now();
  }
}

/** `promise`, or a rejection once `ms` of real time passed without its answer. */
async function withinTime<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
