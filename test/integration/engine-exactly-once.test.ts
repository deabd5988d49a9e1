// Issue 14, "Exactly once for the patient, under load and after a crash": a slow platform
// answer, a call timeout, or a holder killed mid-delivery must not give the patient a second
// copy of a reply. Two engine instances share one store (memory with an injected clock, and
// real Redis when TEST_REDIS_URL is set); the "platform" counts what each chat received.
import { generateKey } from '@47ng/cloak';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { effectHandlers, flowRegistry } from '../../src/features/index.ts';
import { hospitalDown, queueDown, testCheckInTokens } from '../support/hospital-down.ts';
import { TelegramSender } from '../../src/channels/telegram/sender.ts';
import { BotApi } from '../../src/channels/telegram/bot-api.ts';
import { ManualClock } from '../../src/clock.ts';
import { ConversationEngine } from '../../src/conversation/engine.ts';
import type { FlowRegistry } from '../../src/conversation/flow.ts';
import type { ConversationAddress } from '../../src/conversation/message.ts';
import { Outbox, type ChannelSender } from '../../src/conversation/outbox.ts';
import type { PatientDirectory } from '../../src/domain/patients.ts';
import { createTranslator } from '../../src/i18n/locales.ts';
import { InProcessQueue } from '../../src/jobs/in-process-queue.ts';
import { createLogger } from '../../src/logging.ts';
import { FieldCipher } from '../../src/security/field-cipher.ts';
import type { KeyValueStore } from '../../src/storage/kv/key-value-store.ts';
import { MemoryStore } from '../../src/storage/kv/memory-store.ts';
import { RedisStore } from '../../src/storage/kv/redis-store.ts';
import { deleteRedisKeys, testRedisUrl, uniquePrefix } from '../support/backends.ts';
import type { RecordedRequest } from '../support/fakes/http-fake.ts';
import { FAKE_BOT_TOKEN, TelegramFake } from '../support/fakes/telegram-fake.ts';

const nobody: PatientDirectory = {
  findByChannel: async () => undefined,
  recordConsent: async () => undefined,
  identify: async () => ({ patientId: 'p', returning: false }),
  setLocale: async () => undefined,
  recordRedFlag: async () => undefined,
};

const settings = {
  hospitalName: 'H',
  hospitalCountry: 'VN',
  emergencyNumbers: { VN: '115' },
  privacyUrl: 'http://h/privacy',
  hospitalPhone: '+84 24 3869 3731',
  hospitalAddress: '78 Giải Phóng, Hà Nội',
  hospitalTimeZone: 'Asia/Ho_Chi_Minh',
  bookingHoldMinutes: 10,
  fees: { currency: 'VND', byDepartment: {}, otherwise: 0 },
};

interface Backend {
  name: string;
  clock: ManualClock;
  open(): Promise<KeyValueStore>;
  /** Lets `ms` pass for the store: locks and sweep ages (Redis: what expiry does to the locks). */
  pass(kv: KeyValueStore, ms: number, locks: string[]): Promise<void>;
}

const memoryClock = new ManualClock();
const backends: Backend[] = [
  {
    name: 'memory',
    clock: memoryClock,
    open: async () => new MemoryStore(memoryClock),
    pass: async (_kv, ms) => memoryClock.advance(ms),
  },
];
const redisUrl = testRedisUrl;
const redisPrefix = uniquePrefix('once');
if (redisUrl)
  backends.push({
    name: 'redis',
    clock: new ManualClock(),
    open: () => RedisStore.connect(redisUrl, redisPrefix),
    // Redis keeps real time: a lock the holder would lose by then is deleted, as expiry would.
    pass: async (kv, ms, locks) => {
      if (ms >= 60_000) for (const lock of locks) await kv.delete(lock);
    },
  });

/** Answers every text with two messages that stay apart (urgent ones are never joined). */
const twoPart: FlowRegistry = {
  version: 3,
  start: (_address, locale) => ({
    version: 3,
    step: 'two.parts',
    locale,
    country: 'VN',
    draft: {},
    outSeq: 0,
  }),
  step: (state) => ({
    state,
    effects: [
      { type: 'send', message: { text: 'first part', urgent: true } },
      { type: 'send', message: { text: 'second part', urgent: true } },
    ],
  }),
};

