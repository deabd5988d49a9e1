// Applies the committed migrations with `prisma migrate deploy`. It runs as a child process
// and must be awaited asynchronously: with the embedded database the socket server lives in
// this process, so blocking the event loop would deadlock the migration.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const prismaCli = createRequire(import.meta.url).resolve('prisma/build/index.js');

/** Brings the database at `databaseUrl` up to the newest committed migration. */
export async function applyMigrations(databaseUrl: string): Promise<void> {
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
