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
    const footer = (locale: string) => translator.getFixedT(locale, 'broadcasts')('footer');
    expect(textTo(chat(0))).toEqual([`Cardiology closes at 15:00 today.\n\n${footer('en')}`]);
    // Thai has no text: the hospital's Vietnamese, with the Vietnamese footer.
    expect(textTo(chat(1))).toEqual([`Khoa Tim mạch đóng cửa lúc 15:00 hôm nay.\n\n${footer('vi')}`]);
    expect(textTo(chat(2))).toEqual([`Khoa Tim mạch đóng cửa lúc 15:00 hôm nay.\n\n${footer('vi')}`]);
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
