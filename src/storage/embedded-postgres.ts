// Embedded PostgreSQL for the no-services default: PGlite (Postgres compiled to WebAssembly)
// behind its wire-protocol socket server, so the ordinary pg driver, the Prisma adapter and
// `prisma migrate deploy` all work unchanged.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/** A running embedded PostgreSQL reachable at `url`. */
export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts PGlite on a free loopback port. `dataDir` undefined keeps the data in memory
 * (tests); otherwise it persists there between runs.
 */
export async function startEmbeddedPostgres(dataDir?: string): Promise<EmbeddedPostgres> {
  if (dataDir) await mkdir(dataDir, { recursive: true });
  if (dataDir && !existsSync(join(dataDir, 'PG_VERSION'))) await createDataDir(dataDir);
  const db = await PGlite.create(dataDir, {
    // Postgres' default 128 MB of shared buffers is resident memory in WebAssembly; the
    // embedded database of one clinic fits in far less (~110 MB less RSS).
    postgresqlconf: ['shared_buffers = 16MB'],
  });
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
