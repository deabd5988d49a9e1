// The two-command promise, exercised the way a person would: start the real entry point as a
// process with no services and no keys, and with bad settings.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConsoleClient } from '../support/console-client.ts';
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
  const watchdog = setTimeout(() => child.kill('SIGKILL'), 60_000);
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
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('serves /healthz with no services and no keys, prints its URLs, and stops cleanly on SIGTERM', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'frontdoor-start-'));
    dirs.push(dataDir);
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
        nurseSignIn = (
          await new ConsoleClient(`http://127.0.0.1:${port}`).signIn('nurse@frontdoor.local', printed[1])
        ).status;
        signalledAt = Date.now();
        return true;
      } catch {
        return false;
      }
    });
    expect(health).toBe(200);
    expect(readiness).toEqual({ status: 'ready', checks: { database: 'up' } });
    expect(run.stdout).toContain(`http://localhost:${port}/healthz`);
    expect(run.stdout).toContain('embedded PostgreSQL');
    expect(run.stdout).toContain(`Staff console: http://localhost:${port}/console`);
    expect(nurseSignIn).toBe(200);
    expect(run.code).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(10_000);
  }, 90_000);

  it.each([
    ['DATABASE_URL', 'not-a-url'],
    ['PORT', 'abc'],
  ])('exits 1 quickly with one line naming %s when it is %j', async (variable, value) => {
    const run = await runMain({ [variable]: value });
    expect(run.code).toBe(1);
    expect(run.ms).toBeLessThan(10_000);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^Invalid setting ${variable}: expected`));
    expect(run.stdout).toBe('');
  });
});
