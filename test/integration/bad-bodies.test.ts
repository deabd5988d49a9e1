// Issue 14, "every bad body gets a 4xx, nothing is stored, nothing crashes": each body a fuzz
// run or a report found answered with a 500 (or stored, to fail later on every sweep), sent
// with a valid signature or secret, must now be a 400 that changes no row and no key and logs
// no error.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawBody, startEdgeRig, type Answer, type EdgeRig } from '../support/edge.ts';

const private_chat = (id: unknown = 7001) => ({ id, type: 'private', first_name: 'Lan' });
const from = { id: 7001, is_bot: false, first_name: 'Lan', language_code: 'en' };
const tgMessage = (fields: Record<string, unknown>) => ({
  update_id: 5,
  message: { message_id: 1, date: 1_760_000_000, chat: private_chat(), from, text: 'hi', ...fields },
});
const lineText = (fields: Record<string, unknown> = {}, source: Record<string, unknown> = {}) => ({
  destination: 'Ubot',
  events: [
    {
      type: 'message',
      webhookEventId: '01HEDGE0000000000000000001',
      timestamp: 1_760_000_000_000,
      mode: 'active',
      source: { type: 'user', userId: 'U0123456789abcdef0123456789abcdef', ...source },
      replyToken: 'rt-1',
      message: { id: 'm1', type: 'text', text: 'hi' },
      ...fields,
    },
  ],
});
/** `template` with NESTED replaced by an array nested `depth` deep, as JSON text. */
const nested = (template: object, depth = 20_000) =>
  new RawBody(JSON.stringify(template).replace('"NESTED"', '['.repeat(depth) + ']'.repeat(depth)));

