// Hospital broadcasts on Telegram: one sendMessage per patient, on the bot-wide count the
// conversations use (so together they stay within the bot's limit), one chat at a time within
// its own rule, and never while a 429 has the bot paused. The Bot API has no idempotency key: a
// call that may have reached Telegram is never made again (resendsSafely false).
import { systemClock, type TimerClock } from '../../clock.ts';
import { DeliveryError } from '../../conversation/outbox.ts';
import type { DeliveryResult } from '../../domain/broadcasts.ts';
import type { KeyValueStore } from '../../storage/kv/key-value-store.ts';
import type { BulkCall, BulkSender } from '../channel.ts';
import { takeRateSlot, waitOn } from '../rate-limit.ts';
import { TelegramApiError, type BotApi } from './bot-api.ts';
import { BOT_WINDOW_MS, BotPause, TELEGRAM_BOT_RATE_KEY } from './pause.ts';
import { TELEGRAM_LIMITS, telegramChatRule } from './sender.ts';

/** Telegram's free rate; above it a broadcast message must be sent as a paid broadcast. */
export const FREE_BROADCAST_RATE = 30;
/** Characters one message carries. */
const TEXT_MAX = 4096;

export interface TelegramBulkOptions {
  /** TELEGRAM_BROADCAST_RATE: messages a second on the bot-wide count. */
  perSecond: number;
  /**
   * Messages a second of the bot-wide count a broadcast leaves to the conversations, so a
   * patient chatting meanwhile is answered at once rather than after the broadcast (default 0).
   */
  conversationShare?: number;
  /** Average time between two messages to one chat (tests shorten it). */
  perChatIntervalMs?: number;
  clock?: TimerClock;
}

/** The conversations' share of the bot's count during a broadcast: a tenth of TELEGRAM_MAX_PER_SECOND. */
export const conversationShareOf = (perBotPerSecond: number): number => Math.ceil(perBotPerSecond / 10);

type Outcome = { id: string; result: DeliveryResult; reason?: string };

/** Time a request may take to reach Telegram: a slot with less of its window left is not used. */
const ARRIVAL_MS = 10;

export class TelegramBulkSender implements BulkSender {
  readonly recipientsPerCall = 1;
  readonly resendsSafely = false;
  private readonly clock: TimerClock;
  private readonly pause: BotPause;
  /** The bot-wide window each paced call took its slot in, until it is sent. */
  private readonly slotWindow = new WeakMap<BulkCall, number>();

  constructor(
    private readonly telegram: BotApi,
    private readonly kv: KeyValueStore,
    private readonly options: TelegramBulkOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.pause = new BotPause(kv, this.clock);
  }

  async pace(call: BulkCall): Promise<void> {
    const chat = call.recipients[0]!.channelUserId;
    // Waits out a bot-wide pause too (pause.ts closes the bot's windows).
    await takeRateSlot(
      this.kv,
      [
        this.botRule(),
        telegramChatRule(
          chat,
          TELEGRAM_LIMITS.perChatBurst,
          this.options.perChatIntervalMs ?? TELEGRAM_LIMITS.perChatIntervalMs,
        ),
      ],
      this.clock,
    );
    this.slotWindow.set(call, this.window());
  }

  /**
   * The bot's count a second, less 1 % (a call whose slot was taken just before a window ended
   * may still reach Telegram a moment after it, in the next window) and less the conversations'
   * share: broadcasts take the window only up to there, conversations up to the whole.
   */
  private botRule() {
    const { perSecond, conversationShare = 0 } = this.options;
    const max = Math.max(1, perSecond - Math.floor(perSecond / 100) - conversationShare);
    return { key: TELEGRAM_BOT_RATE_KEY, max, windowMs: BOT_WINDOW_MS };
  }

  private window(): number {
    return Math.floor(this.clock.now() / BOT_WINDOW_MS);
  }

  /**
   * The worker records its intent between pace() and send(). When that outlasted the window the
   * call's slot was counted in, or leaves too little of it for the request to arrive in time,
   * the call would land in the next window, over Telegram's count there: it takes a slot in
   * that window instead (the bot's rule only: the chat's was spent on this call already).
   */
  private async withinItsWindow(call: BulkCall): Promise<void> {
    const counted = this.slotWindow.get(call);
    this.slotWindow.delete(call);
    const now = this.clock.now();
    const window = Math.floor(now / BOT_WINDOW_MS);
    const left = (window + 1) * BOT_WINDOW_MS - now;
    if (counted === window && left > ARRIVAL_MS) return;
    if (left <= ARRIVAL_MS) await waitOn(this.clock, left);
    await takeRateSlot(this.kv, [this.botRule()], this.clock);
  }

  async send(call: BulkCall): Promise<Outcome[]> {
    const recipient = call.recipients[0]!;
    const one = (result: DeliveryResult, reason?: string): Outcome[] => [
      { id: recipient.id, result, ...(reason ? { reason } : {}) },
    ];
    // A 429 may have come between pace() and now (the worker records its intent in between):
    // nothing is sent, and the worker puts the recipient back.
    const pausedUntil = await this.pause.until();
    if (pausedUntil) {
      throw new DeliveryError('telegram bot paused', { retryAfterMs: pausedUntil - this.clock.now() });
    }
    await this.withinItsWindow(call);
    try {
      await this.telegram.call('sendMessage', {
        chat_id: recipient.channelUserId,
        // Plain text: a hospital's notice is not Telegram markup.
        text: Array.from(call.text).slice(0, TEXT_MAX).join(''),
        ...(this.options.perSecond > FREE_BROADCAST_RATE ? { allow_paid_broadcast: true } : {}),
      });
      return one('sent');
    } catch (error) {
      if (!(error instanceof TelegramApiError)) throw error;
      // Sent and unanswered: Telegram may have shown it, and a second try could be a second copy.
      if (error.maybeDelivered) return one('sent', 'unconfirmed');
      if (error.code === 429) {
        const retryAfterMs = (error.retryAfterSeconds ?? 1) * 1000;
        await this.pause.record(retryAfterMs);
        throw new DeliveryError('telegram rate limit', { retryAfterMs });
      }
      // "Forbidden: bot was blocked by the user": counted apart, and never tried again.
      if (error.code === 403 && /blocked/i.test(error.message)) return one('blocked');
      // Chat not found, user deactivated, a message Telegram will never take: final.
      if (error.code >= 400 && error.code < 500) return one('failed', reasonOf(error));
      throw new DeliveryError(error.message);
    }
  }
}

/** Telegram's description (no patient text is in it), without our "telegram NNN:" prefix. */
function reasonOf(error: TelegramApiError): string {
  return error.message.replace(/^telegram /, '').slice(0, 200);
}
