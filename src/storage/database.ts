// Opens the durable store: the configured PostgreSQL, or the embedded one when none is set.
// Migrations are applied before the application's own connection pool opens: by
// `prisma migrate deploy` on a configured PostgreSQL, in-process on the embedded one.
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.ts';
import { embeddedDataDir } from './embedded-data-dir.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { applyMigrations } from './migrate.ts';

/** The durable store as the rest of the application sees it. */
export interface Database {
  prisma: PrismaClient;
  /**
   * The pool Prisma runs on, for the few reads on the per-message path where Prisma's query
   * compilation would cost more than the query (see PrismaPatientDirectory.findByChannel).
   */
  pool: pg.Pool;
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
    : await startEmbeddedPostgres(options.dataDir ? embeddedDataDir(options.dataDir) : undefined);
  const url = options.url ?? embedded!.url;
  if (!embedded) await applyMigrations(url);
  const pool = connectPool(url, embedded ? 1 : 10);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    pool,
    embedded: Boolean(embedded),
    async ping() {
      await pool.query('SELECT 1');
    },
    async close() {
      await prisma.$disconnect();
      await pool.end();
      await embedded?.stop();
    },
  };
}

/** A pg pool; `size` 1 for PGlite, which is one session. */
export function connectPool(url: string, size: number): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: size,
    connectionTimeoutMillis: 5_000,
    // A dead database must turn /readyz red quickly rather than hang the probe.
    query_timeout: 10_000,
  });
  // An idle connection that drops (database restart) must not crash the process.
  pool.on('error', () => undefined);
  return pool;
}
