// Opens the durable store: the configured PostgreSQL, or the embedded one when none is set.
// Migrations are applied before the application's own connection pool opens.
import { join } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { applyMigrations } from './migrate.ts';

/** The durable store as the rest of the application sees it. */
export interface Database {
  prisma: PrismaClient;
  /** True when this process runs the embedded PGlite database. */
  embedded: boolean;
  /** Resolves when a trivial query succeeds; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** External PostgreSQL; undefined starts the embedded one. */
  url: string | undefined;
  /** Where the embedded database keeps its files; undefined keeps them in memory. */
  dataDir: string | undefined;
}

/** Starts (if embedded), migrates and connects to the database. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const embedded = options.url
    ? undefined
    : await startEmbeddedPostgres(options.dataDir ? join(options.dataDir, 'pgdata') : undefined);
  const url = options.url ?? embedded!.url;
  try {
    await applyMigrations(url);
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
  const prisma = connectPrisma(url, embedded ? 1 : 10);
  return {
    prisma,
    embedded: Boolean(embedded),
    async ping() {
      await prisma.$queryRaw`SELECT 1`;
    },
    async close() {
      await prisma.$disconnect();
      await embedded?.stop();
    },
  };
}

/** A Prisma client over the pg driver; `poolSize` 1 for PGlite, which is one session. */
export function connectPrisma(url: string, poolSize: number): PrismaClient {
  const adapter = new PrismaPg({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: 5_000,
    // A dead database must turn /readyz red quickly rather than hang the probe.
    query_timeout: 10_000,
  });
  return new PrismaClient({ adapter });
}
