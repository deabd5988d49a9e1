// The two-command promise, exercised the way a person would: start the real entry point as a
// process with no services and no keys, and with bad settings.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConsoleClient } from '../support/console-client.ts';
import { TEST_FIELD_KEY } from '../support/instance.ts';
import { freePort } from '../support/net.ts';

const projectRoot = join(import.meta.dirname, '..', '..');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `npm start`'s command with `env` until it exits or `until` says to stop it. */
function runMain(env: Record<string, string>, until?: (stdout: string) => Promise<boolean>): Promise<Run> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // Only a guard against a hung start: on a loaded two-core machine a first start (migrating the
  // embedded database) has taken over a minute.
  const watchdog = setTimeout(() => child.kill('SIGKILL'), 150_000);
  if (until) {
    const poll = async () => {
      if (child.exitCode !== null) return;
      if (await until(stdout)) child.kill('SIGTERM');
      else setTimeout(() => void poll(), 200);
    };
    void poll();
  }
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(watchdog);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    }),
  );
}

describe('npm start', () => {
  const dirs: string[] = [];
  /** The data directory and demo nurse password of the first test's demo run. */
  const demo = { dataDir: '', nursePassword: '', nurse: undefined as ConsoleClient | undefined };
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('serves /healthz with no services and no keys, prints its URLs, and stops cleanly on SIGTERM', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'frontdoor-start-'));
    dirs.push(dataDir);
    demo.dataDir = dataDir;
    const port = await freePort();
    let health: number | undefined;
    let readiness: unknown;
    let signalledAt = 0;
    let nurseSignIn: number | undefined;
    const run = await runMain({ PORT: String(port), DATA_DIR: dataDir }, async (stdout) => {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/healthz`);
        health = response.status;
        readiness = await (await fetch(`http://127.0.0.1:${port}/readyz`)).json();
        // The demo nurse printed at start can sign in to the console.
        const printed = /nurse\s+nurse@frontdoor\.local\s+password (\S+)/.exec(stdout);
        if (!printed?.[1]) return false;
        demo.nursePassword = printed[1];
        demo.nurse = new ConsoleClient(`http://127.0.0.1:${port}`);
        nurseSignIn = (await demo.nurse.signIn('nurse@frontdoor.local', printed[1])).status;
        signalledAt = Date.now();
        return true;
      } catch {
        return false;
      }
    });
    expect(health).toBe(200);
    expect(readiness).toEqual({ status: 'ready', checks: { database: 'up' } });
    // Something is said at once, not only after the embedded database is ready.
    expect(run.stdout.indexOf('Preparing the embedded database in')).toBe(0);
    expect(run.stdout.indexOf('Frontdoor is running.')).toBeGreaterThan(0);
    expect(run.stdout).toContain(`http://localhost:${port}/healthz`);
    expect(run.stdout).toContain('embedded PostgreSQL');
    expect(run.stdout).toContain(`Staff console: http://localhost:${port}/console`);
    expect(run.stdout).toContain(`Waiting room:  http://localhost:${port}/display/<department>`);
    expect(run.stdout).toContain(`Hospital API:  http://localhost:${port}/api/docs`);
    // The desk's demo account, for the queue boards and broadcasts.
    expect(run.stdout).toMatch(/operator\s+operator@frontdoor\.local\s+password \S{12,}/);
    expect(nurseSignIn).toBe(200);
    expect(run.code).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(30_000);
  }, 180_000);

  it('restarted on the same DATA_DIR, prints the same demo passwords and keeps the demo nurse signed in', async () => {
    expect(demo.nurse).toBeDefined();
    const file = await stat(join(demo.dataDir, 'demo-nurse-password'));
    expect(file.mode & 0o777).toBe(0o600);
    const port = await freePort();
    let me: number | undefined;
    const run = await runMain({ PORT: String(port), DATA_DIR: demo.dataDir }, async (stdout) => {
      if (!stdout.includes('Frontdoor is running.')) return false;
      try {
        // The session cookie from the first run, sent to the restarted server.
        const carried = demo.nurse!.cookieHeader();
        me = (await fetch(`http://127.0.0.1:${port}/console/api/me`, { headers: { cookie: carried } }))
          .status;
        return true;
      } catch {
        return false;
      }
    });
    expect(/nurse\s+nurse@frontdoor\.local\s+password (\S+)/.exec(run.stdout)?.[1]).toBe(demo.nursePassword);
    // The existing data directory is opened, not announced as a first start.
    expect(run.stdout.indexOf('Opening the embedded database in')).toBe(0);
    expect(me).toBe(200);
    expect(run.code).toBe(0);
  }, 180_000);

  it.each([
    ['DATABASE_URL', 'not-a-url'],
    ['PORT', 'abc'],
  ])('exits 1 quickly with one line naming %s when it is %j', async (variable, value) => {
    const run = await runMain({ [variable]: value });
    expect(run.code).toBe(1);
    expect(run.ms).toBeLessThan(30_000);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^Invalid setting ${variable}: expected`));
    expect(run.stdout).toBe('');
  });

  it('with NODE_ENV=production exits 1 with one line naming FIELD_ENCRYPTION_KEY when it is unset', async () => {
    const run = await runMain({ NODE_ENV: 'production', CONSULTATION_FEES: '0' });
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Invalid setting FIELD_ENCRYPTION_KEY: required when NODE_ENV=production/);
  });

  it('with NODE_ENV=production creates no demo accounts: refuses to start without an admin, saying how to add one, and the demo nurse of an earlier demo run cannot sign in', async () => {
    // On the data directory the demo ran on (so its migrations are done and its demo accounts exist).
    const dataDir = demo.dataDir || (await mkdtemp(join(tmpdir(), 'frontdoor-start-')));
    dirs.push(dataDir);
    const production = {
      NODE_ENV: 'production',
      CONSULTATION_FEES: '0',
      FIELD_ENCRYPTION_KEY: TEST_FIELD_KEY,
      // What the demo sealed (its key-value snapshot) was sealed with the key it generated.
      FIELD_DECRYPTION_KEYS: await readFile(join(dataDir, 'field-encryption-key'), 'utf8').then(
        (key) => key.trim(),
        () => '',
      ),
      DATA_DIR: dataDir,
    };
    const refused = await runMain({ ...production, PORT: String(await freePort()) });
    expect(refused.code).toBe(1);
    const lines = refused.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/no admin account.*npm run staff:add -- --email .* --role admin/);
    expect(refused.stdout).not.toMatch(/password \S+/);

    const added = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/staff-add.ts', '--email', 'it@hospital.test', '--role', 'admin'],
      {
        cwd: projectRoot,
        input: 'a long enough password\n',
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...production },
      },
    );
    expect(added.stderr.toString()).toBe('');

    const port = await freePort();
    let demoNurse: number | undefined;
    let admin: number | undefined;
    let testPayment: number | undefined;
    const started = await runMain({ ...production, PORT: String(port) }, async () => {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/healthz`)).status !== 200) return false;
        const client = () => new ConsoleClient(`http://127.0.0.1:${port}`);
        demoNurse = (await client().signIn('nurse@frontdoor.local', demo.nursePassword || 'x')).status;
        admin = (await client().signIn('it@hospital.test', 'a long enough password')).status;
        testPayment = (await fetch(`http://127.0.0.1:${port}/pay/test/cs_test_local_anything`)).status;
        return true;
      } catch {
        return false;
      }
    });
    expect(started.stdout).toContain('Frontdoor is running.');
    expect(started.stdout).not.toContain('Demo console accounts');
    expect(started.stdout).not.toMatch(/password \S+/);
    expect([demoNurse, admin]).toEqual([401, 200]);
    // The local test-payment page never runs in production.
    expect(testPayment).toBe(403);
    expect(started.code).toBe(0);
  }, 300_000);
});
