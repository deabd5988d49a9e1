// Prints which backends this run exercises, so a green run says what it proved; with a real
// PostgreSQL, migrates one template database that test databases are copied from.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { buildWeb } from '../../scripts/build-web.ts';
import { applyMigrations } from '../../src/storage/migrate.ts';

export default async function setup(): Promise<() => Promise<void>> {
  // The pages load the built front end: build it when web/ changed since the last build.
  await buildWeb({ ifStale: true });
  const serverUrl = process.env.TEST_DATABASE_URL;
  const postgres = serverUrl ? 'embedded PGlite + real PostgreSQL' : 'embedded PGlite only';
  const redis = process.env.TEST_REDIS_URL ? 'in-memory twins + real Redis' : 'in-memory twins only';
  console.log(`\n[frontdoor tests] database: ${postgres}; key-value and jobs: ${redis}\n`);
  if (!serverUrl) return async () => {};

  const template = `fd_template_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${template}`);
  const url = new URL(serverUrl);
  url.pathname = `/${template}`;
  await applyMigrations(url.toString());
  process.env.FD_TEST_TEMPLATE_DATABASE = template;
  return async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await admin.end();
  };
}