const quiet = createLogger('silent');

const OUTBOX_LOCK_MS = 60_000;
const SWEEP_AGE_MS = 30_000;

describe.each(backends)('exactly once for the patient [$name]', (backend) => {
  const closing: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closing.splice(0).reverse()) await close();
    if (backend.name === 'redis' && redisUrl) await deleteRedisKeys(redisUrl, redisPrefix);
  });

  /** One Frontdoor instance on the shared store, sending web messages through `deliver`. */
  async function instance(
    kv: KeyValueStore,
    senders: ConstructorParameters<typeof Outbox>[2],
    flows: FlowRegistry = flowRegistry,
  ) {
    const logger = createLogger('silent');
    const jobs = new InProcessQueue();
    closing.push(() => jobs.close());
    const outbox = new Outbox(kv, jobs, senders, logger);
    const engine = new ConversationEngine({
      kv,
      jobs,
      flows,
      effects: effectHandlers({
        directory: nobody,
        intakes: { record: async () => undefined, patientReply: async () => undefined },
        booking: hospitalDown,
        payments: { settle: async () => undefined },
        queue: queueDown,
        checkInTokens: testCheckInTokens,
      }),
      findPatient: (address) => nobody.findByChannel(address),
      cipher: new FieldCipher(generateKey()),
      translator: await createTranslator(),
      settings,
      outbox,
      logger,
      clock: backend.clock,
    });
    return { engine, outbox };
  }

  async function store(): Promise<KeyValueStore> {
    const kv = await backend.open();
    closing.push(() => kv.close());
    return kv;
  }

  const patient = (id: string): ConversationAddress => ({ channel: 'web', channelUserId: id });
  const locks = (address: ConversationAddress) => {
    const key = `{${address.channel}:${address.channelUserId}}`;
    return [`inbox-lock:${key}`, `outbox-lock:${key}`];
  };
  const hello = (address: ConversationAddress, id: string) => ({
    ...address,
    dedupeKey: `web:${id}`,
    sentAt: backend.clock.now(),
    content: { kind: 'text' as const, text: 'hello' },
  });

  it('a holder killed mid-reply: each message reaches the patient once, none twice', async () => {
    const kv = await store();
    const address = patient(`killed-${backend.name}`);
    const received: string[] = [];
    let killed!: () => void;
    const wasKilled = new Promise<void>((resolve) => (killed = resolve));
    // Instance A: the platform takes the reply's first message, then the process dies (kill -9)
    // before the second goes out.
    const a = await instance(
      kv,
      {
        web: {
          deliver: async (batch, already, markSent) => {
            received.push(batch.messages[already]!.text);
            await markSent(already + 1);
            killed();
            await new Promise(() => undefined);
          },
        },
      },
      twoPart,
    );
    const sendB: ChannelSender['deliver'] = async (batch, already, markSent) => {
      for (let index = already; index < batch.messages.length; index += 1) {
        received.push(batch.messages[index]!.text);
        await markSent(index + 1);
      }
    };
    const b = await instance(kv, { web: { deliver: sendB } }, twoPart);
    expect(await a.engine.accept(hello(address, '1'))).toBe('accepted');
    await wasKilled;
    expect(received).toEqual(['first part']);
    // A's locks expire; B's recovery (what its sweeps and drain jobs do) takes over.
    await backend.pass(kv, OUTBOX_LOCK_MS + 1_000, locks(address));
    await b.engine.drain(address);
    await b.engine.idle();
    await b.outbox.redeliver(address);
    await b.outbox.idle();
    expect(received).toEqual(['first part', 'second part']);
  });

  it('a reply the platform answers after the sweep age is not sent a second time', async () => {
    const kv = await store();
    const address = patient(`slow-${backend.name}`);
    const received: string[] = [];
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    let arrived!: () => void;
    const hasArrived = new Promise<void>((resolve) => (arrived = resolve));
    const deliver: ChannelSender['deliver'] = async (batch, already, markSent) => {
      for (let index = already; index < batch.messages.length; index += 1) {
        received.push(batch.messages[index]!.text);
        arrived();
        // A busy platform: the answer comes long after the call.
        await answered;
        await markSent(index + 1);
      }
    };
    const a = await instance(kv, { web: { deliver } });
    const b = await instance(kv, { web: { deliver } });
    await a.engine.accept(hello(address, '1'));
    await hasArrived;
    // Longer than the sweep treats a waiting mailbox as abandoned, and longer than the inbox
    // lock; the delivering holder is alive, only slow.
    await backend.pass(kv, SWEEP_AGE_MS + 1_000, locks(address));
    await b.engine.drain(address);
    await b.outbox.redeliver(address);
    answer();
    await a.engine.idle();
    await a.outbox.idle();
    await b.outbox.idle();
    await b.outbox.redeliver(address);
    expect(received).toHaveLength(1);
  });

  /** A Telegram that takes each message at once but answers only when released. */
  async function busyTelegram(): Promise<{ telegram: TelegramFake & { arrivals: number }; api: BotApi }> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    class BusyTelegram extends TelegramFake {
      arrivals = 0;
      protected override async answer(request: RecordedRequest) {
        if (request.path.endsWith('/sendMessage')) {
          this.arrivals += 1;
          await released;
        }
        return super.answer(request);
      }
    }
    const telegram = await new BusyTelegram().start();
    closing.push(async () => {
      release();
      await telegram.stop();
    });
    // Answers later than this client waits (200 ms).
    const api = new BotApi(FAKE_BOT_TOKEN, `${telegram.url}/`, 200);
    closing.push(() => api.close());
    return { telegram, api };
  }

  it('a Telegram call that times out is not sent again when Telegram took it after all', async () => {
    const kv = await store();
    const { telegram, api } = await busyTelegram();
    const { engine, outbox } = await instance(kv, { telegram: new TelegramSender(api, kv, {}, quiet) });
    const address: ConversationAddress = { channel: 'telegram', channelUserId: '4242' };
    await engine.accept({
      ...address,
      dedupeKey: `telegram:${backend.name}:1`,
      sentAt: backend.clock.now(),
      content: { kind: 'text', text: '/start' },
    });
    await engine.idle();
    await outbox.idle();
    await outbox.redeliver(address);
    await outbox.idle();
    expect(telegram.arrivals).toBe(1);
  });

  it('a Telegram send with no answer in time is logged with ids only and counted in frontdoor_telegram_unanswered_sends_total', async () => {
    const kv = await store();
    const { api } = await busyTelegram();
    const lines: string[] = [];
    const logger = createLogger(
      'info',
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    const metrics = new Registry();
    const sender = new TelegramSender(api, kv, {}, logger, metrics);
    const { engine, outbox } = await instance(kv, { telegram: sender }, twoPart);
    const address: ConversationAddress = { channel: 'telegram', channelUserId: '4343' };
    await engine.accept({
      ...address,
      dedupeKey: `telegram:${backend.name}:unanswered`,
      sentAt: backend.clock.now(),
      content: { kind: 'text', text: 'hello' },
    });
    await engine.idle();
    await outbox.idle();
    const warnings = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((entry) => String(entry.msg).startsWith('telegram gave no answer in time'));
    // The two-part answer: each message unanswered, each said once, by its batch and index.
    expect(warnings.map(({ channel, seq, message }) => ({ channel, seq, message }))).toEqual([
      { channel: 'telegram', seq: 1, message: 0 },
      { channel: 'telegram', seq: 1, message: 1 },
    ]);
    expect(warnings[0]!.level).toBe(40);
    expect(JSON.stringify(warnings)).not.toMatch(/part|hello/);
    expect(await metrics.getSingleMetricAsString('frontdoor_telegram_unanswered_sends_total')).toMatch(
      /frontdoor_telegram_unanswered_sends_total 2$/m,
    );
  });
});
