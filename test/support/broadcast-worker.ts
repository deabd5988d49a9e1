// What the broadcast crash test and bench share: subscribers seeded in bulk (patient, channel
// identity, a granted hospital-notices consent), and a Frontdoor worker as a process of its own
// (`node --import tsx src/main.ts`), so it can be killed with SIGKILL and started again.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOSPITAL_NOTICES } from '../../src/domain/broadcasts.ts';
import type { ChannelName } from '../../src/conversation/message.ts';
import type { Locale } from '../../src/i18n/locales.ts';
import type { Database } from '../../src/storage/database.ts';

const projectRoot = join(import.meta.dirname, '..', '..');

export interface Subscriber {
  channel: ChannelName;
  channelUserId: string;
  locale: Locale;
}

/** Rows written per statement: large enough to be quick, small enough for PostgreSQL's parameters. */
const SEED_CHUNK = 5_000;

/** Stores `count` patients who said yes to hospital notices, as `nth(i)` describes each. */
export async function seedSubscribers(
  database: Database,
  count: number,
  nth: (i: number) => Subscriber,
): Promise<void> {
  const decidedAt = new Date(Date.now() - 60_000);
  for (let start = 0; start < count; start += SEED_CHUNK) {
    const rows = Array.from({ length: Math.min(SEED_CHUNK, count - start) }, (_, offset) => ({
      id: randomUUID(),
      ...nth(start + offset),
    }));
    // Three statements of arrays per chunk (as the desk keeps recipients): 100,000 patients
    // through Prisma's createMany took a minute of the bench's setup.
    const ids = rows.map((row) => row.id);
    const channels = rows.map((row) => row.channel);
    const { prisma } = database;
    await prisma.$executeRaw`
      INSERT INTO "Patient" ("id", "locale", "updatedAt")
      SELECT p."id", p."locale", now() FROM unnest(${ids}::uuid[], ${rows.map((row) => row.locale)}::text[]) AS p("id", "locale")`;
    await prisma.$executeRaw`
      INSERT INTO "ChannelIdentity" ("id", "patientId", "channel", "channelUserId")
      SELECT gen_random_uuid(), c."patientId", c."channel", c."channelUserId"
        FROM unnest(${ids}::uuid[], ${channels}::text[], ${rows.map((row) => row.channelUserId)}::text[])
             AS c("patientId", "channel", "channelUserId")`;
    await prisma.$executeRaw`
      INSERT INTO "Consent" ("id", "patientId", "purpose", "textVersion", "granted", "decidedAt", "channel")
      SELECT gen_random_uuid(), c."patientId", ${HOSPITAL_NOTICES}, 'seed', true, ${decidedAt}, c."channel"
        FROM unnest(${ids}::uuid[], ${channels}::text[]) AS c("patientId", "channel")`;
  }
}

/** A Frontdoor process started for a broadcast test or bench. */
export class WorkerProcess {
  private exited: Promise<void>;
  /** Its standard error, for a failure's message. */
  stderr = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-20_000);
    });
  }

  /** Starts `src/main.ts` with `env` (and PATH, HOME) and waits until it answers /healthz. */
  static async start(env: Record<string, string>, port: number): Promise<WorkerProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: projectRoot,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        LOG_LEVEL: 'warn',
        ...env,
        PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const worker = new WorkerProcess(child, `http://127.0.0.1:${port}`);
    await worker.healthy();
    return worker;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Resident memory now and at its peak (kB, from /proc: the worker alone, not this process). */
  memory(): { rssKb: number; peakKb: number } {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return { rssKb: field('VmRSS'), peakKb: field('VmHWM') };
  }

  /** Kills it at once (no shutdown: what a crash or `kill -9` does) and waits for it to be gone. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** Stops it as a deploy would (SIGTERM) and waits for it to exit; its exit code. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      await this.exited;
    }
    return this.child.exitCode;
  }

  private async healthy(): Promise<void> {
    // main.ts prints its start summary once the instance listens and its sweeps started.
    await new Promise<void>((resolve, reject) => {
      let output: string | undefined = '';
      // Only a guard against a start that hangs: a cold start loads the whole app through tsx.
      const guard = setTimeout(
        () => reject(new Error(`worker not started in 60 s:\n${this.stderr}`)),
        60_000,
      );
      const settle = (error?: Error) => {
        clearTimeout(guard);
        this.child.off('exit', exited);
        if (error) reject(error);
        else resolve();
      };
      const exited = () => settle(new Error(`worker exited at start:\n${this.stderr}`));
      this.child.once('exit', exited);
      // Read to the end (its logs too), so that a full pipe never blocks the worker.
      this.child.stdout?.on('data', (chunk: Buffer) => {
        if (output === undefined) return;
        output += chunk.toString();
        if (!output.includes('Frontdoor is running.')) return;
        output = undefined;
        settle();
      });
    });
    const health = await fetch(`${this.url}/healthz`);
    if (!health.ok) throw new Error(`worker started but /healthz answered ${health.status}:\n${this.stderr}`);
  }
}
