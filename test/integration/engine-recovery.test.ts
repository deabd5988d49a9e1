// The engine on its own (memory store, in-process jobs, a scripted channel): an event that
// arrives while a dead instance still holds the conversation's lock is processed once the lock
// expires; a failed send is retried from the outbox without later answers overtaking it; the
// recovery sweep finds what a dead instance left.
import { afterEach, describe, expect, it } from 'vitest';
import { effectHandlers, flowRegistry } from '../../src/features/index.ts';
import { hospitalDown, queueDown, testCheckInTokens } from '../support/hospital-down.ts';
import { ManualClock } from '../../src/clock.ts';
import { ConversationEngine } from '../../src/conversation/engine.ts';
import { addressOf } from '../../src/conversation/message.ts';
import {
  DeliveryError,
  Outbox,
  type ChannelSender,
  type OutboundBatch,
} from '../../src/conversation/outbox.ts';
import { SerialMailbox } from '../../src/conversation/serial-mailbox.ts';
import type { PatientDirectory } from '../../src/domain/patients.ts';
import { createTranslator } from '../../src/i18n/locales.ts';
import { InProcessQueue } from '../../src/jobs/in-process-queue.ts';
import { createLogger } from '../../src/logging.ts';
import { MemoryStore } from '../../src/storage/kv/memory-store.ts';
import { generateKey } from '@47ng/cloak';
import { FieldCipher } from '../../src/security/field-cipher.ts';

/** A register that knows nobody and records nothing: this test is about delivery, not patients. */
const nobody: PatientDirectory = {
  findByChannel: async () => undefined,
  recordConsent: async () => undefined,
  identify: async () => ({ patientId: 'p', returning: false }),
  setLocale: async () => undefined,
  recordRedFlag: async () => undefined,
};

const settings = {
  hospitalName: 'H',
  hospitalPhone: '+84 24 3869 3731',
  hospitalAddress: '78 Giải Phóng, Hà Nội',
  hospitalCountry: 'VN',
  emergencyNumbers: { VN: '115' },
  privacyUrl: 'http://h/privacy',
  hospitalTimeZone: 'Asia/Ho_Chi_Minh',
  bookingHoldMinutes: 10,
  fees: { currency: 'VND', byDepartment: {}, otherwise: 0 },
};

