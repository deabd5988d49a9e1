// What each channel's bulk sender promises the broadcast worker, against the platform fakes
// and every key-value store (memory; Redis when TEST_REDIS_URL is set, with a second connection
// standing for a second instance). Time is a ManualClock: a send that must wait parks on one of
// its timers and goes on only when the test moves it.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BulkCall, BulkSender } from '../../src/channels/channel.ts';
import { LineBulkSender, MULTICAST_MAX } from '../../src/channels/line/bulk.ts';
import { lineClient } from '../../src/channels/line/sender.ts';
import { BotApi } from '../../src/channels/telegram/bot-api.ts';
import { TelegramBulkSender } from '../../src/channels/telegram/bulk.ts';
import { TelegramSender } from '../../src/channels/telegram/sender.ts';
import { WebChatBulkSender } from '../../src/channels/web/bulk.ts';
import { WebChatLog } from '../../src/channels/web/chat-log.ts';
import { ManualClock } from '../../src/clock.ts';
import { DeliveryError } from '../../src/conversation/outbox.ts';
import { createLogger } from '../../src/logging.ts';
import { FieldCipher } from '../../src/security/field-cipher.ts';
import type { KeyValueStore } from '../../src/storage/kv/key-value-store.ts';
import { MemoryStore } from '../../src/storage/kv/memory-store.ts';
import { RedisStore } from '../../src/storage/kv/redis-store.ts';
import { deleteRedisKeys, testRedisUrl, uniquePrefix } from '../support/backends.ts';
import { FAKE_LINE_TOKEN, LineFake } from '../support/fakes/line-fake.ts';
import { FAKE_BOT_TOKEN, TelegramFake } from '../support/fakes/telegram-fake.ts';
import { TEST_FIELD_KEY } from '../support/instance.ts';

/** A window boundary, so a burst starts a fresh window. */
const START = Date.UTC(2026, 0, 1, 9);
const silent = createLogger('silent');
/** The most a waiting send adds to a window's end (instances do not all retry at once). */
const SPREAD = 20;

/** Two instances' views of one store, and the clock both follow. */
interface Stores {
  clock: ManualClock;
  kv: KeyValueStore;
  other: KeyValueStore;
}

interface Backend {
  name: string;
  open(): Promise<Stores & { close(): Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: 'memory',
    async open() {
      const clock = new ManualClock(START);
      const kv = new MemoryStore(clock);
      return { clock, kv, other: kv, close: () => kv.close() };
    },
  },
];
if (testRedisUrl) {
  const url = testRedisUrl;
  backends.push({
    name: 'redis',
    async open() {
      const prefix = uniquePrefix('bulk');
      const [kv, other] = await Promise.all([
        RedisStore.connect(url, prefix),
        RedisStore.connect(url, prefix),
      ]);
      return {
        clock: new ManualClock(START),
        kv,
        other,
        async close() {
          await Promise.all([kv.close(), other.close()]);
          await deleteRedisKeys(url, prefix);
        },
      };
    },
  });
}

/**
 * Waits (for I/O: fake calls, store round trips; never for time) until `predicate` holds.
 * Parked senders hold timers on the ManualClock, so "still waiting" is checked exactly.
 */
