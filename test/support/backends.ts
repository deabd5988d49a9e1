// Which real services the suites may use. Unset: only the embedded twins run; .ci/run sets
// both so every contract suite also runs against the real PostgreSQL and Redis.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

export const testRedisUrl = process.env.TEST_REDIS_URL || undefined;
export const testDatabaseUrl = process.env.TEST_DATABASE_URL || undefined;

/** A key prefix unique to this test run, so runs never see each other's keys. */
export function uniquePrefix(label: string): string {
  return `fd-test-${label}-${randomUUID().slice(0, 8)}:`;
}

/** Deletes every Redis key under `prefix` (cleanup after a suite). */
export async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true });
  await redis.connect();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}
