// One contract for every KeyValueStore implementation. Time to live is never slept through:
// the memory store's clock is a ManualClock the test moves; on Redis, whose clock cannot be
// moved, every key's remaining time to live is shortened by the time that passes instead.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import type { KeyValueStore } from '../../src/storage/kv/key-value-store.ts';
import { MemoryStore } from '../../src/storage/kv/memory-store.ts';
import { RedisStore } from '../../src/storage/kv/redis-store.ts';
import { deleteRedisKeys, testRedisUrl, uniquePrefix } from '../support/backends.ts';

interface Backend {
  name: string;
  open(): Promise<KeyValueStore>;
  /** Lets `ms` pass for every key's time to live. */
  elapse(ms: number): Promise<void>;
  cleanup(): Promise<void>;
}

function memory(): Backend {
  const clock = new ManualClock();
  return {
    name: 'memory',
    open: async () => new MemoryStore(clock),
    elapse: async (ms) => clock.advance(ms),
    cleanup: async () => {},
  };
}

function redis(redisUrl: string): Backend {
  const prefix = uniquePrefix('kv');
  const admin = new Redis(redisUrl, { lazyConnect: true });
  return {
    name: 'redis',
    open: () => RedisStore.connect(redisUrl, prefix),
    // What Redis does once `ms` of its time passed: a key with less left is gone (its expiry
    // is Redis's own), one with more has that much less left, one without a TTL stays.
    async elapse(ms) {
      if (admin.status === 'wait') await admin.connect();
      let cursor = '0';
      do {
        const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        cursor = next;
        for (const key of keys) {
          const left = await admin.pttl(key);
          if (left < 0) continue;
          if (left <= ms) await admin.del(key);
          else await admin.pexpire(key, left - ms);
        }
      } while (cursor !== '0');
    },
    async cleanup() {
      admin.disconnect();
      await deleteRedisKeys(redisUrl, prefix);
    },
  };
}

const backends: Backend[] = [memory()];
if (testRedisUrl) backends.push(redis(testRedisUrl));

