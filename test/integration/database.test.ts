// Migrations and the core tables, on the embedded and (when configured) the real PostgreSQL.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '../../src/storage/migrate.ts';
import { openDatabase, type Database } from '../../src/storage/database.ts';
import { databaseBackends, type TestDatabaseTarget } from '../support/database.ts';

describe.each(databaseBackends)('database [$name]', (backend) => {
  let target: TestDatabaseTarget;
  let database: Database;

  beforeAll(async () => {
    target = await backend.create();
    database = await openDatabase({ url: target.url, dataDir: undefined });
  });
  afterAll(async () => {
    await database?.close();
    await target?.drop();
  });

  it('applies the migrations and answers ping', async () => {
    await expect(database.ping()).resolves.toBeUndefined();
    const tables = await database.prisma.$queryRaw<{ table_name: string }[]>`
      SELECT table_name::text AS table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`;
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining([
        'AuditEntry',
        'ChannelIdentity',
        'Consent',
        'Patient',
        'StaffUser',
        '_prisma_migrations',
      ]),
    );
    expect(database.embedded).toBe(backend.name === 'pglite');
  });

  it('is idempotent: every committed migration is applied once, and again changes nothing', async () => {
    const applied = async () =>
      (
        await database.prisma.$queryRaw<{ name: string }[]>`
          SELECT migration_name::text AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY 1`
      ).map((row) => row.name);
    const committed = (
      await readdir(join(import.meta.dirname, '..', '..', 'prisma', 'migrations'), { withFileTypes: true })
    )
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    expect(await applied()).toEqual(committed);
    if (target.url) await applyMigrations(target.url);
    expect(await applied()).toEqual(committed);
  });

  it('stores a patient with a channel identity and a versioned consent', async () => {
    const patient = await database.prisma.patient.create({
      data: {
        locale: 'vi',
        identities: { create: { channel: 'telegram', channelUserId: '1001' } },
        consents: {
          create: { purpose: 'health-data', textVersion: '2026-11', granted: true, channel: 'telegram' },
        },
      },
      include: { identities: true, consents: true },
    });
    expect(patient.identities).toHaveLength(1);
    expect(patient.consents[0]).toMatchObject({
      purpose: 'health-data',
      textVersion: '2026-11',
      granted: true,
    });
    expect(patient.consents[0]!.decidedAt).toBeInstanceOf(Date);
  });

  it('refuses a second patient for the same channel account', async () => {
    await database.prisma.patient.create({
      data: { identities: { create: { channel: 'line', channelUserId: 'U-dup' } } },
    });
    await expect(
      database.prisma.patient.create({
        data: { identities: { create: { channel: 'line', channelUserId: 'U-dup' } } },
      }),
    ).rejects.toThrow(/Unique constraint/);
  });

  it('keeps staff with roles and an audit trail that outlives a deleted account', async () => {
    const nurse = await database.prisma.staffUser.create({
      data: {
        email: `nurse-${Date.now()}@hospital.test`,
        displayName: 'Nurse Lan',
        roles: ['nurse'],
        passwordHash: 'x',
      },
    });
    await database.prisma.auditEntry.create({
      data: {
        actorId: nurse.id,
        actorLabel: nurse.email,
        action: 'intake.view',
        subjectType: 'intake',
        subjectId: 'i-1',
      },
    });
    await database.prisma.staffUser.delete({ where: { id: nurse.id } });
    const entries = await database.prisma.auditEntry.findMany({ where: { subjectId: 'i-1' } });
    expect(entries).toHaveLength(1);
    expect(entries[0]!.actorId).toBeNull();
    expect(entries[0]!.actorLabel).toBe(nurse.email);
  });
});
