// A hospital broadcast at the platforms' limits: 100,000 subscribers, half on Telegram and half
// on LINE, in three languages, delivered by a Frontdoor worker process (real PostgreSQL, Redis
// and BullMQ) to local fakes that enforce the configured limits (a 429 past them). The broadcast
// is made beforehand (one transaction), so the worker only delivers: it resumes it at start.
// Prints, per channel, the rate achieved between 10 % and 90 % delivered as a fraction of the
// configured limit (target ≥ 0.95), duplicates and losses (target 0), 429s, and the worker's
// memory over the run (target: flat: RSS, its peak, and the heap's low points). Asserts nothing.
// BENCH_BROADCAST_RECIPIENTS (default 100000), BENCH_TELEGRAM_RATE (TELEGRAM_BROADCAST_RATE,
// default 1000 a second), BENCH_LINE_RATE (LINE_MULTICAST_RATE, default 2 calls a second: LINE
// then takes about as long as Telegram) size it.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { MULTICAST_MAX } from '../src/channels/line/bulk.ts';
import { systemClock } from '../src/clock.ts';
import type { Locale } from '../src/i18n/locales.ts';
import { BroadcastService } from '../src/features/broadcasts/service.ts';
import { FieldCipher } from '../src/security/field-cipher.ts';
import { openDatabase } from '../src/storage/database.ts';
import { deleteKeysWithPrefix } from '../src/storage/kv/redis-store.ts';
import { PrismaAudienceFinder } from '../src/storage/prisma-audience.ts';
import { PrismaBroadcastDesk } from '../src/storage/prisma-broadcasts.ts';
import { seedSubscribers, WorkerProcess } from '../test/support/broadcast-worker.ts';
import { FAKE_LINE_SECRET, FAKE_LINE_TOKEN, LineFake } from '../test/support/fakes/line-fake.ts';
import { FAKE_BOT_TOKEN, TelegramFake } from '../test/support/fakes/telegram-fake.ts';
import { TEST_FIELD_KEY } from '../test/support/instance.ts';
import { freePort } from '../test/support/net.ts';

const RECIPIENTS = Number(process.env.BENCH_BROADCAST_RECIPIENTS ?? 100_000);
const TELEGRAM_RATE = Number(process.env.BENCH_TELEGRAM_RATE ?? 1000);
const LINE_RATE = Number(process.env.BENCH_LINE_RATE ?? 2);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const POSTGRES_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const LOCALES: Locale[] = ['vi', 'en', 'th'];

/** The worker's V8 heap in use, from its metrics (loopback: no token needed). */
async function heapUsed(url: string): Promise<number> {
  const metrics = await (await fetch(`${url}/metrics`)).text();
  return Number(/^frontdoor_nodejs_heap_size_used_bytes (\S+)/m.exec(metrics)?.[1] ?? Number.NaN);
}

const telegramChat = (i: number) => String(600_000_000 + i);
const lineUser = (i: number) => `U${i.toString(16).padStart(32, '0')}`;

const telegram = await new TelegramFake({
  keepRequests: false,
  perSecond: process.env.BENCH_NO_LIMIT ? undefined : TELEGRAM_RATE,
}).start();
const line = await new LineFake({ keepRequests: false, multicastPerSecond: LINE_RATE }).start();
const name = `fd_bench_broadcast_${randomUUID().replaceAll('-', '').slice(0, 8)}`;
const admin = new pg.Client({ connectionString: POSTGRES_URL });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const databaseUrl = new URL(POSTGRES_URL);
databaseUrl.pathname = `/${name}`;
const keyPrefix = `bench-broadcast-${randomUUID().slice(0, 8)}`;
const dataDir = await mkdtemp(join(tmpdir(), 'frontdoor-bench-broadcast-'));
let worker: WorkerProcess | undefined;

