// Telegram's per-chat pacing is the sender's option, defaulted from Telegram's limits: a test
// shortens it instead of waiting out three messages per three seconds.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BotApi } from '../../src/channels/telegram/bot-api.ts';
import { TELEGRAM_LIMITS, TelegramSender } from '../../src/channels/telegram/sender.ts';
import { createLogger } from '../../src/logging.ts';
import { MemoryStore } from '../../src/storage/kv/memory-store.ts';
import { FAKE_BOT_TOKEN, TelegramFake } from '../support/fakes/telegram-fake.ts';

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

const batch = (chat: string, count: number) => ({
  channel: 'telegram',
  channelUserId: chat,
  seq: 1,
  locale: 'en' as const,
  messages: Array.from({ length: count }, (_, index) => ({ text: `part ${index + 1}` })),
});

it('spaces messages to one chat by perChatIntervalMs after a burst of perChatBurst', async () => {
  expect(TELEGRAM_LIMITS).toMatchObject({ perChatBurst: 3, perChatIntervalMs: 1_000 });
  const sender = new TelegramSender(
    api,
    new MemoryStore(),
    { perChatIntervalMs: 20 },
    createLogger('silent'),
  );
  const started = Date.now();
  await sender.deliver(batch('9001', 7), 0, async () => undefined);
  // Seven messages at three per 60 ms window: the third window at the latest, not 6 s.
  expect(Date.now() - started).toBeLessThan(2_000);
  expect(fake.messages('9001').map((call) => call.body.text)).toEqual(
    Array.from({ length: 7 }, (_, index) => `part ${index + 1}`),
  );
});
