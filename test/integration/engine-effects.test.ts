// The engine performs effects only through the handlers features register: each feature's
// effect reaches its own handler (through the job queue, with its result back as a system
// event), an effect no feature handles is logged and dropped without wedging the conversation,
// two handlers for one effect refuse to start, and timers set by a step come back as events.
import { Writable } from 'node:stream';
import { generateKey } from '@47ng/cloak';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { ConversationEngine, type EngineOptions } from '../../src/conversation/engine.ts';
import type { Effect, FlowRegistry } from '../../src/conversation/flow.ts';
import type { OutboundBatch } from '../../src/conversation/outbox.ts';
import { Outbox } from '../../src/conversation/outbox.ts';
import type { IntakeRecorder } from '../../src/domain/intakes.ts';
import type { PatientDirectory } from '../../src/domain/patients.ts';
import { intakeEffects } from '../../src/features/intake/effects.ts';
import { onboardingEffects } from '../../src/features/onboarding/effects.ts';
import { createTranslator } from '../../src/i18n/locales.ts';
import { InProcessQueue } from '../../src/jobs/in-process-queue.ts';
import { createLogger } from '../../src/logging.ts';
import { FieldCipher } from '../../src/security/field-cipher.ts';
import { MemoryStore } from '../../src/storage/kv/memory-store.ts';
import { settings } from '../support/flow-harness.ts';

/** A register that keeps what it is told, in order. */
function recordingDirectory(calls: string[]): PatientDirectory {
  return {
    findByChannel: async () => undefined,
    recordConsent: async (_address, decision) => void calls.push(`consent:${decision.granted}`),
    identify: async (_address, who) => {
      calls.push(`identify:${who.fullName}`);
      return { patientId: 'p-9', returning: true };
    },
    setLocale: async (_address, locale) => void calls.push(`locale:${locale}`),
    recordRedFlag: async () => undefined,
  };
}

function recordingIntakes(calls: string[]): IntakeRecorder {
  return {
    record: async (_address, patientId, _intake, sourceKey) =>
      void calls.push(`intake:${patientId}:${sourceKey}`),
    patientReply: async (_address, intakeId) => void calls.push(`reply:${intakeId}`),
  };
}

const intake = {
  answers: { complaint: 'fever', redFlags: {} },
  result: {
    acuity: 4 as const,
    department: 'general_medicine' as const,
    reasons: [],
    reviewRequired: false,
    bookingUrgency: 'within-7d' as const,
  },
  rulesVersion: 'test',
  locale: 'en' as const,
};

/** A scripted flow: each word decides one effect; results and timers are said back. */
const scripted: FlowRegistry = {
  version: 1,
  start: (_address, locale) => ({
    version: 1,
    step: 'script.wait',
    locale,
    country: 'VN',
    draft: {},
    outSeq: 0,
  }),
  step: (state, event, context) => {
    const say = (text: string): Effect => ({ type: 'send', message: { text } });
    if (event.kind === 'system') {
      if (event.name === 'patient.identified')
        return {
          state,
          effects: [say(`identified ${event.data.patientId} returning=${event.data.returning}`)],
        };
      if (event.name === 'booking.holdExpired')
        return { state, effects: [say(`timer ${event.data.slotId}`)] };
      return { state, effects: [] };
    }
    if (event.kind !== 'text') return { state, effects: [] };
    const decided: Record<string, Effect> = {
      consent: { type: 'recordConsent', purpose: 'health-data', textVersion: 'v', granted: true },
      identify: {
        type: 'identifyPatient',
        fullName: 'Lê Văn Tám',
        birthDate: '1945-09-02',
        phone: '+84912345678',
        country: 'VN',
      },
      intake: { type: 'recordIntake', patientId: 'p-9', intake },
      language: { type: 'setLocale', locale: 'vi' },
      timer: {
        type: 'schedule',
        id: 'hold:a',
        at: context.now,
        event: { kind: 'system', name: 'booking.holdExpired', data: { slotId: 'a' } },
      },
    };
    const effect = decided[event.text];
    return { state, effects: effect ? [effect, say(`did ${event.text}`)] : [say('?')] };
  },
};

