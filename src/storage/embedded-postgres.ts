// Embedded PostgreSQL for the no-services default: PGlite (Postgres compiled to WebAssembly)
// behind its wire-protocol socket server, so the ordinary pg driver and the Prisma adapter work
// unchanged. It is migrated in-process before the socket server opens (a new data directory
// comes migrated from the child that created it).
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { holdDataDir, prepareDataDir } from './embedded-data-dir.ts';
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
  const release = dataDir ? await holdDataDir(dataDir) : undefined;
  const unlock = dataDir
    ? await prepareDataDir(dataDir).catch(async (error: unknown) => {
        await release?.();
        throw error;
      })
    : undefined;
  let db: PGlite;
  try {
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
  } catch (error) {
    await release?.();
    throw error;
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
      await release?.();
    },
  };
}
