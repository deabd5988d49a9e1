// Applies the committed migrations. A configured PostgreSQL gets `prisma migrate deploy`, run as a
// child process and awaited asynchronously. The embedded PGlite database is migrated in-process
// by `migrateEmbedded`, which writes the same `_prisma_migrations` rows Prisma writes: starting
// Prisma's WebAssembly schema engine took most of a first start (~12 s of ~17 s).
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const prismaCli = createRequire(import.meta.url).resolve('prisma/build/index.js');
const migrationsDir = join(projectRoot, 'prisma', 'migrations');

/** Names of the committed migrations, oldest first. */
async function committedMigrations(): Promise<string[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/**
 * True when every committed migration is recorded as applied. Starting the migration engine
 * takes seconds, so a restart of an up-to-date instance checks first.
 */
async function upToDate(databaseUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ name: string }>(
      `SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    const applied = new Set(rows.map((row) => row.name));
    return (await committedMigrations()).every((name) => applied.has(name));
  } catch {
    // No migrations table yet, or the database is unreachable: let the migration tell.
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Brings the database at `databaseUrl` up to the newest committed migration. */
export async function applyMigrations(databaseUrl: string): Promise<void> {
  if (await upToDate(databaseUrl)) return;
  try {
    await promisify(execFile)(process.execPath, [prismaCli, 'migrate', 'deploy'], {
      cwd: projectRoot,
      env: { ...process.env, DATABASE_URL: databaseUrl, PRISMA_HIDE_UPDATE_MESSAGE: '1' },
      timeout: 120_000,
    });
  } catch (error) {
    const output = (error as { stderr?: string; stdout?: string }).stderr || (error as Error).message;
    const reason = output.split('\n').find((line) => /error/i.test(line)) ?? output.trim().split('\n').pop();
    throw new Error(`database migration failed: ${reason ?? 'unknown error'}`);
  }
}

// Prisma's own table, column for column, so `prisma migrate deploy` and `prisma migrate status`
// read what this wrote (and this reads what they wrote).
const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/** The checksum Prisma records: SHA-256 of the file's bytes, lower-case hex. */
export function migrationChecksum(script: Buffer | string): string {
  return createHash('sha256').update(script).digest('hex');
}

/**
 * Whether `recorded` is the checksum of `script` as Prisma accepts it: also with the line
 * endings converted either way (a checkout on Windows), and in the unpadded hex an early Prisma
 * version stored.
 */
function checksumMatches(script: Buffer, recorded: string): boolean {
  const text = script.toString('utf8');
  return [script, text.replaceAll('\r\n', '\n'), text.replace(/\r?\n/g, '\r\n')].some((variant) => {
    const digest = createHash('sha256').update(variant).digest();
    return (
      recorded === digest.toString('hex') ||
      recorded === Array.from(digest, (byte) => byte.toString(16)).join('')
    );
  });
}

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/**
 * Brings the embedded database up to the newest committed migration, in this process: each
 * migration and its `_prisma_migrations` row commit together, so a failed one leaves nothing
 * behind and the next start tries it again. Returns the names it applied. Refuses (throws) when an
 * applied migration's file has changed since, or when Prisma recorded one as failed.
 * The caller keeps other processes away (startEmbeddedPostgres locks the data directory).
 */
export async function migrateEmbedded(db: PGlite): Promise<string[]> {
  await db.exec(MIGRATIONS_TABLE);
  const { rows } = await db.query<MigrationRow>(
    `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL`,
  );
  const applied: string[] = [];
  for (const name of await committedMigrations()) {
    const script = await readFile(join(migrationsDir, name, 'migration.sql'));
    const recorded = rows.filter((row) => row.migration_name === name);
    const finished = recorded.find((row) => row.finished_at !== null);
    if (finished) {
      if (!checksumMatches(script, finished.checksum))
        throw new Error(
          `database migration failed: migration ${name} was changed after it was applied ` +
            `(recorded checksum ${finished.checksum}, file ${migrationChecksum(script)}); restore prisma/migrations/${name}/migration.sql`,
        );
      continue;
    }
    if (recorded.length > 0)
      throw new Error(
        `database migration failed: migration ${name} failed earlier and is recorded as unfinished; ` +
          'resolve it with `prisma migrate resolve` before starting',
      );
    await db
      .transaction(async (tx) => {
        await tx.exec(script.toString('utf8'));
        // now() is when the transaction began, before the script ran.
        await tx.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
           VALUES ($1, $2, $3, now(), clock_timestamp(), 1)`,
          [randomUUID(), migrationChecksum(script), name],
        );
      })
      .catch((error: unknown) => {
        throw new Error(`database migration failed: ${name}: ${(error as Error).message}`, { cause: error });
      });
    applied.push(name);
  }
  return applied;
}
