// Shared fixed-window rate limits (Telegram: per bot and per chat), on the memory store. Time is
// a ManualClock: a send that must wait sets a timer on it, and runs on only when time is moved.
import { describe, expect, it } from 'vitest';
import { closeRateWindows, takeRateSlot, type RateRule } from '../../src/channels/rate-limit.ts';
import { ManualClock } from '../../src/clock.ts';
import { MemoryStore } from '../../src/storage/kv/memory-store.ts';

const HOUR = 60 * 60 * 1000;
/** A window boundary (whole hours and seconds), so a burst starts a fresh window. */
const START = Date.UTC(2026, 0, 1, 9);
/** The most a waiting send adds to the window's end, so instances do not retry at once. */
const SPREAD = 20;

/** Lets pending promise callbacks and store calls run (no time passes on the clock). */
async function settle(): Promise<void> {
  for (let turn = 0; turn < 20; turn += 1) await new Promise((resolve) => setImmediate(resolve));
}

/** Starts a take and tells when (on the clock) it got its slot. */
function take(kv: MemoryStore, rules: RateRule[], clock: ManualClock): { doneAt?: number } {
  const state: { doneAt?: number } = {};
  void takeRateSlot(kv, rules, clock).then(() => {
    state.doneAt = clock.now();
  });
  return state;
}

const setUp = () => {
  const clock = new ManualClock(START);
  return { clock, kv: new MemoryStore(clock) };
};

describe('takeRateSlot', () => {
  it('lets a burst through at once and makes the next send wait for the following window', async () => {
    const { clock, kv } = setUp();
    const rules: RateRule[] = [{ key: '{t}:chat:1', max: 2, windowMs: 1_000 }];
    const burst = [take(kv, rules, clock), take(kv, rules, clock)];
    await settle();
    expect(burst.map((send) => send.doneAt)).toEqual([START, START]);
    const third = take(kv, rules, clock);
    await settle();
    expect(third.doneAt).toBeUndefined();
    expect(clock.pendingTimers).toBe(1);
    clock.advance(999);
    await settle();
    expect(third.doneAt).toBeUndefined();
    clock.advance(1 + SPREAD);
    await settle();
    expect(third.doneAt).toBe(START + 1_000 + SPREAD);
    expect(clock.pendingTimers).toBe(0);
  });

  it('uses no slot of the other rules while a send waits', async () => {
    const { clock, kv } = setUp();
    const bot: RateRule = { key: '{t}:bot', max: 30, windowMs: HOUR };
    const chat: RateRule = { key: '{t}:chat:2', max: 1, windowMs: 1_000 };
    const botCount = async () => kv.get(`rate:{t}:bot:${Math.floor(clock.now() / HOUR)}`);
    await takeRateSlot(kv, [bot, chat], clock);
    const waiting = take(kv, [bot, chat], clock);
    await settle();
    expect(waiting.doneAt).toBeUndefined();
    expect(await botCount()).toBe('1');
    clock.advance(1_000 + SPREAD);
    await settle();
    expect(waiting.doneAt).toBeDefined();
    expect(await botCount()).toBe('2');
  });

  it('holds every chat to the bot-wide limit', async () => {
    const { clock, kv } = setUp();
    const bot: RateRule = { key: '{t}:bot', max: 3, windowMs: 1_000 };
    const chats = [1, 2, 3, 4].map((chat) => ({ key: `{t}:chat:${chat}`, max: 3, windowMs: 3_000 }));
    const sends = chats.map((chat) => take(kv, [bot, chat], clock));
    await settle();
    expect(sends.filter((send) => send.doneAt === START)).toHaveLength(3);
    expect(sends.filter((send) => send.doneAt === undefined)).toHaveLength(1);
    clock.advance(1_000 + SPREAD);
    await settle();
    expect(sends.filter((send) => send.doneAt! >= START + 1_000)).toHaveLength(1);
  });

  it('goes on waiting, window after window, while each is full again', async () => {
    const { clock, kv } = setUp();
    const rule: RateRule = { key: '{t}:bot', max: 1, windowMs: 1_000 };
    await takeRateSlot(kv, [rule], clock);
    const second = take(kv, [rule], clock);
    const third = take(kv, [rule], clock);
    await settle();
    clock.advance(1_000 + SPREAD);
    await settle();
    // One of the two got the second window; the other waits for the third.
    expect([second.doneAt, third.doneAt].filter((at) => at !== undefined)).toHaveLength(1);
    clock.advance(1_000 + SPREAD);
    await settle();
    expect([second.doneAt, third.doneAt].sort()).toEqual([
      START + 1_000 + SPREAD,
      START + 2_000 + 2 * SPREAD,
    ]);
  });
});

describe('closeRateWindows', () => {
  it('keeps every rule of the key waiting until the pause is over, and only that key', async () => {
    const { clock, kv } = setUp();
    const bot: RateRule = { key: '{t}:bot', max: 1_000, windowMs: 1_000 };
    await closeRateWindows(kv, bot, START + 2_500, clock);
    const paused = take(kv, [bot], clock);
    const otherKey = take(kv, [{ key: '{t}:other', max: 1, windowMs: 1_000 }], clock);
    await settle();
    expect(otherKey.doneAt).toBe(START);
    clock.advance(2_000 + SPREAD);
    await settle();
    // The pause ends within the third window, which stays closed.
    expect(paused.doneAt).toBeUndefined();
    clock.advance(1_000 + SPREAD);
    await settle();
    expect(paused.doneAt).toBeGreaterThanOrEqual(START + 3_000);
  });
});
