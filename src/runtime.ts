// Composition of one Frontdoor instance: storage, key-value store, job queue and HTTP server,
// chosen from the settings (real services when configured, embedded twins otherwise).
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { BullmqQueue } from './jobs/bullmq-queue.ts';
import { InProcessQueue } from './jobs/in-process-queue.ts';
import type { JobQueue } from './jobs/job-queue.ts';
import { createLogger } from './logging.ts';
import { buildServer } from './server/app.ts';
import type { ReadinessCheck } from './server/health.ts';
import { createMetricsRegistry } from './server/metrics.ts';
import { openDatabase, type Database } from './storage/database.ts';
import type { KeyValueStore } from './storage/kv/key-value-store.ts';
import { MemoryStore } from './storage/kv/memory-store.ts';
import { RedisStore } from './storage/kv/redis-store.ts';

/** A running instance and how to stop it. */
export interface Frontdoor {
  app: FastifyInstance;
  /** Base URL this instance listens on. */
  url: string;
  database: Database;
  kv: KeyValueStore;
  jobs: JobQueue;
  logger: Logger;
  /** Stops taking requests, drains jobs and closes every connection. */
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** Namespace for Redis keys and queues; tests use a unique one per run. */
  keyPrefix?: string;
  /** Listen on this port instead of config.PORT (tests use 0). */
  port?: number;
}

/** Starts one instance from validated settings. */
export async function startFrontdoor(config: Config, options: StartOptions = {}): Promise<Frontdoor> {
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const keyPrefix = options.keyPrefix ?? 'fd';
  const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR });
  const opened: { close(): Promise<void> }[] = [database];
  try {
    const kv = config.REDIS_URL
      ? await connectRedisStore(config.REDIS_URL, keyPrefix, logger)
      : new MemoryStore();
    opened.push(kv);
    const jobs: JobQueue = config.REDIS_URL
      ? new BullmqQueue(config.REDIS_URL, keyPrefix, logger)
      : new InProcessQueue(logger);
    opened.push(jobs);

    const readiness: ReadinessCheck[] = [{ name: 'database', check: () => database.ping() }];
    if (kv.kind === 'redis') readiness.push({ name: 'redis', check: () => kv.ping() });

    const app = await buildServer({ logger, metrics: createMetricsRegistry(), readiness });
    await app.listen({ port: options.port ?? config.PORT, host: config.HOST });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;

    return {
      app,
      url: `http://127.0.0.1:${port}`,
      database,
      kv,
      jobs,
      logger,
      async close() {
        await app.close();
        await jobs.close();
        await kv.close();
        await database.close();
      },
    };
  } catch (error) {
    for (const resource of opened.reverse()) await resource.close().catch(() => undefined);
    throw error;
  }
}

async function connectRedisStore(url: string, keyPrefix: string, logger: Logger): Promise<RedisStore> {
  try {
    return await RedisStore.connect(url, `${keyPrefix}:`, logger);
  } catch (error) {
    throw new Error(`cannot reach Redis at REDIS_URL: ${(error as Error).message}`);
  }
}
