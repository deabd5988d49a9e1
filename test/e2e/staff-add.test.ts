// `npm run staff:add -- --email <email> --role <role>` as hospital IT runs it: the password on
// standard input, a clear line for every mistake, and an account that can then sign in.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaffAccounts } from '../../src/security/staff-accounts.ts';
import { openDatabase } from '../../src/storage/database.ts';
import type { TestDatabaseTarget } from '../support/database.ts';
import { TEST_FIELD_KEY, testDatabase } from '../support/instance.ts';

const projectRoot = join(import.meta.dirname, '..', '..');

describe('npm run staff:add', () => {
  let target: TestDatabaseTarget;
  let dataDir: string;

  beforeAll(async () => {
    target = await testDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'frontdoor-staff-'));
  });
  afterAll(async () => {
    await target?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  function staffAdd(
    args: string[],
    stdin: string,
    script = 'scripts/staff-add.ts',
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
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
    child.stdin.end(stdin);
    return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
  }

  it('refuses an unknown role and a short password, each with one line', async () => {
    const role = await staffAdd(['--email', 'a@h.test', '--role', 'janitor'], 'long enough password\n');
    expect(role).toMatchObject({
      code: 1,
      stderr: '--role must be one of nurse, doctor, pharmacist, operator, admin\n',
    });
    const short = await staffAdd(['--email', 'a@h.test', '--role', 'nurse'], 'short\n');
    expect(short).toMatchObject({ code: 1, stderr: 'the password must be at least 12 characters long\n' });
  });

  it(
    'creates an account from the password on stdin, which can then sign in',
    { timeout: 60_000 },
    async () => {
      const run = await staffAdd(
        ['--email', 'Ward.Nurse@H.test', '--role', 'nurse', '--role', 'doctor', '--name', 'Ward Nurse'],
        'a long enough password\n',
      );
      expect(run.stderr).toBe('');
      expect(run).toMatchObject({
        code: 0,
        stdout: 'Staff account ready: ward.nurse@h.test (nurse, doctor)\n',
      });

      const database = await openDatabase({ url: target.url, dataDir });
      try {
        const accounts = new StaffAccounts(database.prisma);
        const signIn = await accounts.signIn('ward.nurse@h.test', 'a long enough password');
        expect(signIn).toMatchObject({
          ok: true,
          staff: { displayName: 'Ward Nurse', roles: ['nurse', 'doctor'] },
        });
        const stored = await database.prisma.staffUser.findUniqueOrThrow({
          where: { email: 'ward.nurse@h.test' },
        });
        expect(stored.passwordHash).toMatch(/^\$argon2id\$/);
      } finally {
        await database.close();
      }
    },
  );

  it(
    'npm run staff:disable stops an account signing in, and says so for an unknown email',
    { timeout: 60_000 },
    async () => {
      const disable = (email: string) => staffAdd(['--email', email], '', 'scripts/staff-disable.ts');
      const run = await disable('Ward.Nurse@H.test');
      expect(run).toMatchObject({
        code: 0,
        stderr: '',
        stdout: 'Staff account disabled: ward.nurse@h.test (its sessions have ended)\n',
      });
      expect(await disable('nobody@h.test')).toMatchObject({
        code: 1,
        stderr: 'no staff account with the email nobody@h.test\n',
      });

      const database = await openDatabase({ url: target.url, dataDir });
      try {
        const signIn = await new StaffAccounts(database.prisma).signIn(
          'ward.nurse@h.test',
          'a long enough password',
        );
        expect(signIn).toEqual({ ok: false, reason: 'invalid', why: 'disabled' });
      } finally {
        await database.close();
      }
    },
  );
});