describe('engine recovery and delivery', () => {
  const queues: InProcessQueue[] = [];
  afterEach(async () => {
    await Promise.all(queues.splice(0).map((jobs) => jobs.close()));
  });

  /**
   * An engine on the memory store whose web channel is `deliver`; the store, the jobs and the
   * engine share `clock`, so a test moves lock expiry and retry backoff by advancing it.
   */
  async function build(
    deliver: ChannelSender['deliver'],
    inboxLockTtlMs?: number,
    clock = new ManualClock(),
    kv = new MemoryStore(clock),
  ) {
    const logger = createLogger('silent');
    const jobs = new InProcessQueue(logger, clock);
    queues.push(jobs);
    const outbox = new Outbox(kv, jobs, { web: { deliver } }, logger);
    const engine = new ConversationEngine({
      kv,
      jobs,
      flows: flowRegistry,
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
      clock,
      inboxLockTtlMs,
    });
    const say = (text: string, id: string) =>
      engine.accept({
        channel: 'web',
        channelUserId: 's1',
        dedupeKey: `web:${id}`,
        sentAt: clock.now(),
        content: { kind: 'text', text },
      });
    /** Waits until nothing runs: no drain, no delivery, no job (only timers still on the clock). */
    const settle = async () => {
      do {
        await engine.idle();
        await outbox.idle();
      } while (await jobs.idle());
    };
    /** Moves the shared clock, then lets whatever fell due run to the end. */
    const advance = async (ms: number) => {
      clock.advance(ms);
      await settle();
    };
    return { kv, engine, outbox, say, clock, settle, advance };
  }

  it('processes an event left behind by a holder that died, after its lock expires', async () => {
    const sent: OutboundBatch[] = [];
    const { kv, say, settle, advance } = await build(async (batch, _already, markSent) => {
      sent.push(batch);
      await markSent(batch.messages.length);
    }, 200);
    // Another instance took the conversation and died without releasing it.
    await kv.set('inbox-lock:{web:s1}', 'dead-instance', { ttlMs: 200 });
    expect(await say('hello', '1')).toBe('accepted');
    await settle();
    expect(sent).toHaveLength(0);
    // Still held just before the lock runs out: the event waits.
    await advance(199);
    expect(sent).toHaveLength(0);
    // The look is scheduled a second past the lock's expiry; by then the event is processed.
    await advance(1_001);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.messages[0]!.text).toMatch(/^Hello! I'm the H assistant\./);
  });

  it('retries a failed send from the outbox, and later answers wait behind it', async () => {
    const attempts: number[] = [];
    const delivered: number[] = [];
    const { say, settle, advance } = await build(async (batch, _already, markSent) => {
      attempts.push(batch.seq);
      // The first answer fails at once and on the outbox's immediate retry; the job retries it.
      if (batch.seq === 1 && attempts.filter((seq) => seq === 1).length <= 2)
        throw new DeliveryError('connection reset');
      delivered.push(batch.seq);
      await markSent(batch.messages.length);
    });
    await say('hello', '1');
    await settle();
    expect(delivered).toEqual([]);
    // The second answer is decided while the first still waits for its retry.
    await say('again', '2');
    await settle();
    expect(delivered).toEqual([]);
    // The retry job's backoff passes: the first answer goes, and the second right behind it.
    await advance(1_000);
    expect(delivered).toEqual([1, 2]);
    expect(attempts).toEqual([1, 1, 1, 2]);
  });

  it('retries a failed send from the job queue when nothing else comes', async () => {
    const attempts: number[] = [];
    const { say, clock, settle, advance } = await build(async (batch, _already, markSent) => {
      attempts.push(clock.now());
      if (attempts.length <= 2) throw new DeliveryError('connection reset');
      await markSent(batch.messages.length);
    });
    await say('hello', '1');
    await settle();
    // Sent at once; the retry job a second later; then the job's own retry after its backoff.
    expect(attempts).toHaveLength(1);
    await advance(1_000);
    expect(attempts).toHaveLength(2);
    await advance(999);
    expect(attempts).toHaveLength(2);
    await advance(1);
    expect(attempts).toHaveLength(3);
    expect(attempts[2]! - attempts[1]!).toBe(1_000);
  });

  it('renews the outbox lock before each 429 wait, so waits in a row never hand the batch to a second holder', async () => {
    // The store's clock: each refusal below "takes" 40 s, three in a row 120 s, twice the
    // outbox lock's 60 s; the real waits asked for are 10 ms.
    const clock = new ManualClock();
    const kv = new MemoryStore(clock);
    const rivalSent: OutboundBatch[] = [];
    const rivalJobs = new InProcessQueue();
    queues.push(rivalJobs);
    const rival = new Outbox(
      kv,
      rivalJobs,
      {
        web: {
          deliver: async (batch, _already, markSent) => {
            rivalSent.push(batch);
            await markSent(batch.messages.length);
          },
        },
      },
      createLogger('silent'),
    );
    let refusals = 0;
    const sent: OutboundBatch[] = [];
    const { engine, outbox, say } = await build(
      async (batch, already, markSent) => {
        if (refusals < 3) {
          refusals += 1;
          clock.advance(40_000);
          // Another instance's retry job or sweep looks at the conversation meanwhile.
          await rival.redeliver({ channel: 'web', channelUserId: 's1' });
          throw new DeliveryError('telegram rate limit', { retryAfterMs: 10 });
        }
        sent.push(batch);
        for (let index = already; index < batch.messages.length; index += 1) await markSent(index + 1);
      },
      undefined,
      clock,
      kv,
    );
    await say('hello', '1');
    await engine.idle();
    await outbox.idle();
    expect(refusals).toBe(3);
    expect(sent).toHaveLength(1);
    expect(rivalSent).toEqual([]);
  });

  it('recovery finds mailboxes left waiting without a holder, and skips held and fresh ones', async () => {
    const clock = new ManualClock();
    const kv = new MemoryStore(clock);
    const inbox = new SerialMailbox(kv, { name: 'inbox', lockTtlMs: 5_000, itemTtlMs: 60_000 });
    await inbox.push('{web:left}', 'a');
    await inbox.push('{web:held}', 'b');
    await kv.set('inbox-lock:{web:held}', 'alive', { ttlMs: 5_000 });
    clock.advance(600);
    await inbox.push('{web:fresh}', 'c');
    const handled: string[] = [];
    await inbox.recover(500, async (key) => {
      await inbox.drain(key, async (item) => {
        handled.push(`${key} ${item}`);
      });
    });
    expect(handled).toEqual(['{web:left} a']);
    expect(addressOf('{web:left}')).toEqual({ channel: 'web', channelUserId: 'left' });
  });
});
