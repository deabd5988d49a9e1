// Which real services the suites may use. Unset: only the embedded twins run; .ci/run sets
// both so every contract suite also runs against the real PostgreSQL and Redis.
import { randomUUID } from 'node:crypto';
import { deleteKeysWithPrefix } from '../../src/storage/kv/redis-store.ts';

export const testRedisUrl = process.env.TEST_REDIS_URL || undefined;
export const testDatabaseUrl = process.env.TEST_DATABASE_URL || undefined;

/** A key prefix unique to this test run, so runs never see each other's keys. */
export function uniquePrefix(label: string): string {
  return `fd-test-${label}-${randomUUID().slice(0, 8)}:`;
}

/** Deletes every Redis key under `prefix` (cleanup after a suite). */
export const deleteRedisKeys = deleteKeysWithPrefix;

/** Every value stored under the key prefixes, as text: to prove what is not in Redis. */
export async function redisDump(url: string, prefixes: string[]): Promise<string> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, { lazyConnect: true });
  await redis.connect();
  const parts: string[] = [];
  try {
    for (const prefix of prefixes) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        cursor = next;
        for (const key of keys) {
          const type = await redis.type(key);
          if (type === 'string') parts.push((await redis.get(key)) ?? '');
          else if (type === 'hash') parts.push(JSON.stringify(await redis.hgetall(key)));
          else if (type === 'list') parts.push(JSON.stringify(await redis.lrange(key, 0, -1)));
          else if (type === 'zset') parts.push(JSON.stringify(await redis.zrange(key, 0, -1)));
          else if (type === 'set') parts.push(JSON.stringify(await redis.smembers(key)));
          else if (type === 'stream') parts.push(JSON.stringify(await redis.xrange(key, '-', '+')));
        }
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
  return parts.join('\n');
}
