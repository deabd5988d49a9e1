// Webhook throughput: distinct Telegram updates from a few thousand patients, driven at
// Frontdoor (Redis + PostgreSQL, replies to a fast local Telegram fake) and at two references:
// a bare Fastify route (the ceiling) and a plain telegraf bot with a Redis session store.
// Prints acks/s, p50/p99 ack latency, replies/s and CPU per message (the target, Redis and
// this load generator with its Telegram fake) for each, and the ratios. Asserts nothing.
// The targets run side by side and take turns over BENCH_ROUNDS rounds (default 5); figures are
// medians, ratios are taken within a round, since this shared machine's speed drifts by ±10%.
// BENCH_PATIENTS, BENCH_CONCURRENCY size the load; BENCH_ONLY=Frontdoor skips the references;
// BENCH_COMPARE_DIR=<another checkout> adds that checkout's Frontdoor to the rounds (A/B);
// BENCH_REFERENCE_FLAGS gives the references Node flags (Frontdoor gets those of `npm start`);
// BENCH_PROFILE=<target name> writes a CPU profile of that target to /tmp/fd-prof.
// Then a slow-platform round (BENCH_SLOW_SECONDS, default 10; 0 skips it): the same targets
// take /start updates from distinct users for that long while the Telegram fake answers after
// BENCH_SLOW_BASE_MS + BENCH_SLOW_PER_REQUEST_MS × the requests it is still answering (a busy
// platform slows down as its backlog grows), and every message it takes is counted per chat:
// messages sent per update and texts a chat got more than once (target: 0 repeats).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pg from 'pg';
import { Pool } from 'undici';
import { deleteKeysWithPrefix } from '../src/storage/kv/redis-store.ts';
import { generateKey } from '@47ng/cloak';

const PATIENTS = Number(process.env.BENCH_PATIENTS ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const POSTGRES_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const TOKEN = '123456789:AAFakeTokenForFrontdoorBenchmarks-xyz';
const SECRET = 'bench-secret';
const root = new URL('..', import.meta.url).pathname;

/**
 * A Telegram Bot API that answers instantly and notes when each chat got its first reply; in
 * slow mode it answers after a delay that grows with the requests it is still answering, and
 * counts each chat's texts (a message counts when it arrives, as the patient would see it).
 */
class FastTelegram {
  readonly firstReply = new Map<number, number>();
  sends = 0;
  /** Slow mode: the answer's delay is `baseMs + perRequestMs × requests still unanswered`. */
  slow: { baseMs: number; perRequestMs: number } | undefined;
  inFlight = 0;
  /** Slow mode: how often each chat got each text. */
  readonly texts = new Map<string, number>();
  lastSendAt = 0;
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const method = req.url?.split('/').pop();
        if (method === 'sendMessage') {
          const body = JSON.parse(Buffer.concat(chunks).toString()) as {
            chat_id: number | string;
            text?: string;
          };
          const chat = Number(body.chat_id);
          this.sends += 1;
          this.lastSendAt = performance.now();
          if (!this.firstReply.has(chat)) this.firstReply.set(chat, performance.now());
          const answer = () => {
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(
              `{"ok":true,"result":{"message_id":${this.sends},"date":0,"chat":{"id":${chat},"type":"private"},"text":""}}`,
            );
          };
          if (!this.slow) return answer();
          const text = `${chat}\u0000${body.text ?? ''}`;
          this.texts.set(text, (this.texts.get(text) ?? 0) + 1);
          this.inFlight += 1;
          setTimeout(
            () => {
              this.inFlight -= 1;
              if (!res.destroyed) answer();
            },
            this.slow.baseMs + this.slow.perRequestMs * (this.inFlight - 1),
          );
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true,"result":true}');
      });
    });
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }

  reset(): void {
    this.firstReply.clear();
    this.texts.clear();
    this.sends = 0;
  }

  /** Messages that repeated a text the same chat had already been sent. */
  repeats(): number {
    let repeated = 0;
    for (const count of this.texts.values()) repeated += count - 1;
    return repeated;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

interface Result {
  name: string;
  acksPerSecond: number;
  p50: number;
  p99: number;
  repliesPerSecond: number | undefined;
  answered: number;
  /** CPU time the target process used per message (user + system), in microseconds. */
  cpuPerMessageUs: number;
  /** The part of it spent in the kernel (system calls: sockets, mostly). */
  systemCpuPerMessageUs: number;
  /** The same for the Redis server, when it runs on this machine. */
  redisCpuPerMessageUs: number | undefined;
  /** The same for this process: the load generator and the Telegram fake. */
  driverCpuPerMessageUs: number;
}

/** The local Redis server's process id, when it is on this machine (for its CPU figures). */
async function localRedisPid(): Promise<number | undefined> {
  const redis = new Redis(REDIS_URL);
  try {
    const pid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]);
    return existsSync(`/proc/${pid}/stat`) ? pid : undefined;
  } finally {
    redis.disconnect();
  }
}
const redisPid = await localRedisPid();

