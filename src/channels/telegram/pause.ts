// "A 429's retry_after pauses the whole bot": Telegram blocks every call of a bot that went over
// its limit, whichever chat the next call is for. So a 429 seen by any sender on any instance
// (a conversation's answer or a broadcast) is written here, and every Telegram send waits it
// out before calling rather than earning another 429.
import { systemClock, type TimerClock } from '../../clock.ts';
import type { KeyValueStore } from '../../storage/kv/key-value-store.ts';
import { waitOn } from '../rate-limit.ts';

/** The epoch ms until which the bot must not call Telegram (same hash tag as its rate keys). */
export const BOT_PAUSE_KEY = '{telegram}:paused-until';

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
  }

  /** When the current pause ends (epoch ms); 0 when the bot is not paused. */
  async until(): Promise<number> {
    const until = Number((await this.kv.get(BOT_PAUSE_KEY)) ?? 0);
    return until > this.clock.now() ? until : 0;
  }

  /** Resolves once the bot is not paused (at once when it is not). */
  async wait(): Promise<void> {
    for (let until = await this.until(); until; until = await this.until()) {
      await waitOn(this.clock, until - this.clock.now());
    }
  }
}