describe.each(backends)('KeyValueStore contract [$name]', (backend) => {
  let store: KeyValueStore;
  beforeAll(async () => {
    store = await backend.open();
  });
  afterAll(async () => {
    await store.close();
    await backend.cleanup();
  });

  it('reads back what it wrote and reports absent keys as undefined', async () => {
    expect(await store.get('a')).toBeUndefined();
    await store.set('a', 'one');
    expect(await store.get('a')).toBe('one');
    await store.set('a', 'two');
    expect(await store.get('a')).toBe('two');
    expect(await store.delete('a')).toBe(true);
    expect(await store.delete('a')).toBe(false);
    expect(await store.get('a')).toBeUndefined();
  });

  it('expires keys after their time to live', async () => {
    await store.set('short', 'x', { ttlMs: 60_000 });
    const ttl = await store.ttl('short');
    expect(ttl).toBeGreaterThan(30_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(await store.ttl('never-set')).toBeUndefined();
    await backend.elapse(30_000);
    expect(await store.get('short')).toBe('x');
    await backend.elapse(30_000);
    expect(await store.get('short')).toBeUndefined();
  });

  it('setIfAbsent lets exactly one of many concurrent callers win', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.setIfAbsent('lock:{p1}', `holder-${i}`, { ttlMs: 5_000 })),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect(await store.get('lock:{p1}')).toBe(`holder-${winner}`);
  });

  it('setIfAbsent succeeds again once the earlier value expired', async () => {
    expect(await store.setIfAbsent('dedupe', '1', { ttlMs: 50 })).toBe(true);
    expect(await store.setIfAbsent('dedupe', '2', { ttlMs: 50 })).toBe(false);
    await backend.elapse(50);
    expect(await store.setIfAbsent('dedupe', '3')).toBe(true);
    expect(await store.get('dedupe')).toBe('3');
  });

  it('compareAndDelete releases a lock only for its holder', async () => {
    await store.set('lock:{p2}', 'token-a', { ttlMs: 5_000 });
    expect(await store.compareAndDelete('lock:{p2}', 'token-b')).toBe(false);
    expect(await store.get('lock:{p2}')).toBe('token-a');
    expect(await store.compareAndDelete('lock:{p2}', 'token-a')).toBe(true);
    expect(await store.get('lock:{p2}')).toBeUndefined();
    expect(await store.compareAndDelete('lock:{p2}', 'token-a')).toBe(false);
  });

  it('increments counters atomically and gives a new counter its window', async () => {
    const values = await Promise.all(
      Array.from({ length: 25 }, () => store.increment('count', 1, { ttlMs: 80 })),
    );
    expect(new Set(values).size).toBe(25);
    expect(Math.max(...values)).toBe(25);
    expect(await store.increment('count', 5, { ttlMs: 10_000 })).toBe(30);
    // A later increment must not extend the window the first one opened.
    expect(await store.ttl('count')).toBeLessThanOrEqual(80);
    await backend.elapse(80);
    expect(await store.increment('count', 1, { ttlMs: 80 })).toBe(1);
  });

  it('takes a use of several counters together, or of none when one is full', async () => {
    const bot = { key: 'rate:{t}:bot', max: 3, ttlMs: 5_000 };
    const chat = { key: 'rate:{t}:chat', max: 1, ttlMs: 400 };
    expect(await store.takeSlots([bot, chat])).toBe(0);
    expect(await store.takeSlots([bot, chat])).toBe(2);
    // The refused take used nothing of the counter that had room.
    expect(await store.get('rate:{t}:bot')).toBe('1');
    expect(await store.ttl('rate:{t}:chat')).toBeLessThanOrEqual(400);
    await backend.elapse(400);
    expect(await store.takeSlots([bot, chat])).toBe(0);
    expect(await store.takeSlots([bot])).toBe(0);
    expect(await store.takeSlots([bot, chat])).toBe(1);
    expect(await store.get('rate:{t}:bot')).toBe('3');
    expect(await store.ttl('rate:{t}:bot')).toBeGreaterThan(4_000);
  });

  it('keeps lists in order and reads any range of them', async () => {
    expect(await store.listPush('mbox:{p3}', 'first')).toBe(1);
    expect(await store.listPush('mbox:{p3}', 'second', { ttlMs: 5_000 })).toBe(2);
    expect(await store.listPush('mbox:{p3}', 'third')).toBe(3);
    expect(await store.listRange('mbox:{p3}', 0, -1)).toEqual(['first', 'second', 'third']);
    expect(await store.listRange('mbox:{p3}', 1, 1)).toEqual(['second']);
    expect(await store.listRange('mbox:{p3}', -2, -1)).toEqual(['second', 'third']);
    expect(await store.listRange('mbox:{p3}', 5, 9)).toEqual([]);
    expect(await store.listRange('absent', 0, -1)).toEqual([]);
    expect(await store.delete('mbox:{p3}')).toBe(true);
    expect(await store.listRange('mbox:{p3}', 0, -1)).toEqual([]);
  });

  it('expires lists after their time to live', async () => {
    await store.listPush('log:{p4}', 'a', { ttlMs: 60_000 });
    await backend.elapse(30_000);
    expect(await store.listRange('log:{p4}', 0, -1)).toEqual(['a']);
    await backend.elapse(30_000);
    expect(await store.listRange('log:{p4}', 0, -1)).toEqual([]);
  });

  it('expire gives a value or a list a new time to live, and reports an absent key', async () => {
    await store.set('retain:{p5}', 'x', { ttlMs: 60_000 });
    await store.listPush('retain-log:{p5}', 'a', { ttlMs: 60_000 });
    expect(await store.expire('retain:{p5}', 5_000)).toBe(true);
    expect(await store.expire('retain-log:{p5}', 5_000)).toBe(true);
    expect(await store.ttl('retain:{p5}')).toBeLessThanOrEqual(5_000);
    expect(await store.ttl('retain-log:{p5}')).toBeLessThanOrEqual(5_000);
    expect(await store.expire('retain-log:{p5}', 120_000)).toBe(true);
    expect(await store.ttl('retain-log:{p5}')).toBeGreaterThan(60_000);
    expect(await store.expire('never-set', 5_000)).toBe(false);
  });

  it('delivers published messages to subscribers until they stop', async () => {
    const received: string[] = [];
    const stop = await store.subscribe('chat:{s1}', (message) => received.push(message));
    const other: string[] = [];
    const stopOther = await store.subscribe('chat:{s2}', (message) => other.push(message));
    await store.publish('chat:{s1}', 'hello');
    await store.publish('chat:{s1}', 'again');
    await expect.poll(() => received).toEqual(['hello', 'again']);
    expect(other).toEqual([]);
    await stop();
    await store.publish('chat:{s1}', 'unheard');
    // Messages reach this process in the order they were published (one subscriber connection):
    // once the later one on the channel still heard has arrived, 'unheard' would have too.
    await store.publish('chat:{s2}', 'later');
    await expect.poll(() => other).toEqual(['later']);
    expect(received).toEqual(['hello', 'again']);
    await stopOther();
  });

  const box = (name: string) => ({ list: `inbox:{${name}}`, lock: `lock:{${name}}` });
  const claim = (token: string, read?: string) => ({ token, ttlMs: 5_000, read });

  it('mailbox: appends once per id, claims for one holder, and releases when empty', async () => {
    const p5 = box('p5');
    const push = (item: string, id?: string) =>
      store.mailboxPush(p5, item, { ttlMs: 5_000, onceKey: id && `seen:{p5}:${id}`, onceTtlMs: 5_000 });
    expect(await push('e1', 'u1')).toEqual({ queued: true });
    expect(await push('e1 again', 'u1')).toEqual({ queued: false });
    expect(await push('e2')).toEqual({ queued: true });
    expect(await store.mailboxClaim(p5, claim('A'))).toEqual({ status: 'item', item: 'e1' });
    expect(await store.mailboxClaim(p5, claim('B'))).toEqual({ status: 'busy' });
    expect(await store.mailboxNext(p5, 'B', 5_000, 'e1')).toEqual({ head: { status: 'lost' } });
    expect(await store.mailboxNext(p5, 'A', 5_000, 'e1')).toEqual({ head: { status: 'item', item: 'e2' } });
    // Finishing an item twice (a retried step) does not remove the next one.
    expect(await store.mailboxNext(p5, 'A', 5_000, 'e1')).toEqual({ head: { status: 'item', item: 'e2' } });
    expect(await store.mailboxNext(p5, 'A', 5_000, 'e2')).toEqual({ head: { status: 'empty' } });
    // Released with the last item: the next holder gets in at once.
    expect(await store.get('lock:{p5}')).toBeUndefined();
    expect(await store.mailboxClaim(p5, claim('C'))).toEqual({ status: 'empty' });
    expect(await store.get('lock:{p5}')).toBeUndefined();
  });

  it('mailbox: a push can claim a free mailbox and read a key with its head', async () => {
    const p7 = box('p7');
    await store.set('state:{p7}', 'saved');
    expect(await store.mailboxPush(p7, 'e1', { ttlMs: 5_000, claim: claim('A', 'state:{p7}') })).toEqual({
      queued: true,
      head: { status: 'item', item: 'e1', value: 'saved' },
    });
    // Held: a second push queues behind the holder and says so.
    expect(await store.mailboxPush(p7, 'e2', { ttlMs: 5_000, claim: claim('B', 'state:{p7}') })).toEqual({
      queued: true,
      head: { status: 'busy' },
    });
    // A claim reading a key that does not exist returns the head alone.
    await store.mailboxNext(p7, 'A', 5_000, 'e1');
    await store.mailboxNext(p7, 'A', 5_000, 'e2');
    expect(await store.mailboxClaim(p7, claim('C', 'absent:{p7}'))).toEqual({ status: 'empty' });
    await store.mailboxPush(p7, 'e3', { ttlMs: 5_000 });
    expect(await store.mailboxClaim(p7, claim('C', 'absent:{p7}'))).toEqual({ status: 'item', item: 'e3' });
  });

  it('mailbox: a claim of a mailbox with items left by a dead holder gets the oldest, not its own', async () => {
    const p10 = box('p10');
    const outbox = box('q10');
    await store.set('state:{p10}', 'saved');
    await store.mailboxPush(p10, 'left 1', { ttlMs: 5_000 });
    await store.mailboxPush(outbox, 'batch left', { ttlMs: 5_000 });
    expect(await store.mailboxPush(p10, 'e2', { ttlMs: 5_000, claim: claim('A', 'state:{p10}') })).toEqual({
      queued: true,
      head: { status: 'item', item: 'left 1', value: 'saved' },
    });
    expect(
      await store.mailboxNext(p10, 'A', 5_000, 'left 1', {
        forward: { box: outbox, item: 'batch 2', itemTtlMs: 5_000, claim: claim('X') },
      }),
    ).toEqual({ head: { status: 'item', item: 'e2' }, forwarded: { status: 'item', item: 'batch left' } });
    expect(await store.mailboxNext(outbox, 'X', 5_000, 'batch left')).toEqual({
      head: { status: 'item', item: 'batch 2' },
    });
    expect(await store.listRange('inbox:{p10}', 0, -1)).toEqual(['e2']);
  });

  it('mailbox: finishing an item stores its commit and forwards into another mailbox in one step', async () => {
    const inbox = box('p8');
    const outbox = { list: 'outbox:{p8}', lock: 'outbox-lock:{p8}' };
    await store.mailboxPush(inbox, 'e1', { ttlMs: 5_000 });
    await store.mailboxPush(inbox, 'e2', { ttlMs: 5_000 });
    await store.set('progress:{p8}', '3:1');
    expect(await store.mailboxClaim(inbox, claim('A'))).toEqual({ status: 'item', item: 'e1' });
    const forward = (item: string, token: string) => ({
      box: outbox,
      item,
      itemTtlMs: 5_000,
      claim: claim(token, 'progress:{p8}'),
    });
    expect(
      await store.mailboxNext(inbox, 'A', 5_000, 'e1', {
        set: { key: 'state:{p8}', value: 'after e1', ttlMs: 5_000 },
        forward: forward('batch 1', 'X'),
      }),
    ).toEqual({
      head: { status: 'item', item: 'e2' },
      forwarded: { status: 'item', item: 'batch 1', value: '3:1' },
    });
    expect(await store.get('state:{p8}')).toBe('after e1');
    expect(await store.ttl('state:{p8}')).toBeGreaterThan(4_000);
    // The outbox is held by X: the next forward queues behind it.
    expect(
      await store.mailboxNext(inbox, 'A', 5_000, 'e2', {
        set: { key: 'state:{p8}', value: 'after e2', ttlMs: 5_000 },
        forward: forward('batch 2', 'Y'),
      }),
    ).toEqual({ head: { status: 'empty' }, forwarded: { status: 'busy' } });
    expect(await store.listRange('outbox:{p8}', 0, -1)).toEqual(['batch 1', 'batch 2']);
    expect(await store.get('state:{p8}')).toBe('after e2');
    expect(await store.get('lock:{p8}')).toBeUndefined();
  });

  it('mailbox: a holder that lost its lock writes nothing', async () => {
    const p9 = box('p9');
    await store.mailboxPush(p9, 'e1', { ttlMs: 5_000 });
    expect((await store.mailboxClaim(p9, { token: 'slow', ttlMs: 60 })).status).toBe('item');
    await backend.elapse(60);
    expect((await store.mailboxClaim(p9, claim('fast'))).status).toBe('item');
    expect(
      await store.mailboxNext(p9, 'slow', 5_000, 'e1', {
        set: { key: 'state:{p9}', value: 'stale', ttlMs: 5_000 },
        forward: { box: box('q9'), item: 'stale batch', itemTtlMs: 5_000, claim: claim('S') },
      }),
    ).toEqual({ head: { status: 'lost' } });
    expect(await store.get('state:{p9}')).toBeUndefined();
    expect(await store.listRange('inbox:{q9}', 0, -1)).toEqual([]);
    expect(await store.listRange('inbox:{p9}', 0, -1)).toEqual(['e1']);
  });

  it('mailbox: a lock whose holder died frees itself after its time to live', async () => {
    const p6 = box('p6');
    await store.mailboxPush(p6, 'x', { ttlMs: 600_000 });
    expect((await store.mailboxClaim(p6, { token: 'dead', ttlMs: 60_000 })).status).toBe('item');
    await backend.elapse(30_000);
    expect(await store.mailboxClaim(p6, claim('alive'))).toEqual({ status: 'busy' });
    await backend.elapse(30_000);
    expect(await store.mailboxClaim(p6, claim('alive'))).toEqual({ status: 'item', item: 'x' });
  });

  it("scans keys by prefix, lists included, and reports a list's time to live", async () => {
    await store.set('scan:{a}', '1');
    await store.listPush('scan:{b}', 'item', { ttlMs: 5_000 });
    await store.set('scan*:{c}', '1');
    await store.set('other:{d}', '1');
    const found: string[] = [];
    for await (const page of store.scanKeys('scan:')) found.push(...page);
    expect(found.sort()).toEqual(['scan:{a}', 'scan:{b}']);
    expect(await store.ttl('scan:{b}')).toBeGreaterThan(4_000);
  });

  it('mailbox: a holder marks its progress and renews its lock in one step, and only while it holds it', async () => {
    const outbox = box('p11');
    await store.mailboxPush(outbox, 'batch', { ttlMs: 5_000 });
    await store.mailboxClaim(outbox, { token: 'A', ttlMs: 1_000 });
    const mark = { key: 'progress:{p11}', value: '4:1', ttlMs: 5_000 };
    expect(await store.mailboxMark(outbox, 'A', 5_000, mark)).toBe(true);
    expect(await store.get('progress:{p11}')).toBe('4:1');
    expect(await store.ttl(outbox.lock)).toBeGreaterThan(4_000);
    // Another holder's token writes nothing.
    expect(await store.mailboxMark(outbox, 'B', 5_000, { ...mark, value: '4:2' })).toBe(false);
    expect(await store.get('progress:{p11}')).toBe('4:1');
    await store.delete(outbox.lock);
    expect(await store.mailboxMark(outbox, 'A', 5_000, { ...mark, value: '4:2' })).toBe(false);
    expect(await store.get(outbox.lock)).toBeUndefined();
  });

  it('answers ping', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });
});

