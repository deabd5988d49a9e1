// "A 429's retry_after pauses the whole bot": Telegram blocks every call of a bot that went over
// its limit, whichever chat the next call is for. So a 429 seen by any sender on any instance
// (a conversation's answer or a broadcast) is recorded here, and every Telegram send waits it
// out before calling rather than earning another 429: the bot-wide rate windows until the end
// of the pause are closed (so the slot every send takes first waits, and sends cost no extra
// store read while nothing is paused), and the pause's end is kept for what asks (a broadcast
// call about to be made after its intent was recorded).
import { systemClock, type TimerClock } from '../../clock.ts';
import type { KeyValueStore } from '../../storage/kv/key-value-store.ts';
import { closeRateWindows } from '../rate-limit.ts';

/** The epoch ms until which the bot must not call Telegram (same hash tag as its rate keys). */
export const BOT_PAUSE_KEY = '{telegram}:paused-until';
/** The bot-wide rate key every Telegram send shares (conversations and broadcasts). */
export const TELEGRAM_BOT_RATE_KEY = '{telegram}:bot';
/** The bot-wide windows' length. */
export const BOT_WINDOW_MS = 1_000;

export class BotPause {
  constructor(
    private readonly kv: KeyValueStore,
    private readonly clock: TimerClock = systemClock,
  ) {}

  /** Records Telegram's `retry_after`; a longer pause already recorded stays. */
  async record(retryAfterMs: number): Promise<void> {
    const until = this.clock.now() + retryAfterMs;
    if (until <= (await this.until())) return;
    await this.kv.set(BOT_PAUSE_KEY, String(until), { ttlMs: Math.max(1, retryAfterMs) });
    await closeRateWindows(
      this.kv,
      { key: TELEGRAM_BOT_RATE_KEY, windowMs: BOT_WINDOW_MS },
      until,
      this.clock,
    );
  }

  /** When the current pause ends (epoch ms); 0 when the bot is not paused. */
  async until(): Promise<number> {
    const until = Number((await this.kv.get(BOT_PAUSE_KEY)) ?? 0);
    return until > this.clock.now() ? until : 0;
  }
}
