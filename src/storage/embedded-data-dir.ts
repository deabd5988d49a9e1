// The embedded database's data directory: created by initdb in a child process, and locked while
// it is created and migrated. Kept apart from PGlite itself so that main.ts can start this before
// it loads the rest of the application (the two then overlap on a first start).
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as wait } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where the embedded database keeps its files under DATA_DIR. */
export function embeddedDataDir(dataDir: string): string {
  return join(dataDir, 'pgdata');
}

/** Releases what `prepareDataDir` locked. */
export type Unlock = () => Promise<void>;

const preparing = new Map<string, Promise<Unlock>>();

/**
 * Locks `dataDir` and creates it if it holds no database yet; the caller opens and migrates it,
 * then unlocks. A call made ahead of time (main.ts) is picked up by the next call for the same
 * directory instead of starting another.
 */
export function prepareDataDir(dataDir: string): Promise<Unlock> {
  const early = preparing.get(dataDir);
  if (early) {
    preparing.delete(dataDir);
    return early;
  }
  return lockAndCreate(dataDir);
}

/** Starts `prepareDataDir` now; its failure is reported to the caller that picks it up. */
export function prepareDataDirAhead(dataDir: string): void {
  const started = lockAndCreate(dataDir);
  started.catch(() => undefined);
  preparing.set(dataDir, started);
}

async function lockAndCreate(dataDir: string): Promise<Unlock> {
  await mkdir(dataDir, { recursive: true });
  // Held while the directory is created and migrated: a second process started at the same time
  // (a second `npm start`, `npm run staff:add`) waits, then finds nothing left to do.
  const unlock = await lockDataDir(dataDir);
  try {
    if (!existsSync(join(dataDir, 'PG_VERSION'))) await createDataDir(dataDir);
    return unlock;
  } catch (error) {
    await unlock();
    throw error;
  }
}

/**
 * Runs initdb, then the migrations, in a short-lived child process: PGlite's initdb grows its
 * WebAssembly memory to ~800 MB, which a process never gives back, so doing it here would leave
 * the server that size; migrating there too keeps the pages the migrations touch (tens of MB) out
 * of the server, which then finds nothing to apply.
 */
async function createDataDir(dataDir: string): Promise<void> {
  try {
    await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `import { PGlite } from '@electric-sql/pglite';
         import { migrateEmbedded } from './src/storage/migrate.ts';
         const db = await PGlite.create(process.env.PGLITE_DATA_DIR);
         try { await migrateEmbedded(db); } catch (error) { process.stderr.write(error.message); process.exitCode = 1; }
         await db.close();`,
      ],
      { cwd: projectRoot, env: { ...process.env, PGLITE_DATA_DIR: dataDir }, timeout: 120_000 },
    );
  } catch (error) {
    throw new Error((error as { stderr?: string }).stderr?.trim() || (error as Error).message, {
      cause: error,
    });
  }
}

const LOCK_WAIT_MS = 180_000;
const preparing_by = (dataDir: string, holder: number, lock: string) =>
  `the embedded database in ${dataDir} is being prepared by process ${holder}; ` +
  `if no such process runs, remove ${lock}`;

/**
 * Holds `<dataDir>.open` while the embedded database is open. PGlite is one process's files: a
 * second process opening them (an npm run script beside a running Frontdoor) would write what
 * the first never reads and could corrupt both. So the second is refused at once, naming the
 * first; a holder that died (kill -9) leaves a lock that the next start breaks.
 */
export const holdDataDir = (dataDir: string) =>
  lockDataDir(dataDir, {
    suffix: '.open',
    waitMs: 0,
    busy: (dir, holder) =>
      `the embedded database in ${dir} is open in process ${holder} (a running Frontdoor?): stop it first`,
  });

/** Locks this process holds, told apart from a dead holder that had the same pid. */
const heldHere = new Set<string>();

/**
 * Takes `<dataDir>.lock`, a file naming the holder's pid (created whole by a hard link, so it is
 * never seen empty), waiting while a live process holds it and breaking it when its holder died.
 * Returns the release.
 */
export async function lockDataDir(
  dataDir: string,
  { suffix = '.lock', waitMs = LOCK_WAIT_MS, busy = preparing_by } = {},
): Promise<() => Promise<void>> {
  const lock = `${dataDir}${suffix}`;
  const mine = `${lock}.${process.pid}.${randomUUID()}`;
  // The lock sits beside the data directory, whose parent (DATA_DIR) may not exist yet.
  await mkdir(dirname(lock), { recursive: true });
  await writeFile(mine, String(process.pid));
  const deadline = Date.now() + waitMs;
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
      if (Date.now() >= deadline) throw new Error(busy(dataDir, holder, lock));
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
