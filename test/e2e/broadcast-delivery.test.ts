// Broadcast delivery inside one instance (the worker the API and the console start): each
// recipient reads the text in their language or else the hospital's, with the footer in that
// same language; a web chat whose session ended is counted failed; cancelling mid-way stops
// what was not sent (the calls in flight finish and count), and nothing more goes out.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { lanesFor } from '../../src/features/broadcasts/delivery-calls.ts';
import { createTranslator } from '../../src/i18n/locales.ts';
import { seedSubscribers } from '../support/broadcast-worker.ts';
import { FAKE_BOT_TOKEN, TelegramFake } from '../support/fakes/telegram-fake.ts';
import { startTestInstance, type TestInstance } from '../support/instance.ts';

const chat = (i: number) => String(700_000_000 + i);
const TELEGRAM_LANES = lanesFor({ recipientsPerCall: 1 });

describe('broadcast delivery in one instance', () => {
  const telegram = new TelegramFake();
  let instance: TestInstance;

  beforeAll(async () => {
    await telegram.start();
    instance = await startTestInstance({
      env: {
        TELEGRAM_BOT_TOKEN: FAKE_BOT_TOKEN,
        TELEGRAM_API_ROOT: telegram.url,
        TELEGRAM_WEBHOOK_SECRET: 'delivery-test-secret',
        // A Vietnamese hospital: its language is the fallback.
        HOSPITAL_COUNTRY: 'VN',
        HOSPITAL_NAME: 'Bệnh viện Bạch Mai',
        TELEGRAM_BROADCAST_RATE: '1000',
      },
    });
  }, 60_000);
  afterAll(async () => {
    telegram.http.release();
    await instance?.stop();
    await telegram.stop();
  });

  const broadcasts = () => instance.frontdoor.broadcasts;
  const textTo = (chatId: string) => telegram.messages(chatId).map((message) => String(message.body.text));

  it('writes each notice in the reader’s language, else the hospital’s, footer alike', async () => {
    const { database } = instance.frontdoor;
    await seedSubscribers(database, 3, (i) => ({
      channel: 'telegram',
      channelUserId: chat(i),
      locale: (['en', 'th', 'vi'] as const)[i]!,
    }));
    await seedSubscribers(database, 1, () => ({
      channel: 'web',
      channelUserId: 'ended-session',
      locale: 'en',
    }));
    const sent = await broadcasts().send({
      audience: { kind: 'subscribers' },
      texts: { en: 'Cardiology closes at 15:00 today.', vi: 'Khoa Tim mạch đóng cửa lúc 15:00 hôm nay.' },
      idempotencyKey: 'cardiology-closes',
      sender: { kind: 'staff', staffId: 'admin-1', label: 'Admin' },
    });
    expect(sent).toMatchObject({ recipients: 4, created: true });
    await vi.waitFor(async () => expect((await broadcasts().report(sent.id))?.status).toBe('done'));

    const translator = await createTranslator();
    const framed = (locale: string, text: string) => {
      const t = translator.getFixedT(locale, 'broadcasts');
      return `${t('heading', { hospital: 'Bệnh viện Bạch Mai' })}\n\n${text}\n\n${t('footer')}`;
    };
    expect(textTo(chat(0))).toEqual([
      `📢 Notice from Bệnh viện Bạch Mai\n\nCardiology closes at 15:00 today.\n\n${translator.getFixedT('en', 'broadcasts')('footer')}`,
    ]);
    // Thai has no text: the hospital's Vietnamese, heading and footer in Vietnamese too.
    expect(textTo(chat(1))).toEqual([framed('vi', 'Khoa Tim mạch đóng cửa lúc 15:00 hôm nay.')]);
    expect(textTo(chat(2))).toEqual([framed('vi', 'Khoa Tim mạch đóng cửa lúc 15:00 hôm nay.')]);
    expect(await broadcasts().report(sent.id)).toMatchObject({
      total: 4,
      sent: 3,
      failed: 1,
      pending: 0,
      channels: { telegram: { sent: 3 }, web: { failed: 1 } },
    });
  });

  it('stops at a cancel: the calls in flight count, the rest is never sent', async () => {
    const first = 100;
    const count = 300;
    await seedSubscribers(instance.frontdoor.database, count, (i) => ({
      channel: 'telegram',
      channelUserId: chat(first + i),
      locale: 'en',
    }));
    const deliveredBefore = telegram.totalDelivered;
    telegram.http.hold();
    const sent = await broadcasts().send({
      audience: { kind: 'subscribers' },
      texts: { en: 'The flu clinic is postponed.' },
      idempotencyKey: 'flu-clinic-postponed',
      sender: { kind: 'api-key', name: 'his' },
    });
    // Every lane waits on a call Telegram has not answered yet.
    await telegram.http.waitForHeld(TELEGRAM_LANES, 15_000);
    const cancelled = await broadcasts().cancel(sent.id);
    expect(cancelled).toMatchObject({ status: 'cancelled', pending: TELEGRAM_LANES });
    telegram.http.release();

    await vi.waitFor(async () =>
      expect(await broadcasts().report(sent.id)).toMatchObject({ pending: 0, status: 'cancelled' }),
    );
    await instance.frontdoor.idle();
    const report = (await broadcasts().report(sent.id))!;
    // The first test's subscribers are in this audience too (the web one fails again, or is
    // cancelled before its turn).
    expect(report.total).toBe(count + 4);
    expect(report.sent).toBe(TELEGRAM_LANES);
    expect(report.cancelled).toBeGreaterThanOrEqual(count + 3 - TELEGRAM_LANES);
    expect(report.sent + report.failed + report.cancelled).toBe(report.total);
    expect(telegram.totalDelivered - deliveredBefore).toBe(TELEGRAM_LANES);
  });
});
