// Telegram end to end: real webhook route and long polling, a local Telegram Bot API fake that
// records every call, and the exact calls asserted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Update } from 'telegraf/types';
import { FAKE_BOT_TOKEN, TelegramFake, tg } from '../support/fakes/telegram-fake.ts';
import { startTestInstance, type TestInstance } from '../support/instance.ts';

const SECRET = 'telegram-webhook-secret_123';

describe('Telegram webhook', () => {
  let fake: TelegramFake;
  let instance: TestInstance;

  beforeAll(async () => {
    fake = await new TelegramFake().start();
    instance = await startTestInstance({
      env: {
        TELEGRAM_BOT_TOKEN: FAKE_BOT_TOKEN,
        TELEGRAM_API_ROOT: fake.url,
        TELEGRAM_WEBHOOK_SECRET: SECRET,
      },
    });
  });
  afterAll(async () => {
    await instance?.stop();
    await fake?.stop();
  });

  function post(
    body: unknown,
    headers: Record<string, string> = { 'x-telegram-bot-api-secret-token': SECRET },
  ) {
    return fetch(`${instance.frontdoor.url}/webhooks/telegram`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  async function say(update: Update, expectedTotal: number, chatId: string) {
    const response = await post(update);
    expect(response.status).toBe(200);
    return fake.waitForMessages(chatId, expectedTotal);
  }

  it('onboards a patient: consent, name, birth date, shared contact, then the menu', async () => {
    const chat = 7001;
    const id = String(chat);
    let sent = await say(tg.text(chat, '/start'), 1, id);
    // The greeting and the consent question arrive as one message, with the answers under it.
    expect(sent[0]).toMatchObject({ method: 'sendMessage', body: { chat_id: id } });
    expect(sent[0]!.body.text).toMatch(
      /^Hello! I'm the Frontdoor Demo Hospital assistant\. I can help you prepare your hospital visit right here in this chat\.\n\nBefore we start: to help you, we need to process health information/,
    );
    expect(sent[0]!.body.reply_markup).toEqual({
      inline_keyboard: [
        [
          { text: 'I agree', callback_data: 'onboarding.consent|yes' },
          { text: 'I do not agree', callback_data: 'onboarding.consent|no' },
        ],
        [{ text: 'Language', callback_data: 'menu|language' }],
      ],
    });
    // Telegram refuses URL buttons to localhost, so this instance's privacy link is in the text.
    expect(sent[0]!.body.text).toMatch(/\n\nPrivacy notice: http:\/\/localhost:3000\/privacy\?lang=en$/);

    const consent = tg.button(chat, 'onboarding.consent|yes');
    sent = await say(consent, 2, id);
    const afterConsent = fake.calls(id).slice(-2);
    expect(afterConsent.map((call) => call.method)).toEqual(['answerCallbackQuery', 'sendMessage']);
    expect(afterConsent[0]!.body).toEqual({
      callback_query_id: (consent as { callback_query: { id: string } }).callback_query.id,
    });
    expect(sent[1]!.body.text).toBe(
      'Thank you. Your consent is recorded. You can withdraw it at any time.\n\nWhat is your full name, as written on your ID or insurance card?',
    );

    sent = await say(tg.text(chat, '12345'), 3, id);
    expect(sent[2]!.body.text).toBe(
      'Please type your full name (letters only, 2 to 100 characters).\n\nWhat is your full name, as written on your ID or insurance card?',
    );
    sent = await say(tg.text(chat, 'Nguyễn Thị Lan'), 4, id);
    expect(sent[3]!.body.text).toBe('What is your date of birth? For example: 31/12/1980');

    sent = await say(tg.text(chat, '31/02/1980'), 5, id);
    expect(sent[4]!.body.text).toBe(
      'That date does not exist in the calendar (check the day and the month). Please write your date of birth like this: 31/12/1980\n\nWhat is your date of birth? For example: 31/12/1980',
    );
    sent = await say(tg.text(chat, '14/03/1985'), 6, id);
    expect(sent[5]).toMatchObject({
      method: 'sendMessage',
      body: {
        chat_id: id,
        text: 'What is your mobile phone number? Press the button to share it, or type it.',
        reply_markup: {
          keyboard: [[{ text: 'Share my phone number', request_contact: true }]],
          resize_keyboard: true,
          one_time_keyboard: true,
        },
      },
    });

    sent = await say(tg.contact(chat, '+84 912 345 678'), 7, id);
    expect(sent[6]!.body.text).toBe(
      'Thank you, Nguyễn Thị Lan. You are registered.\n\nWhat would you like to do?',
    );
    expect(sent[6]!.body.reply_markup).toEqual({
      inline_keyboard: [
        [{ text: 'Check my symptoms', callback_data: 'menu|symptoms' }],
        [{ text: 'Book an appointment', callback_data: 'menu|book' }],
        [{ text: 'My appointments', callback_data: 'menu|appointments' }],
        [{ text: 'Check in / my ticket', callback_data: 'menu|queue' }],
        [
          { text: 'Language', callback_data: 'menu|language' },
          { text: 'Help', callback_data: 'menu|help' },
        ],
        [{ text: 'Hospital notices', callback_data: 'menu|notices' }],
      ],
    });

    const prisma = instance.frontdoor.database.prisma;
    const identity = await prisma.channelIdentity.findUniqueOrThrow({
      where: { channel_channelUserId: { channel: 'telegram', channelUserId: id } },
      include: { patient: { include: { consents: true } } },
    });
    expect(identity.patient).toMatchObject({
      fullName: 'Nguyễn Thị Lan',
      birthDate: '1985-03-14',
      phone: '+84912345678',
      country: 'VN',
    });
    expect(identity.patient.consents).toHaveLength(1);
    expect(identity.patient.consents[0]).toMatchObject({
      purpose: 'health-data',
      textVersion: '2026-11-24',
      granted: true,
    });

    // Personal data never reaches the logs.
    const logs = instance.logs.join('');
    expect(logs).not.toContain('Nguyễn Thị Lan');
    expect(logs).not.toContain('912345678');
    expect(logs).not.toContain('1985');
  }, 60_000);

  it('recognises a patient who comes back on a new chat with the same phone and birth date', async () => {
    const chat = 7002;
    const id = String(chat);
    await say(tg.text(chat, 'hi'), 1, id);
    await say(tg.button(chat, 'onboarding.consent|yes'), 2, id);
    await say(tg.text(chat, 'Nguyễn Thị Lan'), 3, id);
    await say(tg.text(chat, '1985-03-14'), 4, id);
    const sent = await say(tg.text(chat, '0912 345 678'), 5, id);
    expect(sent[4]!.body.text).toBe(
      'Welcome back, Nguyễn Thị Lan! I found your record.\n\nWhat would you like to do?',
    );
    const identities = await instance.frontdoor.database.prisma.channelIdentity.findMany({
      where: { channel: 'telegram', channelUserId: { in: ['7001', '7002'] } },
    });
    expect(new Set(identities.map((identity) => identity.patientId)).size).toBe(1);
  }, 60_000);

  it('answers an emergency phrase at any step, in any language, with the local number', async () => {
    const chat = 7003;
    const id = String(chat);
    await say(tg.text(chat, 'xin chào', 'vi'), 1, id);
    const sent = await say(tg.text(chat, 'mẹ tôi bị khó thở', 'vi'), 2, id);
    expect(sent[1]!.body.text).toBe(
      '⚠️ Đây có thể là tình huống khẩn cấp. Hãy gọi ngay 115 hoặc đến khoa cấp cứu gần nhất. Đừng chờ trả lời trong cuộc trò chuyện này.\n\n📞 115',
    );
    await expect
      .poll(() => instance.frontdoor.database.prisma.redFlagEvent.count({ where: { channelUserId: id } }), {
        timeout: 5_000,
      })
      .toBe(1);
    const event = await instance.frontdoor.database.prisma.redFlagEvent.findFirstOrThrow({
      where: { channelUserId: id },
    });
    expect(event).toMatchObject({ phrase: 'khó thở', phraseLocale: 'vi', emergencyNumber: '115' });
  }, 30_000);

  it('acts once on an update delivered three times at once', async () => {
    const chat = 7004;
    const update = tg.text(chat, '/start');
    const responses = await Promise.all([post(update), post(update), post(update)]);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    const results = await Promise.all(
      responses.map(async (r) => ((await r.json()) as { result: string }).result),
    );
    expect(results.sort()).toEqual(['accepted', 'duplicate', 'duplicate']);
    await fake.waitForMessages(String(chat), 1);
    // A later message is answered after anything queued before it: a duplicate greeting would
    // come before this answer.
    const sent = await say(tg.sticker(chat), 2, String(chat));
    expect(sent).toHaveLength(2);
    expect(sent[1]!.body.text).toMatch(/^I can only read text and buttons for now\./);
  }, 30_000);

  it('answers stickers, edits and stale or unknown buttons politely, repeating the question', async () => {
    const chat = 7005;
    const id = String(chat);
    await say(tg.text(chat, '/start'), 1, id);
    let sent = await say(tg.sticker(chat), 2, id);
    expect(sent[1]!.body.text).toMatch(/^I can only read text and buttons for now\.\n\nBefore we start/);
    expect(sent[1]!.body.reply_markup).toEqual(sent[0]!.body.reply_markup);
    sent = await say(tg.edited(chat, 'changed'), 3, id);
    expect(sent[2]!.body.text).toMatch(
      /^I only read new messages, not edits\. Please send your answer again\.\n\nBefore we start/,
    );
    sent = await say(tg.button(chat, 'forged|garbage'), 4, id);
    expect(sent[3]!.body.text).toMatch(
      /^That button belongs to an earlier message\. Here is where we are now:\n\nBefore we start/,
    );
  }, 30_000);

  it('switches language on request and keeps going in it', async () => {
    const chat = 7006;
    const id = String(chat);
    await say(tg.text(chat, '/start', 'en'), 1, id);
    let sent = await say(tg.button(chat, 'menu|language'), 2, id);
    expect(sent[1]!.body.text).toBe('Choose your language:');
    sent = await say(tg.button(chat, 'lang|ja'), 3, id);
    expect(sent[2]!.body.text).toMatch(/^これからは日本語でご案内します。\n\nはじめに：/);
  }, 30_000);

  it('waits as long as Telegram asks on 429 and still delivers once', async () => {
    const chat = 7007;
    fake.failNext('sendMessage', {
      error_code: 429,
      description: 'Too Many Requests: retry after 1',
      parameters: { retry_after: 1 },
    });
    const started = Date.now();
    const sent = await say(tg.text(chat, '/start'), 1, String(chat));
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect((sent[0]!.body.text as string).slice(0, 6)).toBe('Hello!');
    // The refused attempt was made, and retried once, not more.
    const attempts = fake.http.requests.filter(
      (r) => r.path.endsWith('/sendMessage') && (r.body as { chat_id: string }).chat_id === String(chat),
    );
    expect(attempts.map((r) => r.status)).toEqual([429, 200]);
  }, 30_000);

  describe('refuses bad requests without storing anything', () => {
    it('401 for a wrong or missing secret token', async () => {
      const before = fake.http.requests.length;
      const wrong = await post(tg.text(7100, 'hi'), { 'x-telegram-bot-api-secret-token': 'wrong' });
      expect(wrong.status).toBe(401);
      expect(await wrong.json()).toEqual({ error: 'bad_signature', message: 'bad or missing secret token' });
      expect((await post(tg.text(7100, 'hi'), {})).status).toBe(401);
      expect(await instance.frontdoor.kv.get('conv:{telegram:7100}')).toBeUndefined();
      expect(fake.http.requests.length).toBe(before);
      // A later, signed message is answered after anything queued before it: had a refused one
      // been taken, the greeting it asks for would come first, not this answer to a sticker.
      const [first] = await say(tg.sticker(7100), 1, '7100');
      expect(first!.body.text).toMatch(/^I can only read text and buttons for now\./);
    });

    it('400 for malformed JSON or a body that is not an update', async () => {
      const malformed = await post('{"update_id": 1, "message": ');
      expect(malformed.status).toBe(400);
      expect(await malformed.json()).toEqual({
        error: 'malformed_json',
        message: 'request body is not valid JSON',
      });
      const notUpdate = await post({ hello: 'world' });
      expect(notUpdate.status).toBe(400);
      expect(((await notUpdate.json()) as { error: string }).error).toBe('bad_request');
    });

    it('413 for an oversized body', async () => {
      const huge = JSON.stringify({ update_id: 1, message: { text: 'x'.repeat(300 * 1024) } });
      const response = await post(huge);
      expect(response.status).toBe(413);
      expect(((await response.json()) as { error: string }).error).toBe('payload_too_large');
    });

    it('keeps serving after all of that', async () => {
      const health = await fetch(`${instance.frontdoor.url}/healthz`);
      expect(health.status).toBe(200);
    });
  });
});

describe('Telegram long polling', () => {
  let fake: TelegramFake;
  let instance: TestInstance;

  beforeAll(async () => {
    fake = await new TelegramFake().start();
    instance = await startTestInstance({
      env: { TELEGRAM_BOT_TOKEN: FAKE_BOT_TOKEN, TELEGRAM_API_ROOT: fake.url, TELEGRAM_MODE: 'polling' },
    });
  });
  afterAll(async () => {
    await instance?.stop();
    await fake?.stop();
  });

  it('receives updates through getUpdates and answers through the same API root', async () => {
    fake.pushUpdate(tg.text(7200, '/start', 'fr'));
    const sent = await fake.waitForMessages('7200', 1);
    expect(sent[0]!.body.text).toMatch(
      /^Bonjour ! Je suis l'assistant de Frontdoor Demo Hospital\. Je peux vous aider à préparer votre venue à l'hôpital, directement ici\.\n\nAvant de commencer/,
    );
    fake.pushUpdate(tg.button(7200, 'onboarding.consent|no', 'fr'));
    const after = await fake.waitForMessages('7200', 2);
    expect(after[1]!.body.text).toMatch(/^C'est noté : nous ne traiterons aucune donnée de santé/);
    const webhook = await fetch(`${instance.frontdoor.url}/webhooks/telegram`, {
      method: 'POST',
      body: '{}',
    });
    expect(webhook.status).toBe(404);
  }, 30_000);
});