/** CPU time a process has used so far in user space and in the kernel, in microseconds, from /proc. */
function cpuTimesUs(pid: number): { user: number; system: number } {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of the whole line, in clock ticks (100 per second on Linux).
  return { user: Number(fields[11]) * 10_000, system: Number(fields[12]) * 10_000 };
}

function cpuTimeUs(pid: number): number {
  const { user, system } = cpuTimesUs(pid);
  return user + system;
}

function update(i: number, round: number) {
  const chat = 100_000 + i;
  return JSON.stringify({
    update_id: round * 1_000_000 + i,
    message: {
      message_id: i,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chat, type: 'private', first_name: 'P' },
      from: { id: chat, is_bot: false, first_name: 'P', language_code: 'en' },
      text: '/start',
    },
  });
}

async function waitHealthy(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i += 1) {
    if (child.exitCode !== null) throw new Error(`target exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not up yet
    }
    await sleep(100);
  }
  throw new Error('target did not become healthy');
}

async function drive(
  name: string,
  url: string,
  telegram: FastTelegram,
  round: number,
  expectReplies: boolean,
  pid: number,
): Promise<Result> {
  const cpuBefore = cpuTimesUs(pid);
  const redisCpuBefore = redisPid === undefined ? 0 : cpuTimeUs(redisPid);
  const driverCpuBefore = process.cpuUsage();
  // undici's own request API rather than fetch: with fetch (WHATWG streams and headers) this
  // process spent about 300 µs of CPU per webhook against about 40 µs now, on the two cores it
  // shares with the target, and the load generator rather than the target set the pace.
  const pool = new Pool(url, { connections: CONCURRENCY, keepAliveTimeout: 30_000 });
  const latencies: number[] = [];
  let next = 0;
  telegram.reset();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < PATIENTS) {
        const i = next++;
        const sentAt = performance.now();
        const response = await pool.request({
          path: '/webhooks/telegram',
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
          body: update(i, round),
        });
        await response.body.dump();
        if (response.statusCode !== 200) throw new Error(`${name}: webhook answered ${response.statusCode}`);
        latencies.push(performance.now() - sentAt);
      }
    }),
  );
  const ackedAt = performance.now();
  if (expectReplies) {
    const deadline = Date.now() + 120_000;
    while (telegram.firstReply.size < PATIENTS && Date.now() < deadline) await sleep(20);
  }
  await pool.close();
  const cpuAfter = cpuTimesUs(pid);
  const systemCpuPerMessageUs = (cpuAfter.system - cpuBefore.system) / PATIENTS;
  const cpuPerMessageUs = (cpuAfter.user - cpuBefore.user) / PATIENTS + systemCpuPerMessageUs;
  const driverCpu = process.cpuUsage(driverCpuBefore);
  const driverCpuPerMessageUs = (driverCpu.user + driverCpu.system) / PATIENTS;
  const redisCpuPerMessageUs =
    redisPid === undefined ? undefined : (cpuTimeUs(redisPid) - redisCpuBefore) / PATIENTS;
  latencies.sort((a, b) => a - b);
  const lastReply = Math.max(...telegram.firstReply.values(), 0);
  return {
    name,
    acksPerSecond: PATIENTS / ((ackedAt - started) / 1000),
    p50: latencies[Math.floor(latencies.length * 0.5)]!,
    p99: latencies[Math.floor(latencies.length * 0.99)]!,
    repliesPerSecond: expectReplies ? telegram.firstReply.size / ((lastReply - started) / 1000) : undefined,
    answered: telegram.firstReply.size,
    cpuPerMessageUs,
    systemCpuPerMessageUs,
    redisCpuPerMessageUs,
    driverCpuPerMessageUs,
  };
}

interface SlowResult {
  name: string;
  updates: number;
  acksPerSecond: number;
  p99: number;
  messages: number;
  repeats: number;
  chatsAnswered: number;
}

const SLOW_SECONDS = Number(process.env.BENCH_SLOW_SECONDS ?? 10);
const SLOW = {
  baseMs: Number(process.env.BENCH_SLOW_BASE_MS ?? 20),
  perRequestMs: Number(process.env.BENCH_SLOW_PER_REQUEST_MS ?? 5),
};
/** Users of the slow round: distinct from the other rounds' and from each other's. */
const SLOW_USERS = 200_000;

/**
 * The slow-platform round for one target: CONCURRENCY connections post /start updates from
 * distinct users for SLOW_SECONDS, then the target gets up to 90 s to send what it decided
 * (until the fake has had no request for 5 s and answers none).
 */
async function driveSlow(
  name: string,
  url: string,
  telegram: FastTelegram,
  firstChat: number,
  expectReplies: boolean,
): Promise<SlowResult> {
  const pool = new Pool(url, { connections: CONCURRENCY, keepAliveTimeout: 30_000 });
  const latencies: number[] = [];
  let next = 0;
  telegram.reset();
  telegram.slow = SLOW;
  const started = performance.now();
  const stopAt = started + SLOW_SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < stopAt && next < SLOW_USERS) {
        const i = next++;
        const sentAt = performance.now();
        const response = await pool.request({
          path: '/webhooks/telegram',
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
          body: update(firstChat - 100_000 + i, 7_000),
        });
        await response.body.dump();
        if (response.statusCode !== 200) throw new Error(`${name}: webhook answered ${response.statusCode}`);
        latencies.push(performance.now() - sentAt);
      }
    }),
  );
  const ackedAt = performance.now();
  await pool.close();
  if (expectReplies) {
    const deadline = Date.now() + 90_000;
    while (
      Date.now() < deadline &&
      (telegram.inFlight > 0 || performance.now() - telegram.lastSendAt < 5_000)
    )
      await sleep(100);
  }
  telegram.slow = undefined;
  latencies.sort((a, b) => a - b);
  return {
    name,
    updates: latencies.length,
    acksPerSecond: latencies.length / ((ackedAt - started) / 1000),
    p99: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
    messages: telegram.sends,
    repeats: telegram.repeats(),
    chatsAnswered: telegram.firstReply.size,
  };
}

interface TargetSpec {
  name: string;
  /** Node flags, then the script and its arguments. */
  command: string[];
  env: Record<string, string>;
  expectReplies: boolean;
  port: number;
  /** Where to run it from (the repository root unless comparing another checkout). */
  cwd?: string;
}

/** A target process, started once and measured in every round. */
class Target {
  private child: ChildProcess | undefined;
  readonly url: string;

  constructor(readonly spec: TargetSpec) {
    this.url = `http://127.0.0.1:${spec.port}`;
  }

  async start(telegram: FastTelegram): Promise<void> {
    const profile =
      process.env.BENCH_PROFILE === this.spec.name
        ? ['--cpu-prof', '--cpu-prof-interval=100', '--cpu-prof-dir=/tmp/fd-prof']
        : [];
    this.child = spawn(process.execPath, [...profile, '--import', 'tsx', ...this.spec.command], {
      cwd: this.spec.cwd ?? root,
      env: {
        ...process.env,
        PORT: String(this.spec.port),
        TELEGRAM_BOT_TOKEN: TOKEN,
        TELEGRAM_WEBHOOK_SECRET: SECRET,
        TELEGRAM_API_ROOT: telegram.url,
        LOG_LEVEL: 'warn',
        ...this.spec.env,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await waitHealthy(this.url, this.child);
  }

  async measure(telegram: FastTelegram, round: number): Promise<Result> {
    const result = await drive(
      this.spec.name,
      this.url,
      telegram,
      round,
      this.spec.expectReplies,
      this.child!.pid!,
    );
    // Let background work (retries, sweeps) settle so it is not billed to the next target.
    await sleep(this.spec.expectReplies ? 1_000 : 200);
    return result;
  }

  /** The slow-platform round, on users no other round (or target) uses. */
  async measureSlow(telegram: FastTelegram, firstChat: number): Promise<SlowResult> {
    const result = await driveSlow(this.spec.name, this.url, telegram, firstChat, this.spec.expectReplies);
    await sleep(1_000);
    return result;
  }

  async stop(): Promise<void> {
    if (!this.child || this.child.exitCode !== null) return;
    this.child.kill('SIGTERM');
    await new Promise((resolve) => this.child!.once('exit', resolve));
  }
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const WARM_UP_ROUNDS = 2;
const telegram = new FastTelegram();
await telegram.start();
const database = `fd_bench_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
const admin = new pg.Client({ connectionString: POSTGRES_URL });
await admin.connect();
const prefix = `bench-${randomUUID().slice(0, 8)}`;

/** Frontdoor's settings for one instance (its own database and key prefix). */
async function frontdoorEnv(suffix: string): Promise<Record<string, string>> {
  await admin.query(`CREATE DATABASE ${database}${suffix}`);
  const databaseUrl = new URL(POSTGRES_URL);
  databaseUrl.pathname = `/${database}${suffix}`;
  return {
    DATABASE_URL: databaseUrl.toString(),
    FIELD_ENCRYPTION_KEY: generateKey(),
    REDIS_URL,
    REDIS_KEY_PREFIX: `${prefix}-fd${suffix}`,
    DATA_DIR: `/tmp/${prefix}${suffix}`,
    // The fake stands in for a Telegram that allows this bot's traffic; the production
    // default (30 messages/s per bot) would otherwise be what is measured.
    TELEGRAM_MAX_PER_SECOND: '100000',
  };
}

/**
 * Frontdoor runs with the Node flags `npm start` gives it (none today; a V8 flag is the kind of
 * change an A/B run tries), read from the checkout's package.json so the bench measures what
 * is shipped, and an A/B comparison measures each checkout's own flags.
 */
function startFlags(checkout: string): string[] {
  const { scripts } = JSON.parse(readFileSync(`${checkout}/package.json`, 'utf8')) as {
    scripts: { start: string };
  };
  // The command that starts the server (after `&&`: the script first rebuilds the web front end
  // when it is stale, whose own flags are not Node's).
  const serve = scripts.start.split('&&').at(-1) ?? '';
  return serve.split(' ').filter((word) => word.startsWith('--'));
}

/** The references run on Node's defaults, as their developer would run them; this tries others. */
const REFERENCE_FLAGS = (process.env.BENCH_REFERENCE_FLAGS ?? '').split(' ').filter(Boolean);

const specs: TargetSpec[] = [];
if (process.env.BENCH_ONLY !== 'Frontdoor') {
  specs.push({
    name: 'bare Fastify route (ceiling)',
    command: [...REFERENCE_FLAGS, 'bench/targets/ceiling.ts'],
    env: {},
    expectReplies: false,
    port: 39101,
  });
  specs.push({
    name: 'plain telegraf + Redis session',
    command: [...REFERENCE_FLAGS, 'bench/targets/plain-telegraf.ts'],
    env: { REDIS_URL, KEY_PREFIX: `${prefix}-plain:` },
    expectReplies: true,
    port: 39102,
  });
}
specs.push({
  name: 'Frontdoor',
  command: [...startFlags(root), 'src/main.ts'],
  env: await frontdoorEnv(''),
  expectReplies: true,
  port: 39103,
});
// Another checkout of Frontdoor measured in the same rounds, to compare a change fairly on a
// machine whose speed drifts.
if (process.env.BENCH_COMPARE_DIR)
  specs.push({
    name: 'Frontdoor (compared)',
    command: [...startFlags(process.env.BENCH_COMPARE_DIR), 'src/main.ts'],
    env: await frontdoorEnv('_b'),
    expectReplies: true,
    port: 39104,
    cwd: process.env.BENCH_COMPARE_DIR,
  });

console.log(
  `Webhook benchmark: ${PATIENTS} patients, ${CONCURRENCY} requests in flight, one /start each; ` +
    `${ROUNDS} rounds, the targets taking turns\n`,
);
const targets = specs.map((spec) => new Target(spec));
const rounds: Result[][] = [];
const slowResults: SlowResult[] = [];
try {
  for (const target of targets) {
    await target.start(telegram);
    // Warm-up rounds (update ids no measured round uses), so the measured rounds find
    // JIT-compiled code and every patient's conversation already started.
    for (let warmUp = 1; warmUp <= WARM_UP_ROUNDS; warmUp += 1)
      await target.measure(telegram, 1_000 + warmUp);
  }
  for (let round = 1; round <= ROUNDS; round += 1) {
    // Every other round runs the targets in reverse, so none is always measured just after the
    // same neighbour (an A/A comparison favoured the later of two identical targets by a few %).
    const order = round % 2 === 1 ? targets : [...targets].reverse();
    const measured = new Map<Target, Result>();
    for (const target of order) measured.set(target, await target.measure(telegram, round));
    const results = targets.map((target) => measured.get(target)!);
    rounds.push(results);
    console.log(
      `round ${round}: ` +
        results
          .map(
            (r) =>
              `${r.name} ${(r.repliesPerSecond ?? r.acksPerSecond).toFixed(0)}/s ${r.cpuPerMessageUs.toFixed(0)} µs`,
          )
          .join(' · '),
    );
  }
  if (SLOW_SECONDS > 0)
    for (const [index, target] of targets.entries())
      slowResults.push(await target.measureSlow(telegram, 10_000_000 + index * SLOW_USERS));
} finally {
  for (const target of targets) await target.stop();
  await telegram.stop();
  for (const suffix of ['', '_b'])
    await admin.query(`DROP DATABASE IF EXISTS ${database}${suffix} WITH (FORCE)`);
  await admin.end();
  await deleteKeysWithPrefix(REDIS_URL, prefix);
  await deleteKeysWithPrefix(REDIS_URL, `{${prefix}`);
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};
const pad = (text: string, width: number) => text.padEnd(width);
const range = (values: number[], digits = 0) =>
  `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`;
console.log('\nMedian of the rounds, with the lowest and highest in brackets:\n');
console.log(
  `${pad('target', 32)}${pad('acks/s', 21)}${pad('p50 ms', 8)}${pad('p99 ms', 18)}${pad('replies/s', 19)}${pad('CPU µs/msg (kernel)', 21)}${pad('Redis', 7)}driver`,
);
targets.forEach((target, index) => {
  const results = rounds.map((round) => round[index]!);
  const replies = results.map((r) => r.repliesPerSecond ?? 0);
  const cpu = median(results.map((r) => r.cpuPerMessageUs));
  const kernel = median(results.map((r) => r.systemCpuPerMessageUs));
  const redis = results.map((r) => r.redisCpuPerMessageUs ?? 0);
  console.log(
    `${pad(target.spec.name, 32)}${pad(range(results.map((r) => r.acksPerSecond)), 21)}${pad(median(results.map((r) => r.p50)).toFixed(1), 8)}${pad(
      range(
        results.map((r) => r.p99),
        1,
      ),
      18,
    )}${pad(target.spec.expectReplies ? range(replies) : '-', 19)}${pad(`${cpu.toFixed(0)} (${kernel.toFixed(0)})`, 21)}${pad(redisPid === undefined ? '-' : median(redis).toFixed(0), 7)}${median(results.map((r) => r.driverCpuPerMessageUs)).toFixed(0)}`,
  );
  const unanswered = results.filter((r) => target.spec.expectReplies && r.answered < PATIENTS);
  if (unanswered.length > 0)
    console.log(
      `  ${unanswered.length} round(s) left patients unanswered: ${unanswered.map((r) => r.answered).join(', ')}`,
    );
});

/** Median over the rounds of a per-round ratio between two targets (same machine moment). */
function ratio(a: string, b: string, figure: (r: Result) => number): string | undefined {
  const ia = targets.findIndex((t) => t.spec.name === a);
  const ib = targets.findIndex((t) => t.spec.name === b);
  if (ia < 0 || ib < 0) return undefined;
  return range(
    rounds.map((round) => figure(round[ia]!) / figure(round[ib]!)),
    2,
  );
}
const CEILING = 'bare Fastify route (ceiling)';
const PLAIN = 'plain telegraf + Redis session';
const lines: [string, string | undefined][] = [
  ['Frontdoor acks/s vs ceiling', ratio('Frontdoor', CEILING, (r) => r.acksPerSecond)],
  ['Frontdoor acks/s vs plain telegraf', ratio('Frontdoor', PLAIN, (r) => r.acksPerSecond)],
  ['Frontdoor replies/s vs plain telegraf', ratio('Frontdoor', PLAIN, (r) => r.repliesPerSecond ?? 0)],
  [
    'compared checkout replies/s vs Frontdoor',
    ratio('Frontdoor (compared)', 'Frontdoor', (r) => r.repliesPerSecond ?? 0),
  ],
  [
    'compared checkout CPU vs Frontdoor',
    ratio('Frontdoor (compared)', 'Frontdoor', (r) => r.cpuPerMessageUs),
  ],
];
console.log('');
for (const [label, value] of lines) if (value) console.log(`${pad(`${label}:`, 44)}${value}`);
const frontdoor = targets.findIndex((t) => t.spec.name === 'Frontdoor');
console.log(`${pad('(target: replies/s ratio ≥ 1.00, Frontdoor ack p99 < 50 ms)', 44)}`);
for (const [label, figure] of [
  ['p50', (r: Result) => r.p50],
  ['p99', (r: Result) => r.p99],
] as const)
  console.log(
    `${pad(`Frontdoor ack ${label} ms:`, 44)}${range(
      rounds.map((round) => figure(round[frontdoor]!)),
      1,
    )}`,
  );

if (slowResults.length > 0) {
  console.log(
    `\nSlow platform: ${SLOW_SECONDS} s of /start from distinct users, ${CONCURRENCY} in flight; the ` +
      `Telegram fake answers after ${SLOW.baseMs} ms + ${SLOW.perRequestMs} ms × its backlog\n`,
  );
  console.log(
    `${pad('target', 32)}${pad('updates', 9)}${pad('acks/s', 8)}${pad('p99 ms', 8)}${pad('messages', 10)}${pad('per update', 12)}${pad('repeated', 10)}chats answered`,
  );
  for (const r of slowResults) {
    const sends = targets.find((t) => t.spec.name === r.name)?.spec.expectReplies;
    console.log(
      `${pad(r.name, 32)}${pad(String(r.updates), 9)}${pad(r.acksPerSecond.toFixed(0), 8)}${pad(r.p99.toFixed(1), 8)}${pad(sends ? String(r.messages) : '-', 10)}${pad(sends ? (r.messages / r.updates).toFixed(3) : '-', 12)}${pad(sends ? String(r.repeats) : '-', 10)}${sends ? r.chatsAnswered : '-'}`,
    );
  }
  const plain = slowResults.find((r) => r.name === PLAIN);
  const front = slowResults.find((r) => r.name === 'Frontdoor');
  if (plain && front)
    console.log(
      `\n${pad('Frontdoor acks/s vs plain telegraf (slow):', 44)}${(front.acksPerSecond / plain.acksPerSecond).toFixed(2)}` +
        `\n${pad('(target: 0 repeated, acks/s ratio ≥ 1.00)', 44)}`,
    );
}
