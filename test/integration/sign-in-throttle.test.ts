// Sign-in that resists guessing: exponential back-off per account and per client address, in
// the key-value store every instance shares (Redis when the run has it), on the injected clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import {
  SignInThrottle,
  nextAttemptAt,
  type BackOffPolicy,
  type SignInThrottlePolicy,
} from '../../src/security/sign-in-throttle.ts';
import type { KeyValueStore } from '../../src/storage/kv/key-value-store.ts';
import { MemoryStore } from '../../src/storage/kv/memory-store.ts';
import { RedisStore } from '../../src/storage/kv/redis-store.ts';
import { deleteRedisKeys, testRedisUrl, uniquePrefix } from '../support/backends.ts';

const POLICY: BackOffPolicy = { freeFailures: 3, maxWaitMs: 60_000 };
const THROTTLE: SignInThrottlePolicy = { accountFreeFailures: 3, addressFreeFailures: 5, maxWaitMs: 60_000 };

describe('nextAttemptAt', () => {
  it('lets the first failures through, then doubles the wait up to the cap', () => {
    const at = (failures: number) =>
      nextAttemptAt({ failures, lastFailureAt: 1_000_000 }, POLICY) - 1_000_000;
    expect(nextAttemptAt(undefined, POLICY)).toBe(0);
    expect(nextAttemptAt({ failures: 2, lastFailureAt: 1_000_000 }, POLICY)).toBe(0);
    expect([3, 4, 5, 6, 8].map(at)).toEqual([1000, 2000, 4000, 8000, 32_000]);
    expect(at(9)).toBe(60_000);
    expect(at(500)).toBe(60_000);
  });
});

const backends: { name: string; open(): Promise<KeyValueStore[]>; cleanup(): Promise<void> }[] = [
  {
    name: 'memory',
    open: async () => {
      const store = new MemoryStore(new ManualClock());
      return [store, store];
    },
    cleanup: async () => {},
  },
];
if (testRedisUrl) {
  const url = testRedisUrl;
  const prefix = uniquePrefix('throttle');
  backends.push({
    name: 'redis',
    // Two connections, as two instances behind a load balancer would have.
    open: async () => [await RedisStore.connect(url, prefix), await RedisStore.connect(url, prefix)],
    cleanup: () => deleteRedisKeys(url, prefix),
  });
}

describe.each(backends)('SignInThrottle [$name]', (backend) => {
  let stores: KeyValueStore[];
  const clock = new ManualClock();
  let throttle: SignInThrottle;
  let otherInstance: SignInThrottle;
  let checked = 0;
  const wrong = async () => {
    checked += 1;
    return { ok: false };
  };
  const right = async () => {
    checked += 1;
    return { ok: true };
  };

  beforeAll(async () => {
    stores = await backend.open();
    throttle = new SignInThrottle(stores[0]!, clock, THROTTLE);
    otherInstance = new SignInThrottle(stores[1]!, clock, THROTTLE);
  });
  afterAll(async () => {
    for (const store of new Set(stores)) await store.close();
    await backend.cleanup();
  });

  it('after the allowed failures makes each attempt wait 2^k s, right password or wrong, and a success after the wait clears it', async () => {
    const who = { account: 'hoa@h.test', address: '198.51.100.1' };
    for (let i = 0; i < 3; i++)
      expect(await throttle.attempt(who, wrong)).toMatchObject({ throttled: false });
    checked = 0;
    // The right password is not even looked at while waiting: no oracle. Only a wait's first
    // refusal is marked for the audit.
    expect(await throttle.attempt(who, right)).toEqual({
      throttled: true,
      retryAfterMs: 1000,
      by: 'account',
      firstOfWait: true,
    });
    expect(await throttle.attempt(who, wrong)).toEqual({
      throttled: true,
      retryAfterMs: 1000,
      by: 'account',
      firstOfWait: false,
    });
    expect(checked).toBe(0);
    clock.advance(1000);
    expect(await throttle.attempt(who, wrong)).toMatchObject({ throttled: false });
    // The other instance sees the same count: the next wait is 2 s.
    expect(await otherInstance.attempt(who, right)).toEqual({
      throttled: true,
      retryAfterMs: 2000,
      by: 'account',
      firstOfWait: true,
    });
    clock.advance(1500);
    expect(await otherInstance.attempt(who, right)).toMatchObject({ retryAfterMs: 500 });
    clock.advance(500);
    expect(await otherInstance.attempt(who, right)).toEqual({ throttled: false, result: { ok: true } });
    // Cleared: failures are free again.
    expect(await throttle.attempt(who, wrong)).toMatchObject({ throttled: false });
    expect(await throttle.attempt(who, wrong)).toMatchObject({ throttled: false });
  });

  it('throttles one client address guessing across many accounts (after more failures than an account), and no other address', async () => {
    const address = '203.0.113.50';
    for (const account of ['a@h.test', 'b@h.test', 'c@h.test', 'd@h.test', 'e@h.test'])
      expect(await throttle.attempt({ account, address }, wrong)).toMatchObject({ throttled: false });
    expect(await throttle.attempt({ account: 'f@h.test', address }, right)).toEqual({
      throttled: true,
      retryAfterMs: 1000,
      by: 'address',
      firstOfWait: true,
    });
    expect(await throttle.attempt({ account: 'f@h.test', address: '203.0.113.51' }, right)).toMatchObject({
      throttled: false,
    });
  });

  it('lets one attempt per account through at a time, so a parallel burst is not a way around the count', async () => {
    checked = 0;
    const attempts = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        throttle.attempt({ account: 'burst@h.test', address: `192.0.2.${i}` }, wrong),
      ),
    );
    const through = attempts.filter((attempt) => !attempt.throttled).length;
    expect(through).toBe(checked);
    expect(through).toBeLessThanOrEqual(3);
    expect(
      attempts.filter((attempt) => attempt.throttled).every((a) => a.throttled && a.by === 'account'),
    ).toBe(true);
  });

  it('never waits longer than the cap, however many failures', async () => {
    const who = { account: 'capped@h.test', address: '198.51.100.9' };
    for (let i = 0; i < 12; i++) {
      const attempt = await throttle.attempt(who, wrong);
      if (attempt.throttled) {
        expect(attempt.retryAfterMs).toBeLessThanOrEqual(60_000);
        clock.advance(attempt.retryAfterMs);
        i--;
      }
    }
    expect(await throttle.attempt(who, right)).toEqual({
      throttled: true,
      retryAfterMs: 60_000,
      by: 'account',
      firstOfWait: true,
    });
  });
});
