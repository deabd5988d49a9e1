// Embedded PostgreSQL for the no-services default: PGlite (Postgres compiled to WebAssembly)
// behind its wire-protocol socket server, so the ordinary pg driver and the Prisma adapter work
// unchanged. It is migrated in-process before the socket server opens.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as wait } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { migrateEmbedded } from './migrate.ts';

/** A running embedded PostgreSQL reachable at `url`. */
export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts PGlite on a free loopback port, migrated to the newest committed migration. `dataDir`
 * undefined keeps the data in memory (tests); otherwise it persists there between runs.
 */
export async function startEmbeddedPostgres(dataDir?: string): Promise<EmbeddedPostgres> {
  if (dataDir) await mkdir(dataDir, { recursive: true });
  // Held while the directory is created and migrated: a second process started at the same time
  // (a second `npm start`, `npm run staff:add`) waits, then finds nothing left to do.
  const unlock = dataDir ? await lockDataDir(dataDir) : undefined;
  let db: PGlite;
  try {
    if (dataDir && !existsSync(join(dataDir, 'PG_VERSION'))) await createDataDir(dataDir);
    db = await PGlite.create(dataDir, {
      // Postgres' default 128 MB of shared buffers is resident memory in WebAssembly; the
      // embedded database of one clinic fits in far less (~110 MB less RSS).
      postgresqlconf: ['shared_buffers = 16MB'],
    });
    try {
      await migrateEmbedded(db);
    } catch (error) {
      await db.close();
      throw error;
    }
  } finally {
    await unlock?.();
  }
  // PGlite is one Postgres session: a second connection would share its transaction state,
  // so the server admits one connection and callers size their pools to one.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
  await server.start();
  const address = server.getServerConn();
  return {
    url: `postgresql://postgres:postgres@${address}/postgres?sslmode=disable`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Runs initdb in a short-lived child process: PGlite's initdb grows its WebAssembly memory to
 * ~800 MB, which a process never gives back, so doing it here would leave the server that size.
 */
async function createDataDir(dataDir: string): Promise<void> {
  await promisify(execFile)(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "import { PGlite } from '@electric-sql/pglite'; const db = await PGlite.create(process.env.PGLITE_DATA_DIR); await db.close();",
    ],
    { cwd: projectRoot, env: { ...process.env, PGLITE_DATA_DIR: dataDir }, timeout: 120_000 },
  );
}

const LOCK_WAIT_MS = 180_000;
/** Locks this process holds, told apart from a dead holder that had the same pid. */
const heldHere = new Set<string>();

/**
 * Takes `<dataDir>.lock`, a file naming the holder's pid (created whole by a hard link, so it is
 * never seen empty), waiting while a live process holds it and breaking it when its holder died.
 * Returns the release.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lock = `${dataDir}.lock`;
  const mine = `${lock}.${process.pid}.${randomUUID()}`;
  await writeFile(mine, String(process.pid));
  const deadline = Date.now() + LOCK_WAIT_MS;
  try {
    for (;;) {
      try {
        await link(mine, lock);
        heldHere.add(lock);
        return async () => {
          heldHere.delete(lock);
          await rm(lock, { force: true });
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = await lockHolder(lock);
      if (holder === undefined) continue;
      // Our own pid not held here is a holder that died before us (in a container every start
      // has the same pid).
      if (holder === process.pid ? !heldHere.has(lock) : !processAlive(holder)) {
        await breakStaleLock(lock, holder);
        continue;
      }
      if (Date.now() > deadline)
        throw new Error(
          `the embedded database in ${dataDir} is being prepared by process ${holder}; ` +
            `if no such process runs, remove ${lock}`,
        );
      await wait(100);
    }
  } finally {
    await rm(mine, { force: true });
  }
}

async function lockHolder(lock: string): Promise<number | undefined> {
  const text = await readFile(lock, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : Number(text);
}

/**
 * Moves the lock aside before removing it: when two processes break it at once, the second may
 * have moved the first one's fresh lock instead, and puts it back.
 */
async function breakStaleLock(lock: string, holder: number): Promise<void> {
  const aside = `${lock}.stale.${process.pid}`;
  try {
    await rename(lock, aside);
  } catch {
    return;
  }
  if ((await lockHolder(aside)) !== holder) await link(aside, lock).catch(() => undefined);
  await rm(aside, { force: true });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