describe('bad bodies at the edge', () => {
  let rig: EdgeRig;
  let before = '';

  beforeAll(async () => {
    rig = await startEdgeRig();
    before = await rig.snapshot();
  });
  afterAll(async () => {
    await rig?.stop();
  });

  /** Every answer is a 400 with our JSON error, and nothing was stored or logged as an error. */
  async function expectRefused(answers: Answer[]) {
    for (const answer of answers) {
      expect(answer.status, answer.body).toBe(400);
      expect((JSON.parse(answer.body) as { error: string }).error).toMatch(/^(bad_request|malformed_json)$/);
    }
    expect((await rig.snapshot()).split('\n')).toEqual(before.split('\n'));
    expect(rig.errorLogs()).toEqual([]);
  }

  describe('Telegram', () => {
    it('refuses a message that is not an object ({"update_id":5,"message":"x"} was a 500)', async () => {
      await expectRefused([
        await rig.telegram({ update_id: 5, message: 'x' }),
        await rig.telegram({ update_id: 5, message: null }),
        await rig.telegram({ update_id: 5, message: [1] }),
      ]);
    });

    it('refuses callback_query, edited_message and my_chat_member that are not objects', async () => {
      const answers = [];
      for (const field of ['callback_query', 'edited_message', 'my_chat_member'])
        for (const value of ['x', 1, null, [], true])
          answers.push(await rig.telegram({ update_id: 6, [field]: value }));
      await expectRefused(answers);
    });

    it('refuses a chat that is null or missing, and a chat id that is not a number', async () => {
      const { chat: _chat, ...withoutChat } = tgMessage({}).message;
      await expectRefused([
        await rig.telegram(tgMessage({ chat: null })),
        await rig.telegram({ update_id: 7, message: withoutChat }),
        await rig.telegram(tgMessage({ chat: private_chat('70\u000001') })),
        await rig.telegram(tgMessage({ chat: private_chat('7001\ud800') })),
        await rig.telegram({ update_id: 7, edited_message: { date: 1, chat: null } }),
        await rig.telegram({
          update_id: 7,
          my_chat_member: { date: 1, from, new_chat_member: { status: 'member' } },
        }),
      ]);
    });

    it('refuses a language_code that is not a string', async () => {
      await expectRefused([
        await rig.telegram(tgMessage({ from: { ...from, language_code: 42 } })),
        await rig.telegram(tgMessage({ from: { ...from, language_code: { en: true } } })),
        await rig.telegram({
          update_id: 8,
          callback_query: { id: 'cb1', from: { ...from, language_code: [] }, data: 'menu|help' },
        }),
      ]);
    });

    it('refuses a value nested 20,000 deep where a field we read should be', async () => {
      await expectRefused([
        await rig.telegram(nested({ update_id: 9, message: 'NESTED' })),
        await rig.telegram(nested(tgMessage({ chat: 'NESTED' }))),
        await rig.telegram(nested(tgMessage({ text: 'NESTED' }))),
        await rig.telegram(nested({ update_id: 9, callback_query: { id: 'c', from, data: 'NESTED' } })),
        await rig.line(nested({ events: ['NESTED'] })),
        await rig.stripe(nested({ id: 'evt_1', type: 'checkout.session.completed', data: 'NESTED' })),
      ]);
    });
  });

  describe('LINE', () => {
    it('refuses {"events":[null]} and events that are not objects', async () => {
      await expectRefused([
        await rig.line({ events: [null] }),
        await rig.line({ events: ['x', 1] }),
        await rig.line({ events: 'x' }),
        await rig.line({}),
      ]);
    });

    it('refuses a userId or webhookEventId with NUL or a lone surrogate (they failed every sweep)', async () => {
      await expectRefused([
        await rig.line(lineText({}, { userId: 'U0123\u0000456' })),
        await rig.line(lineText({}, { userId: 'U0123\ud800456' })),
        await rig.line(lineText({}, { userId: 'U0123\udc00' })),
        await rig.line(lineText({ webhookEventId: '01H\u0000' })),
        await rig.line(lineText({ webhookEventId: '01H\udfff' })),
      ]);
    });

    it('refuses a message or postback event without what it must carry', async () => {
      await expectRefused([
        await rig.line(lineText({ message: null })),
        await rig.line(lineText({ message: { id: 'm', type: 'text' } })),
        await rig.line(lineText({ type: 'postback', message: undefined })),
        await rig.line(lineText({ timestamp: 'yesterday' })),
      ]);
    });
  });

  describe('Stripe', () => {
    const event = (fields: Record<string, unknown>) => ({
      id: 'evt_edge_1',
      object: 'event',
      type: 'checkout.session.completed',
      data: { object: { id: 'cs_test_1', object: 'checkout.session' } },
      ...fields,
    });

    it('refuses a signed checkout.session.completed with no data', async () => {
      await expectRefused([
        await rig.stripe({ id: 'evt_x', type: 'checkout.session.completed' }),
        await rig.stripe(event({ data: null })),
        await rig.stripe(event({ data: { object: 'cs_1' } })),
        await rig.stripe(event({ type: 'charge.refunded', data: { object: { amount_refunded: 'all' } } })),
        await rig.stripe(event({ type: 'payment_intent.payment_failed', data: {} })),
      ]);
    });

    it('refuses a missing or non-string event id (a 500 with Prisma errors in the log)', async () => {
      await expectRefused([
        await rig.stripe(event({ id: undefined })),
        await rig.stripe(event({ id: 42 })),
        await rig.stripe(event({ id: { $ne: null } })),
        await rig.stripe(event({ id: 'evt_\u0000' })),
        await rig.stripe(event({ id: 'evt_\ud800' })),
      ]);
    });
  });

  describe('console', () => {
    it('refuses a sign-in email with NUL (was a 500 with a stack trace), writing no audit row', async () => {
      await expectRefused([
        await rig.signIn({ email: 'a\u0000b@x.y', password: 'x' }),
        await rig.signIn({ email: 'a\ud800b@x.y', password: 'x' }),
        await rig.signIn({ email: 'nurse@edge.test\u0007', password: 'x' }),
      ]);
    });

    it('refuses audit ?before past bigint and ?subject=%00', async () => {
      await expectRefused([
        await rig.audit({ before: '9999999999999999999' }),
        await rig.audit({ subject: '\u0000' }),
        await rig.audit({ subject: 'a\u0007b' }),
      ]);
    });

    it('refuses intake actions whose text is only control characters or whose ids are unprintable', async () => {
      await expectRefused([
        await rig.intakeAction('messages', { text: '\u0000\u0001' }),
        await rig.intakeAction('approve-appointment', { appointmentId: 'a\u0000' }),
        await rig.intakeAction('approve-appointment', { appointmentId: 'a\ud800' }),
      ]);
    });
  });

  describe('web chat', () => {
    it('refuses a message id with NUL and text that is only control characters', async () => {
      await expectRefused([
        await rig.chat({ id: randomUUID(), text: '\u0000\u0008' }),
        await rig.chat({ id: randomUUID(), button: '\u0000' }),
      ]);
    });
  });
});

describe('a name with a control character in the web chat', () => {
  let rig: EdgeRig;

  beforeAll(async () => {
    rig = await startEdgeRig();
  });
  afterAll(async () => {
    await rig?.stop();
  });

  it('registers "Nul\\u0000Name Person" as "NulName Person" instead of failing for good', async () => {
    const { webLog } = rig.instance.frontdoor;
    const session = rig.chatSession;
    const lastAnswer = async () => {
      const entries = await webLog.since(session, 0);
      // The text with its buttons' labels: the consent question's answer is a button.
      return JSON.stringify(entries.filter((entry) => entry.from === 'assistant').at(-1)?.message ?? '');
    };
    const send = async (message: { text: string } | { button: string; label?: string }, answer: string) => {
      expect((await rig.chat({ id: randomUUID(), ...message })).status).toBe(202);
      await expect.poll(lastAnswer, { timeout: 10_000 }).toContain(answer);
    };
    await send({ text: 'hi' }, 'I agree');
    await send({ button: 'onboarding.consent|yes', label: 'I agree' }, 'What is your full name');
    await send({ text: 'Nul\u0000Name Person' }, 'What is your date of birth?');
    await send({ text: '05/06/1990' }, 'What is your mobile phone number?');
    await send({ text: '0912 345 678' }, 'Thank you, NulName Person. You are registered.');
    await send({ button: 'menu|symptoms', label: 'Check my symptoms' }, 'intake.complaint|');
    expect(await lastAnswer()).not.toContain("Let's finish getting to know each other first");
    expect(rig.errorLogs()).toEqual([]);
  });
});
