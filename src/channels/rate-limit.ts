// Fixed-window rate limits shared by every instance through the key-value store: a send waits
// for a free slot rather than being refused by the platform.
import { setTimeout as sleep } from 'node:timers/promises';
import type { KeyValueStore } from '../storage/kv/key-value-store.ts';

export interface RateRule {
  /** What is limited, e.g. "telegram" or "telegram-chat:{123}". */
  key: string;
  max: number;
  windowMs: number;
}

/** Waits until every rule has room, then counts one use of each. */
export async function takeRateSlot(kv: KeyValueStore, rules: RateRule[]): Promise<void> {
  await Promise.all(
    rules.map(async (rule) => {
      for (;;) {
        const now = Date.now();
        const window = Math.floor(now / rule.windowMs);
        const used = await kv.increment(`rate:${rule.key}:${window}`, 1, { ttlMs: rule.windowMs * 2 });
        if (used <= rule.max) return;
        await sleep((window + 1) * rule.windowMs - now + Math.random() * 20);
      }
    }),
  );
}
