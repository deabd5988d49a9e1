// Fixed-window rate limits shared by every instance through the key-value store: a send waits
// for a free slot rather than being refused by the platform. All rules of one call are checked
// and counted together, so a send that must wait uses no slot of any rule meanwhile.
import { systemClock, type TimerClock } from '../clock.ts';
import type { KeyValueStore } from '../storage/kv/key-value-store.ts';

export interface RateRule {
  /**
   * What is limited, e.g. "{telegram}:bot" or "{telegram}:chat:123". The rules of one call must
   * share a hash tag (one platform's limits: a bot sends tens of messages a second at most).
   */
  key: string;
  max: number;
  windowMs: number;
}

/** Waits `ms` on `clock` (a ManualClock's time, in tests). */
export const waitOn = (clock: TimerClock, ms: number): Promise<void> =>
  new Promise((resolve) => clock.after(ms, resolve));

const windowKey = (key: string, window: number) => `rate:${key}:${window}`;
/** A count no rule allows: a window set to it is closed. */
const CLOSED = 1e12;
/** Windows closed at a time, so a long pause does not queue thousands of writes at once. */
const CLOSE_CHUNK = 200;

/**
 * Closes every window of `key` from now until `untilMs`, for every rule of that key whatever its
 * `max` (a platform that asked the whole bot to wait): a send that needs the key waits in
 * takeRateSlot as for a full window, at no cost to sends while nothing is paused. A pause that
 * ends within a window keeps that window closed (up to one window longer than asked).
 */
export async function closeRateWindows(
  kv: KeyValueStore,
  rule: { key: string; windowMs: number },
  untilMs: number,
  clock: TimerClock = systemClock,
): Promise<void> {
  const now = clock.now();
  const first = Math.floor(now / rule.windowMs);
  const last = Math.floor((untilMs - 1) / rule.windowMs);
  const ttlMs = Math.max(0, untilMs - now) + rule.windowMs * 2;
  for (let start = first; start <= last; start += CLOSE_CHUNK) {
    const windows = Array.from({ length: Math.min(CLOSE_CHUNK, last - start + 1) }, (_, i) => start + i);
    await Promise.all(
      windows.map((window) => kv.set(windowKey(rule.key, window), String(CLOSED), { ttlMs })),
    );
  }
}

/**
 * Waits until every rule has room in its current window, then counts one use of each. The
 * windows follow `clock`: the platform's own time in production (the wall clock), a ManualClock
 * in tests.
 */
export async function takeRateSlot(
  kv: KeyValueStore,
  rules: RateRule[],
  clock: TimerClock = systemClock,
): Promise<void> {
  for (;;) {
    const at = clock.now();
    const full = await kv.takeSlots(
      rules.map((rule) => ({
        key: windowKey(rule.key, Math.floor(at / rule.windowMs)),
        max: rule.max,
        ttlMs: rule.windowMs * 2,
      })),
    );
    if (full === 0) return;
    const { windowMs } = rules[full - 1]!;
    // A little spread, so the instances that waited do not all ask at the same millisecond.
    await waitOn(clock, (Math.floor(at / windowMs) + 1) * windowMs - at + Math.random() * 20);
  }
}
