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
