// Exactly once through crashes: a 10,000-recipient broadcast (half Telegram, half LINE) is
// delivered by a worker PROCESS on real PostgreSQL and Redis (BullMQ), killed with SIGKILL twice
// while the platform fakes hold their answers (calls in flight), and started again each time.
// Every LINE user gets the notice once (the restarted worker makes the interrupted multicasts
// again under the same X-Line-Retry-Key: 409, counted sent); every Telegram chat once (a call
// found in flight counts as sent, unconfirmed, and is never made again); the few who blocked
// the bot never, counted blocked. A burst of 429s with retry_after changes nothing, nor does a
// deploy (SIGTERM) mid-way. The same idempotency key posted three times at once makes one
// broadcast.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BroadcastReport } from '../../src/domain/broadcasts.ts';
import { lanesFor } from '../../src/features/broadcasts/delivery-calls.ts';
import { ApiKeys } from '../../src/security/api-keys.ts';
import { openDatabase, type Database } from '../../src/storage/database.ts';
import { deleteRedisKeys, testRedisUrl, uniquePrefix } from '../support/backends.ts';
import { seedSubscribers, WorkerProcess } from '../support/broadcast-worker.ts';
import { FAKE_LINE_SECRET, FAKE_LINE_TOKEN, LineFake } from '../support/fakes/line-fake.ts';
import { FAKE_BOT_TOKEN, TelegramFake } from '../support/fakes/telegram-fake.ts';
import { freePort } from '../support/net.ts';
import { TEST_FIELD_KEY, testDatabase, usingRealServices } from '../support/instance.ts';
import type { TestDatabaseTarget } from '../support/database.ts';

const TOTAL = 10_000;
const telegramChat = (i: number) => String(500_000_000 + i);
const lineUser = (i: number) => `U${i.toString(16).padStart(32, '0')}`;
/** Users who blocked the bot: Telegram answers 403. */
const BLOCKED = [7, 1_001, 2_503, 3_999, 4_987].map((n) => telegramChat(n * 2));
/** Telegram calls a run keeps in flight (one recipient each). */
const TELEGRAM_LANES = lanesFor({ recipientsPerCall: 1 });

