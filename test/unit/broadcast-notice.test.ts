// A broadcast's notice as the patient reads it: a first line naming the hospital (so it is not
// taken for the bot's answer), the text, and a footer, all in the text's language. Notices
// about the patient's own care (appointments, queue) also reach patients who replied STOP, so
// their footer says why instead of telling them to reply STOP. The whole fits a Telegram message.
import type { i18n } from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_BROADCAST_TEXT, type Audience } from '../../src/domain/broadcasts.ts';
import { noticeWriter } from '../../src/features/broadcasts/delivery-notice.ts';
import { createTranslator, SUPPORTED_LOCALES } from '../../src/i18n/locales.ts';

/** Telegram's limit for one message's text. */
const TELEGRAM_MAX_TEXT = 4_096;
const SUBSCRIBERS: Audience = { kind: 'subscribers' };
const QUEUE: Audience = { kind: 'queue', department: 'cardiology' };
const APPOINTMENTS: Audience = { kind: 'appointments', date: '2026-12-05' };

let translator: i18n;
beforeAll(async () => {
  translator = await createTranslator();
});
const t = (locale: string, key: string, options?: Record<string, string>) =>
  translator.getFixedT(locale, 'broadcasts')(key, options);

describe('a broadcast notice', () => {
  it('names the hospital first, then the text, then the footer, in the text’s language', () => {
    const write = noticeWriter(translator, 'vi', 'Bệnh viện Bạch Mai');
    const texts = {
      en: 'Cardiology closes at 15:00 today.',
      vi: 'Khoa Tim mạch đóng cửa lúc 15:00 hôm nay.',
    };
    expect(write({ texts, audience: SUBSCRIBERS }, 'en')).toBe(
      `📢 Notice from Bệnh viện Bạch Mai\n\nCardiology closes at 15:00 today.\n\n${t('en', 'footer')}`,
    );
    // A Thai reader gets the hospital's Vietnamese: heading and footer in Vietnamese too.
    expect(write({ texts, audience: SUBSCRIBERS }, 'th')).toBe(
      `📢 Thông báo từ Bệnh viện Bạch Mai\n\n${texts.vi}\n\n${t('vi', 'footer')}`,
    );
  });

  it('about the patient’s own care, says why it reaches them rather than "reply STOP"', () => {
    const write = noticeWriter(translator, 'en', 'Frontdoor Demo Hospital');
    const texts = { en: 'Dr Minh is 30 minutes late.' };
    for (const audience of [QUEUE, APPOINTMENTS])
      expect(write({ texts, audience }, 'en')).toBe(
        `📢 Notice from Frontdoor Demo Hospital\n\nDr Minh is 30 minutes late.\n\n${t('en', 'careFooter')}`,
      );
    expect(t('en', 'careFooter')).not.toMatch(/stop/i);
    expect(t('en', 'careFooter')).toMatch(/on or off/);
  });

  it('has a heading naming the hospital and two different footers in every language', () => {
    for (const locale of SUPPORTED_LOCALES) {
      expect(t(locale, 'heading', { hospital: 'Hôpital X' }), locale).toMatch(/^📢 .*Hôpital X/);
      expect(t(locale, 'careFooter'), locale).not.toBe(t(locale, 'footer'));
    }
  });

  it('fits one Telegram message at the longest text and hospital name, in every language', () => {
    const longestName = 'H'.repeat(100); // HOSPITAL_NAME's limit (src/config.ts)
    const write = noticeWriter(translator, 'en', longestName);
    for (const locale of SUPPORTED_LOCALES)
      for (const audience of [SUBSCRIBERS, QUEUE]) {
        const notice = write({ texts: { [locale]: 'x'.repeat(MAX_BROADCAST_TEXT) }, audience }, locale);
        expect([...notice].length, `${locale} ${audience.kind}`).toBeLessThanOrEqual(TELEGRAM_MAX_TEXT);
        expect(notice.length, `${locale} ${audience.kind}`).toBeLessThanOrEqual(TELEGRAM_MAX_TEXT);
      }
  });
});
