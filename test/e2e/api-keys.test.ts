// `npm run api-key:add -- --name <name> --scope fhir` and `npm run api-key:revoke -- --name
// <name>` as hospital IT runs them: the key printed once, only its hash stored, scopes a list.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeys, hashApiKey } from '../../src/security/api-keys.ts';
import { openDatabase } from '../../src/storage/database.ts';
import type { TestDatabaseTarget } from '../support/database.ts';
import { TEST_FIELD_KEY, testDatabase } from '../support/instance.ts';

const projectRoot = join(import.meta.dirname, '..', '..');

describe('npm run api-key:add and api-key:revoke', () => {
  let target: TestDatabaseTarget;
  let dataDir: string;

  beforeAll(async () => {
    target = await testDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'frontdoor-api-keys-'));
  });
  afterAll(async () => {
    await target?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  function run(
    script: string,
    args: string[],
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', `scripts/${script}.ts`, ...args], {
      cwd: projectRoot,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        DATA_DIR: dataDir,
        ...(target.url ? { DATABASE_URL: target.url, FIELD_ENCRYPTION_KEY: TEST_FIELD_KEY } : {}),
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
  }

  it('prints a fhir key once, stores only its hash, and revokes it', { timeout: 120_000 }, async () => {
    expect(await run('api-key-add', ['--name', 'his', '--scope', 'billing'])).toMatchObject({
      code: 1,
      stderr: '--scope must be one of fhir, queues, broadcasts (repeat --scope for more than one)\n',
    });
    const added = await run('api-key-add', ['--name', 'his', '--scope', 'fhir']);
    expect(added.code).toBe(0);
    const key = added.stdout.trim();
    expect(key).toMatch(/^fdk_[\w-]{43}$/);

    const read = async () => {
      const database = await openDatabase({ url: target.url, dataDir });
      try {
        const row = await database.prisma.apiKey.findUniqueOrThrow({ where: { name: 'his' } });
        return { row, holder: await new ApiKeys(database.prisma).verify(key) };
      } finally {
        await database.close();
      }
    };
    const stored = await read();
    expect(stored.row).toMatchObject({ keyHash: hashApiKey(key), scopes: ['fhir'], revokedAt: null });
    expect(JSON.stringify(stored.row)).not.toContain(key);
    expect(stored.holder).toMatchObject({ name: 'his', scopes: ['fhir'] });
    // The row was read before that first use; the use itself is recorded.
    expect(stored.row.lastUsedAt).toBeNull();
    expect((await read()).row.lastUsedAt).toBeInstanceOf(Date);

    expect(await run('api-key-revoke', ['--name', 'his'])).toMatchObject({
      code: 0,
      stdout: 'API key his revoked\n',
    });
    expect((await read()).holder).toBeUndefined();
  });

  it('gives one key several scopes, broadcasts among them, and says how', { timeout: 120_000 }, async () => {
    const help = await run('api-key-add', ['--help']);
    expect(help.code).toBe(0);
    for (const scope of ['fhir', 'queues', 'broadcasts']) expect(help.stdout).toContain(`    ${scope} `);
    expect((await run('api-key-revoke', ['--help'])).stdout).toMatch(
      /^npm run api-key:revoke -- --name <name>/,
    );

    const added = await run('api-key-add', [
      '--name',
      'his-notices',
      '--scope',
      'broadcasts',
      '--scope',
      'queues',
    ]);
    expect(added).toMatchObject({
      code: 0,
      stderr: 'API key his-notices (broadcasts, queues); it is shown only now:\n',
    });
    const key = added.stdout.trim();
    const database = await openDatabase({ url: target.url, dataDir });
    try {
      const row = await database.prisma.apiKey.findUniqueOrThrow({ where: { name: 'his-notices' } });
      expect(row).toMatchObject({ keyHash: hashApiKey(key), scopes: ['broadcasts', 'queues'] });
      expect(JSON.stringify(row)).not.toContain(key);
    } finally {
      await database.close();
    }
  });
});
