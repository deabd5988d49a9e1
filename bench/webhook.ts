// Webhook throughput: distinct Telegram updates from a few thousand patients, driven at
// Frontdoor (Redis + PostgreSQL, replies to a fast local Telegram fake) and at two references:
// a bare Fastify route (the ceiling) and a plain telegraf bot with a Redis session store.
// Prints acks/s, p50/p99 ack latency, replies/s and CPU per message (the target, Redis and
// this load generator with its Telegram fake) for each, and the ratios. Asserts nothing.
// BENCH_PATIENTS, BENCH_CONCURRENCY size the load; BENCH_ONLY=Frontdoor skips the references;
// BENCH_PROFILE=<target name> writes a CPU profile of that target to /tmp/fd-prof.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pg from 'pg';
import { Agent } from 'undici';
import { deleteKeysWithPrefix } from '../src/storage/kv/redis-store.ts';
import { generateKey } from '@47ng/cloak';

const PATIENTS = Number(process.env.BENCH_PATIENTS ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const POSTGRES_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const TOKEN = '123456789:AAFakeTokenForFrontdoorBenchmarks-xyz';
const SECRET = 'bench-secret';
const root = new URL('..', import.meta.url).pathname;

/** A Telegram Bot API that answers instantly and notes when each chat got its first reply. */
class FastTelegram {
  readonly firstReply = new Map<number, number>();
  sends = 0;
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const method = req.url?.split('/').pop();
        if (method === 'sendMessage') {
          const body = JSON.parse(Buffer.concat(chunks).toString()) as { chat_id: number | string };
          const chat = Number(body.chat_id);
          this.sends += 1;
          if (!this.firstReply.has(chat)) this.firstReply.set(chat, performance.now());
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(
            `{"ok":true,"result":{"message_id":${this.sends},"date":0,"chat":{"id":${chat},"type":"private"},"text":""}}`,
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
    this.sends = 0;
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

/** CPU time (user + system) a process has used so far, in microseconds, from /proc. */
function cpuTimeUs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of the whole line, in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
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
  const cpuBefore = cpuTimeUs(pid);
  const redisCpuBefore = redisPid === undefined ? 0 : cpuTimeUs(redisPid);
  const driverCpuBefore = process.cpuUsage();
  const dispatcher = new Agent({ connections: CONCURRENCY, keepAliveTimeout: 30_000 });
  const latencies: number[] = [];
  let next = 0;
  telegram.reset();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < PATIENTS) {
        const i = next++;
        const sentAt = performance.now();
        const response = await fetch(`${url}/webhooks/telegram`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
          body: update(i, round),
          dispatcher,
        } as RequestInit);
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`${name}: webhook answered ${response.status}`);
        latencies.push(performance.now() - sentAt);
      }
    }),
  );
  const ackedAt = performance.now();
  if (expectReplies) {
    const deadline = Date.now() + 120_000;
    while (telegram.firstReply.size < PATIENTS && Date.now() < deadline) await sleep(20);
  }
  await dispatcher.close();
  const cpuPerMessageUs = (cpuTimeUs(pid) - cpuBefore) / PATIENTS;
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
    redisCpuPerMessageUs,
    driverCpuPerMessageUs,
  };
}