async function until(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`not reached: ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Starts `promise` and tells whether it settled, and how. */
function track<T>(promise: Promise<T>): { done: boolean; value?: T; error?: unknown } {
  const state: { done: boolean; value?: T; error?: unknown } = { done: false };
  promise.then(
    (value) => Object.assign(state, { done: true, value }),
    (error: unknown) => Object.assign(state, { done: true, error }),
  );
  return state;
}

let nextChat = 700_000;
/** A call to `count` new recipients (Telegram chat ids, LINE user ids). */
function call(
  count = 1,
  text = 'Cardiology closes at 15:00 today.\n\nReply STOP to stop hospital notices.',
): BulkCall {
  return {
    key: randomUUID(),
    text,
    recipients: Array.from({ length: count }, () => {
      nextChat += 1;
      return { id: `r-${nextChat}`, channelUserId: String(nextChat) };
    }),
  };
}

const chatOf = (bulkCall: BulkCall) => bulkCall.recipients[0]!.channelUserId;

describe.each(backends)('bulk senders [$name]', (backend) => {
  let stores: Stores & { close(): Promise<void> };
  afterEach(async () => {
    await stores?.close();
  });

  describe('Telegram', () => {
    let fake: TelegramFake;
    let api: BotApi;
    beforeAll(async () => {
      fake = await new TelegramFake().start();
      api = new BotApi(FAKE_BOT_TOKEN, `${fake.url}/`);
    });
    afterAll(async () => {
      await api?.close();
      await fake?.stop();
    });

    const bulkSender = (perSecond = 30, kv = stores.kv) =>
      new TelegramBulkSender(api, kv, { perSecond, perChatIntervalMs: 20, clock: stores.clock });
    const conversationSender = (kv = stores.other) =>
      new TelegramSender(api, kv, { perChatIntervalMs: 20, clock: stores.clock }, silent);
    const batch = (chat: string) => ({
      channel: 'telegram',
      channelUserId: chat,
      seq: 1,
      locale: 'en' as const,
      messages: [{ text: 'Your appointment is confirmed.' }],
    });

    it('sends one plain-text message per call and reports it sent', async () => {
      stores = await backend.open();
      const bulk = bulkSender();
      expect(bulk.recipientsPerCall).toBe(1);
      expect(bulk.resendsSafely).toBe(false);
      const one = call();
      await bulk.pace(one);
      expect(await bulk.send(one)).toEqual([{ id: one.recipients[0]!.id, result: 'sent' }]);
      const [sent] = fake.messages(chatOf(one));
      expect(sent?.body).toEqual({ chat_id: chatOf(one), text: one.text });
      expect(fake.delivered.get(chatOf(one))).toBe(1);
    });

    it("a 429's retry_after pauses the whole bot: the conversations wait too, on another instance", async () => {
      stores = await backend.open();
      const bulk = bulkSender();
      fake.failNext('sendMessage', {
        error_code: 429,
        description: 'Too Many Requests: retry after 5',
        parameters: { retry_after: 5 },
      });
      const refused = call();
      await bulk.pace(refused);
      const error = await bulk.send(refused).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DeliveryError);
      expect((error as DeliveryError).options.retryAfterMs).toBe(5_000);

      const patient = String((nextChat += 1));
      const answer = track(conversationSender().deliver(batch(patient), 0, async () => undefined));
      const nextCall = call();
      const paced = track(bulk.pace(nextCall));
      await until(() => stores.clock.pendingTimers === 2, 'both senders parked on the pause');
      stores.clock.advance(4_999);
      // They woke, found the bot still paused, and parked again.
      await until(() => stores.clock.pendingTimers === 2, 'both senders parked again');
      expect(answer.done || paced.done).toBe(false);
      expect(fake.messages(patient)).toHaveLength(0);

      stores.clock.advance(1 + SPREAD);
      await until(() => answer.done && paced.done, 'the pause is over');
      expect(answer.error).toBeUndefined();
      expect(fake.messages(patient)).toHaveLength(1);
    });

    it('makes no call while the bot is paused, even when paced before the 429', async () => {
      stores = await backend.open();
      const bulk = bulkSender();
      const paced = call();
      await bulk.pace(paced);
      fake.rateLimitFor(60_000, 7);
      try {
        await expect(
          conversationSender().deliver(batch(String((nextChat += 1))), 0, async () => undefined),
        ).rejects.toMatchObject({
          options: { retryAfterMs: 7_000 },
        });
      } finally {
        fake.rateLimitFor(0, 1);
      }
      await expect(bulk.send(paced)).rejects.toMatchObject({ options: { retryAfterMs: 7_000 } });
      expect(
        fake.http.requests.filter(
          (request) => (request.body as { chat_id?: string }).chat_id === chatOf(paced),
        ),
      ).toHaveLength(0);
    });

    it("a conversation's 429 pauses broadcasts", async () => {
      stores = await backend.open();
      fake.failNext('sendMessage', {
        error_code: 429,
        description: 'Too Many Requests: retry after 2',
        parameters: { retry_after: 2 },
      });
      const refused = conversationSender().deliver(batch(String((nextChat += 1))), 0, async () => undefined);
      await expect(refused).rejects.toMatchObject({ options: { retryAfterMs: 2_000 } });
      const paced = track(bulkSender().pace(call()));
      await until(() => stores.clock.pendingTimers === 1, 'the broadcast parked on the pause');
      expect(paced.done).toBe(false);
      stores.clock.advance(2_000 + SPREAD);
      await until(() => paced.done, 'the pause is over');
    });

    it('counts broadcasts and conversations against one bot-wide limit', async () => {
      stores = await backend.open();
      const bulk = bulkSender(3);
      for (let index = 0; index < 3; index += 1) await bulk.pace(call());
      const fourth = track(bulk.pace(call()));
      // The conversation sender's own limit (30) is not reached, but the shared count is at the
      // broadcast's 3: the broadcast waits and the conversation still goes.
      await until(() => stores.clock.pendingTimers === 1, 'the fourth broadcast call parked');
      expect(fourth.done).toBe(false);
      const patient = String((nextChat += 1));
      await conversationSender().deliver(batch(patient), 0, async () => undefined);
      expect(fake.messages(patient)).toHaveLength(1);
      stores.clock.advance(1_000 + SPREAD);
      await until(() => fourth.done, 'the next window');
    });

    it("leaves the conversations' share of the bot's window: a patient chatting during a broadcast is answered at once", async () => {
      stores = await backend.open();
      // 30 a second, 3 of them for the conversations: the broadcast takes 27 of a window.
      const bulk = new TelegramBulkSender(api, stores.kv, {
        perSecond: 30,
        conversationShare: 3,
        perChatIntervalMs: 20,
        clock: stores.clock,
      });
      for (let index = 0; index < 27; index += 1) await bulk.pace(call());
      const next = track(bulk.pace(call()));
      await until(() => stores.clock.pendingTimers === 1, 'the 28th broadcast call parked');
      for (let index = 0; index < 3; index += 1) {
        const patient = String((nextChat += 1));
        await conversationSender().deliver(batch(patient), 0, async () => undefined);
        expect(fake.messages(patient)).toHaveLength(1);
      }
      expect(next.done).toBe(false);
      stores.clock.advance(1_000 + SPREAD);
      await until(() => next.done, 'the next window');
    });

    it('counts a user who blocked the bot as blocked, with one call and no retry', async () => {
      stores = await backend.open();
      const bulk = bulkSender();
      const blocked = call();
      fake.blocked.add(chatOf(blocked));
      expect(await bulk.send(blocked)).toEqual([{ id: blocked.recipients[0]!.id, result: 'blocked' }]);
      const attempts = fake.http.requests.filter(
        (request) => (request.body as { chat_id?: string }).chat_id === chatOf(blocked),
      );
      expect(attempts.map((request) => request.status)).toEqual([403]);
      expect(fake.delivered.get(chatOf(blocked))).toBeUndefined();
    });

    it('marks paid broadcasts above the free 30 a second, and not at 30', async () => {
      stores = await backend.open();
      const free = call();
      const paid = call();
      await bulkSender(30).send(free);
      await bulkSender(100).send(paid);
      expect(fake.messages(chatOf(free))[0]?.body.allow_paid_broadcast).toBeUndefined();
      expect(fake.messages(chatOf(paid))[0]?.body.allow_paid_broadcast).toBe(true);
    });

    it('fails a chat Telegram does not know, with the reason, and retries a server error', async () => {
      stores = await backend.open();
      const bulk = bulkSender();
      fake.failNext('sendMessage', { error_code: 400, description: 'Bad Request: chat not found' });
      const gone = call();
      expect(await bulk.send(gone)).toEqual([
        { id: gone.recipients[0]!.id, result: 'failed', reason: '400: Bad Request: chat not found' },
      ]);
      fake.failNext('sendMessage', { error_code: 502, description: 'Bad Gateway' });
      const later = call();
      await expect(bulk.send(later)).rejects.toBeInstanceOf(DeliveryError);
      expect(await bulk.send(later)).toEqual([{ id: later.recipients[0]!.id, result: 'sent' }]);
    });

    it('counts a call Telegram took but did not answer in time as sent, unconfirmed', async () => {
      stores = await backend.open();
      const impatient = new BotApi(FAKE_BOT_TOKEN, `${fake.url}/`, 200);
      const bulk = new TelegramBulkSender(impatient, stores.kv, { perSecond: 30, clock: stores.clock });
      const unanswered = call();
      fake.http.hold();
      try {
        const outcome = bulk.send(unanswered);
        await fake.http.waitForHeld(1);
        expect(fake.delivered.get(chatOf(unanswered))).toBe(1);
        expect(await outcome).toEqual([
          { id: unanswered.recipients[0]!.id, result: 'sent', reason: 'unconfirmed' },
        ]);
      } finally {
        fake.http.release();
        await impatient.close();
      }
    });
  });

  describe('LINE', () => {
    let fake: LineFake;
    beforeAll(async () => {
      fake = await new LineFake().start();
    });
    afterAll(async () => {
      await fake?.stop();
    });

    const bulkSender = (perSecond = 200): BulkSender =>
      new LineBulkSender(lineClient(FAKE_LINE_TOKEN, fake.url), stores.kv, {
        perSecond,
        clock: stores.clock,
      });
    const multicastsTo = (bulkCall: BulkCall) =>
      fake.http.requests.filter(
        (request) =>
          request.path === '/v2/bot/message/multicast' &&
          (request.body as { to: string[] }).to.includes(chatOf(bulkCall)),
      );

    it('multicasts to 500 recipients in one call, named by the call key', async () => {
      stores = await backend.open();
      fake.quota = undefined;
      const bulk = bulkSender();
      expect(bulk.recipientsPerCall).toBe(MULTICAST_MAX);
      expect(bulk.resendsSafely).toBe(true);
      const full = call(500);
      const outcomes = await bulk.send(full);
      expect(outcomes).toHaveLength(500);
      expect(outcomes.every((outcome) => outcome.result === 'sent')).toBe(true);
      const [made] = multicastsTo(full);
      expect(made?.headers['x-line-retry-key']).toBe(full.key);
      expect(made?.body).toEqual({
        to: full.recipients.map((recipient) => recipient.channelUserId),
        messages: [{ type: 'text', text: full.text }],
      });
      expect(full.recipients.every((recipient) => fake.delivered.get(recipient.channelUserId) === 1)).toBe(
        true,
      );
    });

    it('counts a repeated call (the same retry key, 409) as sent, and LINE delivers it once', async () => {
      stores = await backend.open();
      fake.quota = undefined;
      const bulk = bulkSender();
      const batch = call(3);
      await bulk.send(batch);
      const conflictsBefore = fake.conflicts;
      const again = await bulk.send(batch, { resend: true });
      expect(again.map((outcome) => outcome.result)).toEqual(['sent', 'sent', 'sent']);
      expect(fake.conflicts).toBe(conflictsBefore + 1);
      expect(multicastsTo(batch).map((request) => request.status)).toEqual([200, 409]);
      expect(batch.recipients.map((recipient) => fake.delivered.get(recipient.channelUserId))).toEqual([
        1, 1, 1,
      ]);
    });

    it('fails what the monthly quota cannot cover, without calling LINE', async () => {
      stores = await backend.open();
      fake.quota = fake.usage + 700;
      const bulk = bulkSender();
      const first = call(500);
      const second = call(500);
      expect((await bulk.send(first)).every((outcome) => outcome.result === 'sent')).toBe(true);
      expect(await bulk.send(second)).toEqual(
        second.recipients.map(({ id }) => ({ id, result: 'failed', reason: 'quota' })),
      );
      expect(multicastsTo(second)).toHaveLength(0);
      // What is left (200) still covers a smaller call.
      const small = call(200);
      expect((await bulk.send(small)).every((outcome) => outcome.result === 'sent')).toBe(true);
      // The quota was read once for the three calls (our own sends are counted in between).
      const reads = fake.http.requests.filter((request) => request.path === '/v2/bot/message/quota');
      expect(reads.length).toBeGreaterThanOrEqual(1);
      const readsNow = reads.length;
      await bulk.send(call(1));
      expect(fake.http.requests.filter((request) => request.path === '/v2/bot/message/quota')).toHaveLength(
        readsNow,
      );
    });

    it('fails a call LINE refuses for its monthly limit (another instance spent the rest)', async () => {
      stores = await backend.open();
      fake.quota = fake.usage + 1_000;
      const bulk = bulkSender();
      await bulk.send(call(1));
      fake.usage = fake.quota;
      const late = call(2);
      expect((await bulk.send(late)).map((outcome) => outcome.reason)).toEqual(['quota', 'quota']);
      expect(late.recipients.map((recipient) => fake.delivered.get(recipient.channelUserId))).toEqual([
        undefined,
        undefined,
      ]);
      fake.quota = undefined;
    });

    it('asks to wait on a rate-limit 429 and fails a call LINE will never take (400)', async () => {
      stores = await backend.open();
      fake.quota = undefined;
      const bulk = bulkSender();
      fake.multicastPerSecond = 0;
      const limited = bulk.send(call(2));
      await expect(limited).rejects.toMatchObject({ options: { retryAfterMs: 1_000 } });
      fake.multicastPerSecond = undefined;
      const tooMany = call(MULTICAST_MAX + 1);
      const outcomes = await bulk.send(tooMany);
      expect(new Set(outcomes.map((outcome) => `${outcome.result}:${outcome.reason}`))).toEqual(
        new Set(['failed:line 400']),
      );
    });

    it('keeps to LINE_MULTICAST_RATE calls a second', async () => {
      stores = await backend.open();
      const bulk = bulkSender(2);
      await bulk.pace(call());
      await bulk.pace(call());
      const third = track(bulk.pace(call()));
      await until(() => stores.clock.pendingTimers === 1, 'the third call parked');
      expect(third.done).toBe(false);
      stores.clock.advance(1_000 + SPREAD);
      await until(() => third.done, 'the next second');
    });

    it('a held multicast is counted by LINE before it answers; resent with its key it is not counted again', async () => {
      stores = await backend.open();
      fake.quota = undefined;
      const bulk = bulkSender();
      // The quota is read (and cached) first, so only the multicast is held below.
      await bulk.send(call(1));
      const batch = call(2);
      fake.http.hold();
      const first = track(bulk.send(batch));
      await fake.http.waitForHeld(1);
      expect(fake.http.held).toBe(1);
      expect(batch.recipients.map((recipient) => fake.delivered.get(recipient.channelUserId))).toEqual([
        1, 1,
      ]);
      expect(first.done).toBe(false);
      fake.http.release();
      await until(() => first.done, 'the held answer');
      // As a worker that took over after a crash would: the same call again.
      expect((await bulk.send(batch, { resend: true })).map((outcome) => outcome.result)).toEqual([
        'sent',
        'sent',
      ]);
      expect(batch.recipients.map((recipient) => fake.delivered.get(recipient.channelUserId))).toEqual([
        1, 1,
      ]);
    });

    it('gives up a multicast LINE does not answer in time; made again, the same key is not delivered twice', async () => {
      stores = await backend.open();
      fake.quota = undefined;
      const bulk = new LineBulkSender(lineClient(FAKE_LINE_TOKEN, fake.url), stores.kv, {
        perSecond: 200,
        clock: stores.clock,
        answerTimeoutMs: 200,
      });
      await bulk.send(call(1));
      const batch = call(2);
      fake.http.hold();
      try {
        await expect(bulk.send(batch)).rejects.toBeInstanceOf(DeliveryError);
      } finally {
        fake.http.release();
      }
      expect((await bulk.send(batch)).map((outcome) => outcome.result)).toEqual(['sent', 'sent']);
      expect(batch.recipients.map((recipient) => fake.delivered.get(recipient.channelUserId))).toEqual([
        1, 1,
      ]);
    });
  });

  describe('web chat', () => {
    const cipher = new FieldCipher(TEST_FIELD_KEY);

    it('appends the notice to the transcript the live page reads, and fails a session that ended', async () => {
      stores = await backend.open();
      const log = new WebChatLog(stores.kv, cipher);
      const bulk: BulkSender = new WebChatBulkSender(log, stores.clock);
      expect(bulk.recipientsPerCall).toBe(1);
      expect(bulk.resendsSafely).toBe(false);
      const session = randomUUID();
      await log.append(session, 'patient', { text: 'hello' }, stores.clock.now());
      const announced: string[] = [];
      const stop = await new WebChatLog(stores.other, cipher).watch(session, () => announced.push('entry'));
      try {
        const notice: BulkCall = {
          key: randomUUID(),
          text: 'The flu clinic opens Saturday.',
          recipients: [{ id: 'r-web', channelUserId: session }],
        };
        await bulk.pace(notice);
        expect(await bulk.send(notice)).toEqual([{ id: 'r-web', result: 'sent' }]);
        const entries = await log.since(session, 0);
        expect(entries.at(-1)).toMatchObject({ from: 'assistant', message: { text: notice.text } });
        await until(() => announced.length >= 1, 'the live page told');
      } finally {
        await stop();
      }
      const ended: BulkCall = {
        key: randomUUID(),
        text: 'x',
        recipients: [{ id: 'r-gone', channelUserId: randomUUID() }],
      };
      expect(await bulk.send(ended)).toEqual([{ id: 'r-gone', result: 'failed', reason: 'session ended' }]);
    });
  });
});

describe('Telegram fake limits', () => {
  it('answers 429 with retry_after when the bot goes over its per-second limit', async () => {
    const fake = await new TelegramFake({ perSecond: 2, keepRequests: false }).start();
    const api = new BotApi(FAKE_BOT_TOKEN, `${fake.url}/`);
    const clock = new ManualClock(START);
    const bulk = new TelegramBulkSender(api, new MemoryStore(clock), { perSecond: 30, clock });
    try {
      const calls = Array.from({ length: 5 }, () => call());
      const outcomes = await Promise.allSettled(calls.map((one) => bulk.send(one)));
      const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
      // Five calls within milliseconds span two one-second windows at most: 4 get through at most.
      expect(refused.length).toBeGreaterThanOrEqual(1);
      expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({
        options: { retryAfterMs: 1_000 },
      });
      expect(fake.totalDelivered).toBe(5 - refused.length);
      expect(fake.http.requests).toHaveLength(0);
      expect(fake.http.received).toBe(5);
    } finally {
      await api.close();
      await fake.stop();
    }
  });
});
