// One contract for every KeyValueStore implementation.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyValueStore } from '../../src/storage/kv/key-value-store.ts';
import { MemoryStore } from '../../src/storage/kv/memory-store.ts';
import { RedisStore } from '../../src/storage/kv/redis-store.ts';
import { deleteRedisKeys, testRedisUrl, uniquePrefix } from '../support/backends.ts';

interface Backend {
  name: string;
  open(): Promise<KeyValueStore>;
  cleanup(): Promise<void>;
}

const backends: Backend[] = [
  { name: 'memory', open: async () => new MemoryStore(), cleanup: async () => {} },
];
if (testRedisUrl) {
  const redisUrl = testRedisUrl;
  const prefix = uniquePrefix('kv');
  backends.push({
    name: 'redis',
    open: () => RedisStore.connect(redisUrl, prefix),
    cleanup: () => deleteRedisKeys(redisUrl, prefix),
  });
}

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
    await store.set('short', 'x', { ttlMs: 60 });
    const ttl = await store.ttl('short');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);
    expect(await store.ttl('never-set')).toBeUndefined();
    await sleep(120);
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
    await sleep(100);
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
    await sleep(130);
    expect(await store.increment('count', 1, { ttlMs: 80 })).toBe(1);
  });

  it('keeps ordered sets sorted by score and ranges by score', async () => {
    await store.sortedAdd('queue:{cardio}', 30, 'c');
    await store.sortedAdd('queue:{cardio}', 10, 'a');
    await store.sortedAdd('queue:{cardio}', 20, 'b');
    await store.sortedAdd('queue:{cardio}', 5, 'b');
    expect(await store.sortedRange('queue:{cardio}', -Infinity, Infinity)).toEqual([
      { member: 'b', score: 5 },
      { member: 'a', score: 10 },
      { member: 'c', score: 30 },
    ]);
    expect((await store.sortedRange('queue:{cardio}', 6, 30)).map((e) => e.member)).toEqual(['a', 'c']);
    expect(await store.sortedRemove('queue:{cardio}', 'a')).toBe(true);
    expect(await store.sortedRemove('queue:{cardio}', 'a')).toBe(false);
    expect((await store.sortedRange('queue:{cardio}', -Infinity, Infinity)).map((e) => e.member)).toEqual([
      'b',
      'c',
    ]);
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
    await store.listPush('log:{p4}', 'a', { ttlMs: 60 });
    await sleep(120);
    expect(await store.listRange('log:{p4}', 0, -1)).toEqual([]);
  });

  it('delivers published messages to subscribers until they stop', async () => {
    const received: string[] = [];
    const stop = await store.subscribe('chat:{s1}', (message) => received.push(message));
    const other: string[] = [];
    const stopOther = await store.subscribe('chat:{s2}', (message) => other.push(message));
    await store.publish('chat:{s1}', 'hello');
    await store.publish('chat:{s1}', 'again');
    for (let i = 0; i < 50 && received.length < 2; i += 1) await sleep(10);
    expect(received).toEqual(['hello', 'again']);
    expect(other).toEqual([]);
    await stop();
    await store.publish('chat:{s1}', 'unheard');
    await sleep(50);
    expect(received).toEqual(['hello', 'again']);
    await stopOther();
  });

  it('mailbox: appends once per id, claims for one holder, and releases when empty', async () => {
    const push = (item: string, id?: string) =>
      store.mailboxPush('inbox:{p5}', item, {
        ttlMs: 5_000,
        onceKey: id && `seen:{p5}:${id}`,
        onceTtlMs: 5_000,
      });
    expect(await push('e1', 'u1')).toBe(true);
    expect(await push('e1 again', 'u1')).toBe(false);
    expect(await push('e2')).toBe(true);
    expect(await store.mailboxClaim('lock:{p5}', 'inbox:{p5}', 'A', 5_000)).toEqual({
      status: 'item',
      item: 'e1',
    });
    expect(await store.mailboxClaim('lock:{p5}', 'inbox:{p5}', 'B', 5_000)).toEqual({ status: 'busy' });
    expect(await store.mailboxNext('lock:{p5}', 'inbox:{p5}', 'B', 5_000, 'e1')).toEqual({ status: 'lost' });
    expect(await store.mailboxNext('lock:{p5}', 'inbox:{p5}', 'A', 5_000, 'e1')).toEqual({
      status: 'item',
      item: 'e2',
    });
    // Finishing an item twice (a retried step) does not remove the next one.
    expect(await store.mailboxNext('lock:{p5}', 'inbox:{p5}', 'A', 5_000, 'e1')).toEqual({
      status: 'item',
      item: 'e2',
    });
    expect(await store.mailboxNext('lock:{p5}', 'inbox:{p5}', 'A', 5_000, 'e2')).toEqual({ status: 'empty' });
    // Released with the last item: the next holder gets in at once.
    expect(await store.get('lock:{p5}')).toBeUndefined();
    expect(await store.mailboxClaim('lock:{p5}', 'inbox:{p5}', 'C', 5_000)).toEqual({ status: 'empty' });
    expect(await store.get('lock:{p5}')).toBeUndefined();
  });

  it('mailbox: a lock whose holder died frees itself after its time to live', async () => {
    await store.mailboxPush('inbox:{p6}', 'x', { ttlMs: 5_000 });
    expect((await store.mailboxClaim('lock:{p6}', 'inbox:{p6}', 'dead', 60)).status).toBe('item');
    await sleep(120);
    expect(await store.mailboxClaim('lock:{p6}', 'inbox:{p6}', 'alive', 5_000)).toEqual({
      status: 'item',
      item: 'x',
    });
  });

  it('answers ping', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });
});
