// Shared fixed-window rate limits (Telegram: per bot and per chat), on the memory store.
import { describe, expect, it } from 'vitest';
import { takeRateSlot, type RateRule } from '../../src/channels/rate-limit.ts';
import { MemoryStore } from '../../src/storage/kv/memory-store.ts';

const HOUR = 60 * 60 * 1000;

describe('takeRateSlot', () => {
  it('lets a burst through at once and makes the next send wait for the following window', async () => {
    const kv = new MemoryStore();
    const rules: RateRule[] = [{ key: '{t}:chat:1', max: 2, windowMs: 1_000 }];
    // Start just after a window opens, so the burst fits in one window (windows of a second
    // leave room for a busy machine).
    await new Promise((resolve) => setTimeout(resolve, 1_000 - (Date.now() % 1_000) + 5));
    const started = Date.now();
    await takeRateSlot(kv, rules);
    await takeRateSlot(kv, rules);
    expect(Date.now() - started).toBeLessThan(500);
    await takeRateSlot(kv, rules);
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(990 - 5);
    expect(waited).toBeLessThan(2_000);
  });

  it('uses no slot of the other rules while a send waits', async () => {
    const kv = new MemoryStore();
    const bot: RateRule = { key: '{t}:bot', max: 30, windowMs: HOUR };
    const chat: RateRule = { key: '{t}:chat:2', max: 1, windowMs: 1_000 };
    const botCount = async () => kv.get(`rate:{t}:bot:${Math.floor(Date.now() / HOUR)}`);
    await new Promise((resolve) => setTimeout(resolve, 1_000 - (Date.now() % 1_000) + 5));
    await takeRateSlot(kv, [bot, chat]);
    const waiting = takeRateSlot(kv, [bot, chat]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await botCount()).toBe('1');
    await waiting;
    expect(await botCount()).toBe('2');
  });

  it('holds every chat to the bot-wide limit', async () => {
    const kv = new MemoryStore();
    const bot: RateRule = { key: '{t}:bot', max: 3, windowMs: 1_000 };
    await new Promise((resolve) => setTimeout(resolve, 1_000 - (Date.now() % 1_000) + 5));
    const started = Date.now();
    const chats = [1, 2, 3, 4].map((chat) => ({ key: `{t}:chat:${chat}`, max: 3, windowMs: 3_000 }));
    const done: number[] = [];
    await Promise.all(
      chats.map(async (chat, index) => {
        await takeRateSlot(kv, [bot, chat]);
        done[index] = Date.now() - started;
      }),
    );
    expect(done.filter((ms) => ms < 500)).toHaveLength(3);
    expect(done.filter((ms) => ms >= 990 - 5)).toHaveLength(1);
  });
});
