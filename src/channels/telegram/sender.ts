// Sends batches to Telegram through telegraf's API client, within Telegram's limits: about 30
// messages a second per bot and, on average, one a second per chat (short bursts of up to
// three are tolerated by Telegram and keep a multi-part answer readable). A 429 pauses every
// call of the bot, broadcasts included (pause.ts).
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { systemClock, type TimerClock } from '../../clock.ts';
import type { KeyValueStore } from '../../storage/kv/key-value-store.ts';
import { DeliveryError, type ChannelSender, type OutboundBatch } from '../../conversation/outbox.ts';
import { takeRateSlot } from '../rate-limit.ts';
import { TelegramApiError, type BotApi } from './bot-api.ts';
import { pressToAnswer } from './context.ts';
import { BOT_WINDOW_MS, BotPause, TELEGRAM_BOT_RATE_KEY } from './pause.ts';
import { renderTelegram } from './render.ts';

/** Telegram's documented limits: ~30 messages/s per bot, ~1 message/s per chat on average. */
export const TELEGRAM_LIMITS = { perBotPerSecond: 30, perChatBurst: 3, perChatIntervalMs: 1_000 };

export interface TelegramPacing {
  /** TELEGRAM_MAX_PER_SECOND. */
  perBotPerSecond?: number;
  /** Messages one chat may get in a row before the pacing holds the next back. */
  perChatBurst?: number;
  /** Average time between two messages to one chat (tests shorten it). */
  perChatIntervalMs?: number;
  /** Whose time the windows and pauses follow: Telegram's (the wall clock), or a test's. */
  clock?: TimerClock;
}

/** The per-chat rule: at most `perChatBurst` in a row, then about one per interval. */
export const telegramChatRule = (chatId: string, burst: number, intervalMs: number) => ({
  key: `{telegram}:chat:${chatId}`,
  max: burst,
  windowMs: burst * intervalMs,
});

export class TelegramSender implements ChannelSender {
  private readonly pacing: Required<Omit<TelegramPacing, 'clock'>>;
  private readonly clock: TimerClock;
  private readonly pause: BotPause;
  private readonly unanswered: Counter | undefined;

  constructor(
    private readonly telegram: BotApi,
    private readonly kv: KeyValueStore,
    pacing: TelegramPacing,
    private readonly logger: Logger,
    /** Where the count of sends Telegram left unanswered is reported (GET /metrics). */
    metrics?: Registry,
  ) {
    this.unanswered = metrics
      ? new Counter({
          name: 'frontdoor_telegram_unanswered_sends_total',
          help: 'Telegram sends that got no answer in time and were counted as sent, not resent',
          registers: [metrics],
        })
      : undefined;
    this.clock = pacing.clock ?? systemClock;
    this.pause = new BotPause(kv, this.clock);
    this.pacing = {
      perBotPerSecond: pacing.perBotPerSecond ?? TELEGRAM_LIMITS.perBotPerSecond,
      perChatBurst: pacing.perChatBurst ?? TELEGRAM_LIMITS.perChatBurst,
      perChatIntervalMs: pacing.perChatIntervalMs ?? TELEGRAM_LIMITS.perChatIntervalMs,
    };
  }

  async deliver(
    batch: OutboundBatch,
    alreadySent: number,
    markSent: (count: number) => Promise<void>,
  ): Promise<void> {
    const press = pressToAnswer(batch.channelContext);
    if (press && alreadySent === 0) await this.answerButton(press);
    for (let index = alreadySent; index < batch.messages.length; index += 1) {
      const call = renderTelegram(batch.channelUserId, batch.messages[index]!);
      const { perBotPerSecond, perChatBurst, perChatIntervalMs } = this.pacing;
      // Waits out a bot-wide pause too (pause.ts closes the bot's windows).
      await takeRateSlot(
        this.kv,
        [
          { key: TELEGRAM_BOT_RATE_KEY, max: perBotPerSecond, windowMs: BOT_WINDOW_MS },
          telegramChatRule(batch.channelUserId, perChatBurst, perChatIntervalMs),
        ],
        this.clock,
      );
      const answered = await this.call(call.method, call.payload);
      if (!answered) {
        // Counted as sent so no second copy can follow; said loudly so an operator sees how
        // often Telegram leaves a reply unanswered (ids only: the text may be health data).
        this.logger.warn(
          { channel: 'telegram', seq: batch.seq, message: index },
          'telegram gave no answer in time: message counted as sent, not resent',
        );
        this.unanswered?.inc();
      }
      await markSent(index + 1);
    }
  }

  private async answerButton(callbackQueryId: string): Promise<void> {
    try {
      await this.telegram.call('answerCallbackQuery', { callback_query_id: callbackQueryId });
    } catch {
      // Telegram refuses answers to presses older than ~15 minutes; the messages still matter.
    }
  }

  /** False when Telegram gave no answer in time (it may have delivered the message). */
  private async call(
    method: 'sendMessage' | 'sendPhoto',
    payload: Record<string, unknown>,
  ): Promise<boolean> {
    try {
      await this.telegram.call(method, payload);
      return true;
    } catch (error) {
      if (!(error instanceof TelegramApiError)) throw error;
      // No answer in time is not a refusal: Telegram may have delivered it, and a resend would
      // be a second copy. It counts as sent (at most once); see README "Nothing decided is lost".
      if (error.maybeDelivered) return false;
      if (error.code === 429) {
        await this.pause.record((error.retryAfterSeconds ?? 1) * 1000);
        throw new DeliveryError('telegram rate limit', {
          retryAfterMs: (error.retryAfterSeconds ?? 1) * 1000,
        });
      }
      if (error.code === 403 || error.code === 400) {
        // Blocked by the user, chat gone, or a request Telegram will never accept.
        throw new DeliveryError(`telegram refused: ${error.code}`, { permanent: true });
      }
      throw new DeliveryError(error.message);
    }
  }
}
