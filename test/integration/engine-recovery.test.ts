// The engine on its own (memory store, in-process jobs, a recording channel): an event that
// arrives while a dead instance still holds the conversation's lock is processed once the lock
// expires, without waiting for the patient to write again.
import { afterEach, describe, expect, it } from 'vitest';
import { flowRegistry } from '../../flows/registry.ts';
import { systemClock } from '../../src/clock.ts';
import { ConversationEngine } from '../../src/conversation/engine.ts';
import { Outbox, type OutboundBatch } from '../../src/conversation/outbox.ts';
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

describe('engine recovery', () => {
  const jobs = new InProcessQueue();
  afterEach(async () => {
    await jobs.close();
  });

  it('processes an event left behind by a holder that died, after its lock expires', async () => {
    const kv = new MemoryStore();
    const logger = createLogger('silent');
    const sent: OutboundBatch[] = [];
    const outbox = new Outbox(
      kv,
      jobs,
      {
        web: {
          deliver: async (batch, _already, markSent) => {
            sent.push(batch);
            await markSent(batch.messages.length);
          },
        },
      },
      logger,
    );
    const engine = new ConversationEngine({
      kv,
      jobs,
      flows: flowRegistry,
      directory: nobody,
      intakes: { record: async () => undefined },
      booking: { perform: async () => ({ kind: 'failed' }) },
      cipher: new FieldCipher(generateKey()),
      translator: await createTranslator(),
      settings: {
        hospitalName: 'H',
        hospitalCountry: 'VN',
        emergencyNumbers: { VN: '115' },
        privacyUrl: 'http://h/privacy',
        hospitalTimeZone: 'Asia/Ho_Chi_Minh',
        bookingHoldMinutes: 10,
        fees: { currency: 'VND', byDepartment: {}, otherwise: 0 },
      },
      outbox,
      logger,
      clock: systemClock,
      inboxLockTtlMs: 200,
    });
    // Another instance took the conversation and died without releasing it.
    await kv.set('inbox-lock:{web:s1}', 'dead-instance', { ttlMs: 200 });
    const started = Date.now();
    expect(
      await engine.accept({
        channel: 'web',
        channelUserId: 's1',
        dedupeKey: 'web:1',
        sentAt: started,
        content: { kind: 'text', text: 'hello' },
      }),
    ).toBe('accepted');
    await engine.idle();
    expect(sent).toHaveLength(0);
    await expect.poll(() => sent.length, { timeout: 5_000 }).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect(sent[0]!.messages[0]!.text).toMatch(/^Hello! I'm the H assistant\./);
  });
});
