// Storage, key-value store and job queue of one instance: the real services when the settings
// name them, the embedded twins otherwise.
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { TimerClock } from '../clock.ts';
import type { Config } from '../config.ts';
import { BullmqQueue } from '../jobs/bullmq-queue.ts';
import { DurableTimers } from '../jobs/durable-timers.ts';
import { InProcessQueue } from '../jobs/in-process-queue.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { FieldCipher } from '../security/field-cipher.ts';
import { FIELD_ENCRYPTION_KEY, persistedSecret } from '../security/persisted-secret.ts';
import { openDatabase, type Database } from '../storage/database.ts';
import type { KeyValueStore } from '../storage/kv/key-value-store.ts';
import { MemoryStore } from '../storage/kv/memory-store.ts';
import { RedisStore } from '../storage/kv/redis-store.ts';

export interface Backends {
  database: Database;
  kv: KeyValueStore;
  jobs: JobQueue;
  /** Reminders, slot-hold and payment expiry, also kept in PostgreSQL (rebuilt at start). */
  timers: DurableTimers;
  cipher: FieldCipher;
}

/**
 * Opens the backends; each one opened is pushed on `opened` at once, so a failure later in the
 * start closes what was opened so far.
 */
export async function openBackends(
  config: Config,
  keyPrefix: string,
  clock: TimerClock,
  logger: Logger,
  opened: { close(): Promise<void> }[],
): Promise<Backends> {
  const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR });
  opened.push(database);
  const kv = config.REDIS_URL
    ? await connectRedisStore(config.REDIS_URL, keyPrefix, logger)
    : new MemoryStore(clock);
  opened.push(kv);
  const jobs: JobQueue = config.REDIS_URL
    ? new BullmqQueue(config.REDIS_URL, keyPrefix, logger)
    : new InProcessQueue(logger, clock);
  opened.push(jobs);
  const timers = new DurableTimers(jobs, database.prisma, clock, logger);
  const cipher = new FieldCipher(
    await persistedSecret(FIELD_ENCRYPTION_KEY, config.FIELD_ENCRYPTION_KEY, config.DATA_DIR),
    config.FIELD_DECRYPTION_KEYS,
  );
  if (kv instanceof MemoryStore && config.DATA_DIR)
    await kv.persistTo(join(config.DATA_DIR, 'key-value-snapshot'), cipher, (error) =>
      logger.error({ err: error }, 'could not write the key-value snapshot'),
    );
  return { database, kv, jobs, timers, cipher };
}

/**
 * Runs `restart` again whenever Redis lost its data: the periodic sweeps' next runs were queued
 * there too and must be scheduled again. Nothing to watch on the in-process store.
 */
export async function rescheduleOnDataLoss(
  kv: KeyValueStore,
  restart: () => Promise<void>,
  logger: Logger,
): Promise<void> {
  if (kv instanceof RedisStore) await kv.watchForDataLoss(restart, logger);
}

async function connectRedisStore(url: string, keyPrefix: string, logger: Logger): Promise<RedisStore> {
  try {
    return await RedisStore.connect(url, `${keyPrefix}:`, logger);
  } catch (error) {
    throw new Error(`cannot reach Redis at REDIS_URL: ${(error as Error).message}`);
  }
}