describe.skipIf(!usingRealServices)('a broadcast through two kill -9s and a deploy of its worker', () => {
  const telegram = new TelegramFake();
  const line = new LineFake();
  const keyPrefix = uniquePrefix('crash').slice(0, -1);
  let target: TestDatabaseTarget;
  let database: Database;
  let dataDir: string;
  let port: number;
  let apiKey: string;
  let worker: WorkerProcess | undefined;
  let env: Record<string, string>;

  beforeAll(async () => {
    await telegram.start();
    await line.start();
    for (const chat of BLOCKED) telegram.blocked.add(chat);
    target = await testDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'frontdoor-crash-'));
    database = await openDatabase({ url: target.url, dataDir });
    // Even subscribers on Telegram, odd ones on LINE; a third read Vietnamese.
    await seedSubscribers(database, TOTAL, (i) => ({
      channel: i % 2 === 0 ? 'telegram' : 'line',
      channelUserId: i % 2 === 0 ? telegramChat(i) : lineUser(i),
      locale: i % 3 === 0 ? 'vi' : 'en',
    }));
    apiKey = (await new ApiKeys(database.prisma).add('crash-test', ['broadcasts']))!;
    port = await freePort();
    env = {
      DATABASE_URL: target.url!,
      REDIS_URL: testRedisUrl!,
      REDIS_KEY_PREFIX: keyPrefix,
      DATA_DIR: dataDir,
      FIELD_ENCRYPTION_KEY: TEST_FIELD_KEY,
      SESSION_SECRET: 'crash-test-session-secret-0123456789',
      TELEGRAM_BOT_TOKEN: FAKE_BOT_TOKEN,
      TELEGRAM_API_ROOT: telegram.url,
      TELEGRAM_WEBHOOK_SECRET: 'crash-test-secret',
      LINE_CHANNEL_SECRET: FAKE_LINE_SECRET,
      LINE_CHANNEL_ACCESS_TOKEN: FAKE_LINE_TOKEN,
      LINE_API_BASE_URL: line.url,
      // Quick for a test; LINE slow enough (10 calls at 2 a second) to be caught mid-way.
      TELEGRAM_BROADCAST_RATE: '2000',
      LINE_MULTICAST_RATE: '2',
      API_RATE_LIMIT: '1000',
    };
  }, 120_000);

  afterAll(async () => {
    await worker?.kill();
    await telegram.stop();
    await line.stop();
    await database?.close();
    await target?.drop();
    await deleteRedisKeys(testRedisUrl!, `${keyPrefix}:`);
    await deleteRedisKeys(testRedisUrl!, `{${keyPrefix}}`);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${worker!.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', ...init.headers },
    });
  const sendingOn = (broadcastId: string, channel: string) =>
    database.prisma.broadcastRecipient.count({ where: { broadcastId, channel, state: 'sending' } });

  /**
   * Holds both platforms' answers, then waits until the worker can do nothing more: every
   * Telegram lane waits on a held call (none is between its intent and its request, which a kill
   * would turn into a message counted sent and never sent), every outcome answered before the
   * hold is settled, and a LINE multicast is held (accepted by LINE, its answer never heard).
   */
  async function holdCallsInFlight(broadcastId: string): Promise<void> {
    const multicastsBefore = line.multicastsAccepted;
    telegram.http.hold();
    line.http.hold();
    await vi.waitFor(
      async () => {
        expect(telegram.http.held).toBe(TELEGRAM_LANES);
        expect(await sendingOn(broadcastId, 'telegram')).toBe(TELEGRAM_LANES);
        expect(line.multicastsAccepted).toBeGreaterThan(multicastsBefore);
      },
      { timeout: 30_000 },
    );
  }

  async function crashAndRestart(): Promise<void> {
    await worker!.kill();
    // The platforms answer now, to a worker that is gone.
    telegram.http.release();
    line.http.release();
    worker = await WorkerProcess.start(env, port);
  }

  it('reaches every recipient exactly once and reports what the platforms counted', async () => {
    worker = await WorkerProcess.start(env, port);
    const body = JSON.stringify({
      audience: { kind: 'subscribers' },
      text: { en: 'The flu clinic opens Saturday at 8:00.', vi: 'Phòng khám cúm mở cửa thứ Bảy lúc 8:00.' },
      idempotencyKey: 'flu-clinic-saturday',
    });
    const posts = await Promise.all([1, 2, 3].map(() => api('/api/v1/broadcasts', { method: 'POST', body })));
    const answers = (await Promise.all(posts.map((post) => post.json()))) as {
      id: string;
      recipients: number;
    }[];
    expect(posts.map((post) => post.status).sort()).toEqual([200, 200, 202]);
    expect(new Set(answers.map((answer) => answer.id)).size).toBe(1);
    expect(answers[0]!.recipients).toBe(TOTAL);
    expect(await database.prisma.broadcast.count()).toBe(1);
    const id = answers[0]!.id;

    // First kill: early, once LINE has taken a call or two.
    await vi.waitFor(() => expect(line.multicastsAccepted).toBeGreaterThanOrEqual(1), { timeout: 30_000 });
    await holdCallsInFlight(id);
    await crashAndRestart();

    // Second kill: mid-way, once the worker that took over has made new calls on both.
    const before = { telegram: telegram.totalDelivered, line: line.multicastsAccepted };
    await vi.waitFor(
      () => {
        expect(telegram.totalDelivered).toBeGreaterThan(before.telegram + 300);
        expect(line.multicastsAccepted).toBeGreaterThanOrEqual(before.line + 2);
      },
      { timeout: 30_000 },
    );
    await holdCallsInFlight(id);
    // Telegram says "too many requests, retry after 1 s" to the new worker's first calls.
    for (let i = 0; i < TELEGRAM_LANES; i += 1)
      telegram.failNext('sendMessage', {
        error_code: 429,
        description: 'Too Many Requests: retry after 1',
        parameters: { retry_after: 1 },
      });
    await crashAndRestart();

    // Then a deploy: SIGTERM mid-way. The calls in flight finish and are settled before the
    // worker exits; the next start carries on (its BullMQ job was left to be tried again).
    const beforeDeploy = telegram.totalDelivered;
    await vi.waitFor(() => expect(telegram.totalDelivered).toBeGreaterThan(beforeDeploy + 300), {
      timeout: 30_000,
    });
    expect(await worker.stop()).toBe(0);
    expect(await sendingOn(id, 'telegram')).toBe(0);
    worker = await WorkerProcess.start(env, port);

    let report: BroadcastReport | undefined;
    await vi.waitFor(
      async () => {
        report = (await (await api(`/api/v1/broadcasts/${id}`)).json()) as BroadcastReport;
        expect(report.status).toBe('done');
      },
      { timeout: 60_000, interval: 200 },
    );

    // The platforms: every subscriber once, the blocked never.
    const telegramUsers = TOTAL / 2;
    for (let i = 0; i < TOTAL; i += 2) {
      const chat = telegramChat(i);
      expect(telegram.delivered.get(chat), chat).toBe(BLOCKED.includes(chat) ? undefined : 1);
    }
    for (let i = 1; i < TOTAL; i += 2) expect(line.delivered.get(lineUser(i)), lineUser(i)).toBe(1);
    expect(telegram.totalDelivered).toBe(telegramUsers - BLOCKED.length);
    expect(line.totalDelivered).toBe(TOTAL / 2);
    // A blocked user was asked once: never again after the 403, nor after a crash.
    const asked = (chat: string) =>
      telegram.http.requests.filter(
        (request) =>
          request.path.endsWith('/sendMessage') &&
          request.status !== 429 &&
          String((request.body as { chat_id: unknown }).chat_id) === chat,
      ).length;
    for (const chat of BLOCKED) expect(asked(chat), chat).toBe(1);
    // What the crashes and the 429s went through.
    expect(line.conflicts).toBeGreaterThanOrEqual(2);
    const tooMany = telegram.http.requests.filter((request) => request.status === 429).length;
    expect(tooMany).toBeGreaterThanOrEqual(TELEGRAM_LANES);
    const unconfirmed = await database.prisma.broadcastRecipient.findMany({
      where: { broadcastId: id, reason: 'unconfirmed' },
      select: { channel: true, channelUserId: true, state: true },
    });
    // The Telegram calls held at each kill: counted sent, never made again. (None at the deploy.)
    expect(unconfirmed.filter((row) => row.channel === 'telegram')).toHaveLength(2 * TELEGRAM_LANES);
    expect(unconfirmed.filter((row) => row.channel === 'line')).toEqual([]);

    // The report: what the platforms counted. A blocked user whose 403 was on its way to a
    // killed worker is counted sent (unconfirmed) like any call found in flight.
    const blockedInFlight = unconfirmed.filter((row) => BLOCKED.includes(row.channelUserId)).length;
    expect(report).toMatchObject({
      status: 'done',
      total: TOTAL,
      sent: telegram.totalDelivered + line.totalDelivered + blockedInFlight,
      blocked: BLOCKED.length - blockedInFlight,
      failed: 0,
      pending: 0,
      cancelled: 0,
    });
    expect(report!.channels.telegram).toMatchObject({
      total: telegramUsers,
      sent: telegram.totalDelivered + blockedInFlight,
      blocked: BLOCKED.length - blockedInFlight,
    });
    expect(report!.channels.line).toMatchObject({ total: TOTAL / 2, sent: line.totalDelivered, blocked: 0 });

    // Each in the language it reads: the hospital's heading, the text, how to stop hospital notices.
    const first = telegram.http.requests.find(
      (request) => request.path.endsWith('/sendMessage') && request.status === 200,
    )!.body as { chat_id: string; text: string };
    const vietnamese = (Number(first.chat_id) - Number(telegramChat(0))) % 3 === 0;
    const [heading, text, ...rest] = first.text.split('\n\n');
    expect(heading).toMatch(vietnamese ? /^📢 Thông báo từ / : /^📢 Notice from /);
    expect(text).toMatch(vietnamese ? /^Phòng khám cúm/ : /^The flu clinic/);
    expect(rest).toHaveLength(1);
  }, 150_000);
});