describe('effect handlers registered by features', () => {
  const closing: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closing.splice(0).reverse()) await close();
  });

  async function build(effects: EngineOptions['effects']) {
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
    // One clock for the store, the jobs and the engine: a timer falls due when the test moves it.
    const clock = new ManualClock();
    const kv = new MemoryStore(clock);
    const jobs = new InProcessQueue(logger, clock);
    closing.push(() => jobs.close());
    const said: string[] = [];
    const outbox = new Outbox(
      kv,
      jobs,
      {
        web: {
          deliver: async (batch: OutboundBatch, from, markSent) => {
            said.push(...batch.messages.slice(from).map((message) => message.text));
            await markSent(batch.messages.length);
          },
        },
      },
      logger,
    );
    const engine = new ConversationEngine({
      kv,
      jobs,
      flows: scripted,
      effects,
      findPatient: async () => undefined,
      cipher: new FieldCipher(generateKey()),
      translator: await createTranslator(),
      settings,
      outbox,
      logger,
      clock,
    });
    let n = 0;
    const say = async (text: string) => {
      n += 1;
      await engine.accept({
        channel: 'web',
        channelUserId: 's1',
        dedupeKey: `web:${n}`,
        sentAt: clock.now(),
        content: { kind: 'text', text },
      });
    };
    /** Waits until nothing runs: no step, no delivery, no effect job (timers wait on the clock). */
    const settle = async () => {
      do {
        await engine.idle();
        await outbox.idle();
      } while (await jobs.idle());
    };
    return { engine, said, lines, say, settle };
  }

  it("dispatches each feature's effect to that feature's handler, and its result back to the flow", async () => {
    const calls: string[] = [];
    const { say, said, settle } = await build([
      onboardingEffects(recordingDirectory(calls)),
      intakeEffects(recordingIntakes(calls)),
    ]);
    for (const word of ['consent', 'language', 'intake', 'identify']) await say(word);
    await settle();
    // Effects run as jobs side by side: the order between conversations' events is not theirs.
    expect(calls.toSorted()).toEqual(
      [
        'consent:true',
        'locale:vi',
        // Idempotent by the effect's id: conversation, event and index.
        'intake:p-9:fx:{web:s1}:web:3:0',
        'identify:Lê Văn Tám',
      ].toSorted(),
    );
    expect(said).toEqual([
      'did consent',
      'did language',
      'did intake',
      'did identify',
      'identified p-9 returning=true',
    ]);
  });

  it('logs and drops an effect no feature handles, and the conversation goes on', async () => {
    const calls: string[] = [];
    // Only the intake feature is registered: setLocale has no handler.
    const { say, said, lines, settle } = await build([intakeEffects(recordingIntakes(calls))]);
    await say('language');
    await say('intake');
    await settle();
    expect(said).toEqual(['did language', 'did intake']);
    expect(calls).toEqual(['intake:p-9:fx:{web:s1}:web:2:0']);
    const dropped = lines.map((line) => JSON.parse(line) as { msg: string; effect?: string });
    expect(dropped).toContainEqual(
      expect.objectContaining({ msg: 'no handler for effect; dropped', effect: 'setLocale' }),
    );
  });

  it('refuses two handlers for the same effect', async () => {
    const calls: string[] = [];
    await expect(
      build([intakeEffects(recordingIntakes(calls)), intakeEffects(recordingIntakes(calls))]),
    ).rejects.toThrow('two handlers registered for the effect recordIntake');
  });

  it('brings a timer set by a step back to the conversation as its event', async () => {
    const { say, said, settle } = await build([]);
    await say('timer');
    // Due at the step's own moment, so it runs at once, as a job.
    await settle();
    expect(said).toEqual(['did timer', 'timer a']);
  });
});
