// Applies the committed migrations with `prisma migrate deploy`. It runs as a child process
// and must be awaited asynchronously: with the embedded database the socket server lives in
// this process, so blocking the event loop would deadlock the migration.
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const prismaCli = createRequire(import.meta.url).resolve('prisma/build/index.js');

/** Names of the committed migrations, oldest first. */
async function committedMigrations(): Promise<string[]> {
  const entries = await readdir(join(projectRoot, 'prisma', 'migrations'), { withFileTypes: true });
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