try {
  const database = await openDatabase({ url: databaseUrl.toString(), dataDir });
  const seedStarted = performance.now();
  await seedSubscribers(database, RECIPIENTS, (i) => ({
    channel: i % 2 === 0 ? 'telegram' : 'line',
    channelUserId: i % 2 === 0 ? telegramChat(i) : lineUser(i),
    locale: LOCALES[i % LOCALES.length]!,
  }));
  const seeded = performance.now();
  // Kept as the API would keep it; delivery is left to the worker (it resumes what is sending).
  const desk = new PrismaBroadcastDesk(database.prisma);
  const service = new BroadcastService(
    desk,
    new PrismaAudienceFinder({
      prisma: database.prisma,
      hospital: { appointmentsOn: async () => [] },
      cipher: new FieldCipher(TEST_FIELD_KEY),
      timeZone: 'Asia/Ho_Chi_Minh',
      clock: systemClock,
    }),
    async () => {},
    { clock: systemClock, timeZone: 'Asia/Ho_Chi_Minh' },
  );
  const { recipients } = await service.send({
    audience: { kind: 'subscribers' },
    texts: {
      vi: 'Phòng khám cúm mở cửa thứ Bảy lúc 8:00.',
      en: 'The flu clinic opens Saturday at 8:00.',
      th: 'คลินิกไข้หวัดใหญ่เปิดวันเสาร์ เวลา 8:00 น.',
    },
    idempotencyKey: `bench-${keyPrefix}`,
    sender: { kind: 'api-key', name: 'bench' },
  });
  const created = performance.now();
  await database.close();
  console.log(
    `Broadcast benchmark: ${recipients} subscribers (half Telegram, half LINE; ${LOCALES.join('/')}), ` +
      `TELEGRAM_BROADCAST_RATE=${TELEGRAM_RATE}/s, LINE_MULTICAST_RATE=${LINE_RATE} calls/s ` +
      `(${LINE_RATE * MULTICAST_MAX} recipients/s); fakes answer 429 past those limits`,
  );
  console.log(
    `  seeded in ${((seeded - seedStarted) / 1000).toFixed(1)} s; broadcast kept (one transaction) in ` +
      `${((created - seeded) / 1000).toFixed(1)} s`,
  );

  const telegramTotal = Math.ceil(RECIPIENTS / 2);
  const lineTotal = RECIPIENTS - telegramTotal;
  worker = await WorkerProcess.start(
    {
      DATABASE_URL: databaseUrl.toString(),
      REDIS_URL,
      REDIS_KEY_PREFIX: keyPrefix,
      DATA_DIR: dataDir,
      FIELD_ENCRYPTION_KEY: TEST_FIELD_KEY,
      SESSION_SECRET: 'bench-broadcast-session-secret-0123456789',
      TELEGRAM_BOT_TOKEN: FAKE_BOT_TOKEN,
      TELEGRAM_API_ROOT: telegram.url,
      TELEGRAM_WEBHOOK_SECRET: 'bench-secret',
      LINE_CHANNEL_SECRET: FAKE_LINE_SECRET,
      LINE_CHANNEL_ACCESS_TOKEN: FAKE_LINE_TOKEN,
      LINE_API_BASE_URL: line.url,
      TELEGRAM_BROADCAST_RATE: String(TELEGRAM_RATE),
      LINE_MULTICAST_RATE: String(LINE_RATE),
      ...(process.env.BENCH_WORKER_NODE_OPTIONS
        ? { NODE_OPTIONS: process.env.BENCH_WORKER_NODE_OPTIONS }
        : {}),
    },
    await freePort(),
  );

  // When each tenth of each channel's recipients had been delivered, and the worker's memory.
  const marks = { telegram: [] as number[], line: [] as number[] };
  const memory: { at: number; done: number; rssKb: number }[] = [];
  /** The worker's V8 heap in use (its /metrics), about once a second. */
  const heap: { done: number; bytes: number }[] = [];
  let polls = 0;
  const started = performance.now();
  const deadline = started + 30 * 60_000;
  for (;;) {
    const now = performance.now();
    for (const [channel, fake, total] of [
      ['telegram', telegram, telegramTotal],
      ['line', line, lineTotal],
    ] as const) {
      const done = fake.totalDelivered;
      while (marks[channel].length <= 10 && done >= (total * marks[channel].length) / 10)
        marks[channel].push(now);
    }
    const done = telegram.totalDelivered + line.totalDelivered;
    memory.push({ at: now, done, rssKb: worker.memory().rssKb });
    if (polls++ % 20 === 0) heap.push({ done, bytes: await heapUsed(worker.url) });
    if (done >= RECIPIENTS || now > deadline) break;
    await sleep(50);
  }
  const finished = performance.now();
  const { peakKb } = worker.memory();

  const rateBetween = (times: number[], total: number) =>
    times.length > 9 ? (total * 0.8) / ((times[9]! - times[1]!) / 1000) : 0;
  const counts = (delivered: Map<string, number>, users: string[]) => {
    let duplicates = 0;
    let losses = 0;
    for (const user of users) {
      const got = delivered.get(user) ?? 0;
      if (got === 0) losses += 1;
      else duplicates += got - 1;
    }
    return { duplicates, losses };
  };
  const telegramUsers = Array.from({ length: telegramTotal }, (_, k) => telegramChat(2 * k));
  const lineUsers = Array.from({ length: lineTotal }, (_, k) => lineUser(2 * k + 1));
  const rows = [
    {
      channel: 'telegram',
      limit: `${TELEGRAM_RATE} msg/s`,
      achieved: rateBetween(marks.telegram, telegramTotal),
      configured: TELEGRAM_RATE,
      unit: 'msg/s',
      tooMany: telegram.rateLimited,
      ...counts(telegram.delivered, telegramUsers),
    },
    {
      channel: 'line',
      limit: `${LINE_RATE} calls/s × ${MULTICAST_MAX}`,
      achieved: rateBetween(marks.line, lineTotal),
      configured: LINE_RATE * MULTICAST_MAX,
      unit: 'recipients/s',
      tooMany: line.rateLimited,
      ...counts(line.delivered, lineUsers),
    },
  ];
  const pad = (text: string, width: number) => text.padEnd(width);
  console.log(
    `  delivered ${telegram.totalDelivered + line.totalDelivered} of ${RECIPIENTS} in ` +
      `${((finished - started) / 1000).toFixed(1)} s from the worker's start ` +
      `(${line.multicastsAccepted} LINE multicasts: calls hold one language)\n`,
  );
  console.log(
    `  ${pad('channel', 10)}${pad('limit', 20)}${pad('achieved (10–90 %)', 30)}${pad('of limit', 10)}${pad('duplicates', 12)}${pad('losses', 8)}429s`,
  );
  for (const row of rows)
    console.log(
      `  ${pad(row.channel, 10)}${pad(row.limit, 20)}${pad(`${row.achieved.toFixed(0)} ${row.unit}`, 30)}${pad(
        (row.achieved / row.configured).toFixed(3),
        10,
      )}${pad(String(row.duplicates), 12)}${pad(String(row.losses), 8)}${row.tooMany}`,
    );
  // LINE's calls are whole languages cut in 500s: the last call of each language is short, so
  // recipients a second fall a little below calls a second × 500.
  const lineCalls =
    marks.line.length > 9 ? (line.multicastsAccepted * 0.8) / ((marks.line[9]! - marks.line[1]!) / 1000) : 0;
  console.log(
    `  (LINE calls a second, 10–90 %: about ${lineCalls.toFixed(2)} of ${LINE_RATE}; target ≥ 0.95 of each limit, 0 duplicates, 0 losses)`,
  );
  const rssAt = (fraction: number) =>
    memory.find((sample) => sample.done >= RECIPIENTS * fraction)?.rssKb ?? memory.at(-1)!.rssKb;
  const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
  console.log(
    `  worker memory (RSS) at 0/25/50/75/100 % delivered: ${[0, 0.25, 0.5, 0.75, 1]
      .map((fraction) => mb(rssAt(fraction)))
      .join(' / ')}; peak ${mb(peakKb)} (the worker process alone)`,
  );
  // The heap's low points (just after a collection) show what the worker keeps; RSS also holds
  // garbage not yet collected and what V8 has not given back.
  const floors = [0, 1, 2, 3].map((quarter) =>
    Math.min(
      ...heap
        .filter(
          (sample) =>
            sample.done >= (RECIPIENTS * quarter) / 4 && sample.done < (RECIPIENTS * (quarter + 1)) / 4,
        )
        .map((sample) => sample.bytes),
    ),
  );
  console.log(
    `  worker heap in use, lowest in each quarter of the delivery: ${floors
      .map((bytes) => (Number.isFinite(bytes) ? `${(bytes / 2 ** 20).toFixed(0)} MB` : '-'))
      .join(' / ')}`,
  );
} finally {
  await worker?.stop();
  await telegram.stop();
  await line.stop();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
  await deleteKeysWithPrefix(REDIS_URL, `${keyPrefix}:`);
  await deleteKeysWithPrefix(REDIS_URL, `{${keyPrefix}}`);
  await rm(dataDir, { recursive: true, force: true });
}
