// Embedded PostgreSQL for the no-services default: PGlite (Postgres compiled to WebAssembly)
// behind its wire-protocol socket server, so the ordinary pg driver, the Prisma adapter and
// `prisma migrate deploy` all work unchanged.
import { mkdir } from 'node:fs/promises';
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
  const db = await PGlite.create(dataDir);
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