async function run(
  name: string,
  command: string[],
  env: Record<string, string>,
  telegram: FastTelegram,
  expectReplies: boolean,
  port: number,
): Promise<Result> {
  const profile =
    process.env.BENCH_PROFILE === name
      ? ['--cpu-prof', '--cpu-prof-interval=100', '--cpu-prof-dir=/tmp/fd-prof']
      : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', ...command], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      TELEGRAM_API_ROOT: telegram.url,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitHealthy(url, child);
    // Warm-up round with other chats and update ids, so the measured round finds JIT-compiled code.
    await drive(`${name} (warm-up)`, url, telegram, 9, false, child.pid!);
    await sleep(expectReplies ? 2_000 : 200);
    return await drive(name, url, telegram, 1, expectReplies, child.pid!);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

const telegram = new FastTelegram();
await telegram.start();
const database = `fd_bench_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
const admin = new pg.Client({ connectionString: POSTGRES_URL });
await admin.connect();
await admin.query(`CREATE DATABASE ${database}`);
const databaseUrl = new URL(POSTGRES_URL);
databaseUrl.pathname = `/${database}`;
const prefix = `bench-${randomUUID().slice(0, 8)}`;

console.log(`Webhook benchmark: ${PATIENTS} patients, ${CONCURRENCY} requests in flight, one /start each\n`);
const results: Result[] = [];
try {
  if (process.env.BENCH_ONLY !== 'Frontdoor')
    results.push(
      await run('bare Fastify route (ceiling)', ['bench/targets/ceiling.ts'], {}, telegram, false, 39101),
    );
  if (process.env.BENCH_ONLY !== 'Frontdoor')
    results.push(
      await run(
        'plain telegraf + Redis session',
        ['bench/targets/plain-telegraf.ts'],
        { REDIS_URL, KEY_PREFIX: `${prefix}-plain:` },
        telegram,
        true,
        39102,
      ),
    );
  results.push(
    await run(
      'Frontdoor',
      ['src/main.ts'],
      {
        DATABASE_URL: databaseUrl.toString(),
        FIELD_ENCRYPTION_KEY: generateKey(),
        REDIS_URL,
        REDIS_KEY_PREFIX: `${prefix}-fd`,
        DATA_DIR: `/tmp/${prefix}`,
        // The fake stands in for a Telegram that allows this bot's traffic; the production
        // default (30 messages/s per bot) would otherwise be what is measured.
        TELEGRAM_MAX_PER_SECOND: '100000',
      },
      telegram,
      true,
      39103,
    ),
  );
} finally {
  await telegram.stop();
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.end();
  await deleteKeysWithPrefix(REDIS_URL, prefix);
  await deleteKeysWithPrefix(REDIS_URL, `{${prefix}`);
}

const pad = (text: string, width: number) => text.padEnd(width);
console.log(
  `${pad('target', 34)}${pad('acks/s', 10)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('replies/s', 11)}${pad('answered', 11)}${pad('CPU µs/msg', 12)}${pad('Redis', 7)}driver`,
);
for (const r of results) {
  console.log(
    `${pad(r.name, 34)}${pad(r.acksPerSecond.toFixed(0), 10)}${pad(r.p50.toFixed(1), 9)}${pad(r.p99.toFixed(1), 9)}${pad(r.repliesPerSecond === undefined ? '-' : r.repliesPerSecond.toFixed(0), 11)}${pad(r.repliesPerSecond === undefined ? '-' : `${r.answered}/${PATIENTS}`, 11)}${pad(r.cpuPerMessageUs.toFixed(0), 12)}${pad(r.redisCpuPerMessageUs?.toFixed(0) ?? '-', 7)}${r.driverCpuPerMessageUs.toFixed(0)}`,
  );
}
if (results.length < 3) process.exit(0);
const [ceiling, plain, frontdoor] = results as [Result, Result, Result];
console.log('');
console.log(
  `Frontdoor acks/s vs ceiling:         ${(frontdoor.acksPerSecond / ceiling.acksPerSecond).toFixed(2)}`,
);
console.log(
  `Frontdoor acks/s vs plain telegraf:  ${(frontdoor.acksPerSecond / plain.acksPerSecond).toFixed(2)}`,
);
console.log(
  `Frontdoor replies/s vs plain telegraf: ${((frontdoor.repliesPerSecond ?? 0) / (plain.repliesPerSecond ?? 1)).toFixed(2)} (target ≥ 1.00)`,
);
console.log(`Frontdoor ack p99: ${frontdoor.p99.toFixed(1)} ms (target < 50 ms)`);