// The embedded default (no REDIS_URL) keeps conversations across a restart (issue 14).
describe('MemoryStore snapshot', () => {
  const sealer = {
    encrypt: (plain: string) => Buffer.from(plain).toString('base64'),
    decrypt: (sealed: string) => Buffer.from(sealed, 'base64').toString(),
  };

  it('a store reopened on the same file has the values, lists and expiries it had at close', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kv-snapshot-'));
    try {
      const file = join(dir, 'snapshot');
      let now = 1_000_000;
      const clock = { now: () => now };
      const first = new MemoryStore(clock);
      await first.persistTo(file, sealer);
      await first.set('conv:{web:s1}', 'mid-flow state', { ttlMs: 60_000 });
      await first.set('short', 'gone soon', { ttlMs: 1_000 });
      await first.listPush('weblog:{web:s1}', 'one');
      await first.listPush('weblog:{web:s1}', 'two', { ttlMs: 60_000 });
      await first.close();
      expect(await readFile(file, 'utf8')).not.toContain('mid-flow state');

      now += 2_000;
      const second = new MemoryStore(clock);
      await second.persistTo(file, sealer);
      expect(await second.get('conv:{web:s1}')).toBe('mid-flow state');
      expect(await second.ttl('conv:{web:s1}')).toBe(58_000);
      expect(await second.get('short')).toBeUndefined();
      expect(await second.listRange('weblog:{web:s1}', 0, -1)).toEqual(['one', 'two']);
      await second.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
