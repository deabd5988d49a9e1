// The embedded database is migrated in-process (no Prisma schema engine), writing the rows
// `prisma migrate deploy` writes, so either can take over a database the other migrated.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockDataDir } from '../../src/storage/embedded-data-dir.ts';
import { startEmbeddedPostgres } from '../../src/storage/embedded-postgres.ts';
import { migrateEmbedded } from '../../src/storage/migrate.ts';
import { testDatabaseUrl } from '../support/backends.ts';
import { databaseBackends, type TestDatabaseTarget } from '../support/database.ts';

const root = join(import.meta.dirname, '..', '..');
const migrationsDir = join(root, 'prisma', 'migrations');

async function committed(): Promise<{ name: string; checksum: string }[]> {
  const names = (await readdir(migrationsDir, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    names.map(async (name) => ({
      name,
      checksum: createHash('sha256')
        .update(await readFile(join(migrationsDir, name, 'migration.sql')))
        .digest('hex'),
    })),
  );
}

interface Row {
  id: string;
  migration_name: string;
  checksum: string;
  started_at: Date;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
  applied_steps_count: number;
}

const rowsOf = async (db: PGlite) =>
  (await db.query<Row>('SELECT * FROM _prisma_migrations ORDER BY migration_name, started_at')).rows;

describe('in-process migration of the embedded database', () => {
  let db: PGlite;
  let firstRun: string[];

  beforeAll(async () => {
    db = await PGlite.create();
    firstRun = await migrateEmbedded(db);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('applies every committed migration in order and records it as Prisma does: its name, the SHA-256 of its file, finished, one step', async () => {
    const files = await committed();
    expect(firstRun).toEqual(files.map((file) => file.name));
    const rows = await rowsOf(db);
    expect(rows.map((row) => ({ name: row.migration_name, checksum: row.checksum }))).toEqual(files);
    for (const row of rows) {
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.finished_at!.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
      expect(row).toMatchObject({ rolled_back_at: null, logs: null, applied_steps_count: 1 });
    }
    const tables = await db.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'`,
    );
    expect(tables.rows.map((row) => row.name)).toEqual(
      expect.arrayContaining(['Patient', 'StaffUser', 'HospitalResource', 'ScheduledTimer']),
    );
  });

  it('applies nothing the second time', async () => {
    const before = await rowsOf(db);
    expect(await migrateEmbedded(db)).toEqual([]);
    expect(await rowsOf(db)).toEqual(before);
  });

  it('refuses to go on when an applied migration no longer matches the checksum it was recorded with, naming it', async () => {
    const [first] = await committed();
    await db.query(`UPDATE _prisma_migrations SET checksum = $1 WHERE migration_name = $2`, [
      'f'.repeat(64),
      first!.name,
    ]);
    try {
      await expect(migrateEmbedded(db)).rejects.toThrow(
        new RegExp(`migration ${first!.name} was changed after it was applied`),
      );
    } finally {
      await db.query(`UPDATE _prisma_migrations SET checksum = $1 WHERE migration_name = $2`, [
        first!.checksum,
        first!.name,
      ]);
    }
    expect(await migrateEmbedded(db)).toEqual([]);
  });

  it('refuses a migration Prisma recorded as started but not finished (a failed deploy)', async () => {
    const last = (await committed()).at(-1)!;
    const before = await rowsOf(db);
    await db.query(`DELETE FROM _prisma_migrations WHERE migration_name = $1`, [last.name]);
    await db.query(
      `INSERT INTO _prisma_migrations (id, checksum, migration_name, logs, applied_steps_count)
       VALUES ('00000000-0000-4000-8000-000000000000', $1, $2, 'it failed', 0)`,
      [last.checksum, last.name],
    );
    try {
      await expect(migrateEmbedded(db)).rejects.toThrow(
        new RegExp(`migration ${last.name} failed earlier and is recorded as unfinished`),
      );
    } finally {
      await db.query(`DELETE FROM _prisma_migrations WHERE migration_name = $1`, [last.name]);
      const row = before.at(-1)!;
      await db.query(
        `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
         VALUES ($1, $2, $3, $4, $5, 1)`,
        [row.id, row.checksum, row.migration_name, row.started_at, row.finished_at],
      );
    }
  });

  it('applies each migration in a transaction with its record: one that fails leaves neither its changes nor a row', async () => {
    const last = (await committed()).at(-1)!;
    const before = await rowsOf(db);
    const schema = async () =>
      (
        await db.query<{ name: string }>(
          `SELECT relname || ':' || relkind::text AS name FROM pg_class WHERE relnamespace = 'public'::regnamespace
           UNION ALL SELECT table_name::text || '.' || column_name::text FROM information_schema.columns WHERE table_schema = 'public'
           ORDER BY 1`,
        )
      ).rows.map((row) => row.name);
    const objects = await schema();
    // Applied but no longer recorded, so applying it again fails on something it already made.
    await db.query(`DELETE FROM _prisma_migrations WHERE migration_name = $1`, [last.name]);
    try {
      await expect(migrateEmbedded(db)).rejects.toThrow(
        new RegExp(`^database migration failed: ${last.name}: .* already exists`),
      );
      expect((await rowsOf(db)).map((row) => row.migration_name)).toEqual(
        before.slice(0, -1).map((row) => row.migration_name),
      );
      expect(await schema()).toEqual(objects);
    } finally {
      const row = before.at(-1)!;
      await db.query(
        `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
         VALUES ($1, $2, $3, $4, $5, 1)`,
        [row.id, row.checksum, row.migration_name, row.started_at, row.finished_at],
      );
    }
    expect(await migrateEmbedded(db)).toEqual([]);
  });

  it('is accepted by `prisma migrate status` as up to date', async () => {
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
    await server.start();
    try {
      const url = `postgresql://postgres:postgres@${server.getServerConn()}/postgres?sslmode=disable`;
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [join(root, 'node_modules', 'prisma', 'build', 'index.js'), 'migrate', 'status'],
        { cwd: root, env: { ...process.env, DATABASE_URL: url, PRISMA_HIDE_UPDATE_MESSAGE: '1' } },
      );
      expect(stdout).toContain(`${(await committed()).length} migrations found in prisma/migrations`);
      expect(stdout).toContain('Database schema is up to date!');
    } finally {
      await server.stop();
    }
  }, 120_000);
});

describe.runIf(testDatabaseUrl)('the same records as `prisma migrate deploy` [postgres]', () => {
  let target: TestDatabaseTarget;

  beforeAll(async () => {
    target = await databaseBackends.find((backend) => backend.name === 'postgres')!.create();
  });
  afterAll(async () => {
    await target?.drop();
  });

  it('Prisma recorded each migration with the name and checksum the in-process migration records', async () => {
    // The run's template database (copied here) was migrated by `prisma migrate deploy`.
    const client = new pg.Client({ connectionString: target.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string; checksum: string }>(
        `SELECT migration_name AS name, checksum FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY 1`,
      );
      expect(rows).toEqual(await committed());
    } finally {
      await client.end();
    }
  });
});

describe('a new embedded data directory', () => {
  it('is created and migrated before its socket server opens, unlocked once the database is up, and held open until it stops', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'frontdoor-pgdata-'));
    try {
      const embedded = await startEmbeddedPostgres(join(dir, 'pgdata'));
      try {
        // The preparation lock is gone; the open database's lock names this process.
        expect(await readdir(dir)).toEqual(['pgdata', 'pgdata.open']);
        expect(await readFile(join(dir, 'pgdata.open'), 'utf8')).toBe(String(process.pid));
        // A script opening the same files meanwhile (npm run api-key:add beside a running
        // Frontdoor) is refused at once, naming the holder, and changes nothing.
        const script = spawnSync(
          process.execPath,
          ['--import', 'tsx', 'scripts/api-key-add.ts', '--name', 'beside', '--scope', 'queues'],
          {
            cwd: root,
            env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: dir },
            encoding: 'utf8',
          },
        );
        expect(script.status).toBe(1);
        expect(script.stdout).toBe('');
        expect(script.stderr.trim().split('\n')).toEqual([
          expect.stringContaining(`is open in process ${process.pid} (a running Frontdoor?): stop it first`),
        ]);
        const client = new pg.Client({ connectionString: embedded.url });
        await client.connect();
        const { rows } = await client.query<{ name: string; checksum: string }>(
          `SELECT migration_name AS name, checksum FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY 1`,
        );
        await client.end();
        expect(rows).toEqual(await committed());
      } finally {
        await embedded.stop();
      }
      expect(await readdir(dir)).toEqual(['pgdata']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('the embedded data directory lock', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'frontdoor-lock-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('makes another process wait until the holder releases it, and leaves no file behind', async () => {
    const dataDir = join(dir, 'pgdata');
    // The holder keeps the lock until told to let go on its stdin, then says when it did.
    const holder = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `import { lockDataDir } from './src/storage/embedded-data-dir.ts';
         const release = await lockDataDir(process.env.LOCK_DIR);
         process.stdout.write('locked\\n');
         process.stdin.once('data', async () => { const at = Date.now(); await release(); process.stdout.write('released ' + at + '\\n'); process.exit(0); });`,
      ],
      { cwd: root, env: { ...process.env, LOCK_DIR: dataDir } },
    );
    let output = '';
    holder.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise((resolve) => holder.on('exit', resolve));
    await expect.poll(() => output, { timeout: 20_000 }).toContain('locked');
    let acquiredAt: number | undefined;
    const acquiring = lockDataDir(dataDir).then((release) => {
      acquiredAt = Date.now();
      return release;
    });
    // This process is in the lock's queue once its candidate file is beside the lock.
    await expect
      .poll(
        async () =>
          acquiredAt !== undefined ||
          (await readdir(dir)).some((name) => name.startsWith(`pgdata.lock.${process.pid}.`)),
      )
      .toBe(true);
    holder.stdin.write('go\n');
    const release = await acquiring;
    await exited;
    const releasedAt = Number(/released (\d+)/.exec(output)?.[1]);
    expect(acquiredAt).toBeGreaterThanOrEqual(releasedAt);
    await release();
    expect(await readdir(dir)).toEqual([]);
  }, 30_000);

  it('is taken beside a data directory whose parent does not exist yet (a fresh DATA_DIR)', async () => {
    const dataDir = join(dir, 'fresh', 'pgdata');
    const release = await lockDataDir(dataDir, { suffix: '.open', waitMs: 0 });
    expect(await readFile(`${dataDir}.open`, 'utf8')).toBe(String(process.pid));
    await release();
    expect(await readdir(join(dir, 'fresh'))).toEqual([]);
  });

  it('breaks a lock whose holder is no longer running', async () => {
    const dataDir = join(dir, 'pgdata');
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    await writeFile(`${dataDir}.lock`, String(gone));
    const release = await lockDataDir(dataDir);
    expect(await readFile(`${dataDir}.lock`, 'utf8')).toBe(String(process.pid));
    await release();
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
  });
});
