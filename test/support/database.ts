// Databases for tests: the embedded PGlite always, and a freshly created database on the real
// PostgreSQL when TEST_DATABASE_URL is set. Each is dropped afterwards.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { testDatabaseUrl } from './backends.ts';

export interface TestDatabaseTarget {
  name: 'pglite' | 'postgres';
  /** undefined means "start the embedded database", as production does without DATABASE_URL. */
  url: string | undefined;
  drop(): Promise<void>;
}

/**
 * Creates a database on the real server and returns its URL: a copy of the run's migrated
 * template when global setup made one (fast), else an empty one.
 */
async function createRealDatabase(serverUrl: string): Promise<TestDatabaseTarget> {
  const name = `fd_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const template = process.env.FD_TEST_TEMPLATE_DATABASE;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(template ? `CREATE DATABASE ${name} TEMPLATE ${template}` : `CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    name: 'postgres',
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** The database backends every storage suite runs against. */
export const databaseBackends: { name: TestDatabaseTarget['name']; create(): Promise<TestDatabaseTarget> }[] =
  [
    { name: 'pglite', create: async () => ({ name: 'pglite', url: undefined, drop: async () => {} }) },
    ...(testDatabaseUrl
      ? [{ name: 'postgres' as const, create: () => createRealDatabase(testDatabaseUrl!) }]
      : []),
  ];
