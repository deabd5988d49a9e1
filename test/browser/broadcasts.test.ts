// The broadcast composer in Chromium, end to end: an operator picks the patients who asked for
// hospital notices, sees how many they are (by channel, and a language with readers but no text
// flagged with what they will get), writes the notice in English and Vietnamese, reads the
// preview as a Vietnamese patient sees it, sends with a confirmation naming the count, watches
// the progress bar fill from the live stream to 100 % and reads the report; the patients get it
// on Telegram (local fake, paced at TELEGRAM_BROADCAST_RATE so the bar is seen moving). At phone
// and desktop width; screenshots land in /tmp/broadcasts-shots (and test-results/screenshots).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTranslator } from '../../src/i18n/locales.ts';
import { StaffAccounts } from '../../src/security/staff-accounts.ts';
import { launchBrowser, screenshotDir } from '../support/browser.ts';
import type { TelegramFake } from '../support/fakes/telegram-fake.ts';
import type { TestInstance } from '../support/instance.ts';
import { TelegramPatient, startWithTelegram } from '../support/telegram-patient.ts';

const PASSWORD = 'a password for the broadcasts browser test';
const SHOTS = ['/tmp/broadcasts-shots', screenshotDir];
/** Who asked for notices: Vietnamese, English and Thai readers (Thai gets no text of its own). */
const PATIENTS = [
  { chat: 9701, lang: 'vi', name: 'Trần Văn Bình', phone: '0912 345 701' },
  { chat: 9702, lang: 'vi', name: 'Phạm Thị Lan', phone: '0912 345 702' },
  { chat: 9703, lang: 'vi', name: 'Lê Minh', phone: '0912 345 703' },
  { chat: 9704, lang: 'en', name: 'Mary Jane Watson', phone: '0912 345 704' },
  { chat: 9705, lang: 'en', name: 'Peter Parker', phone: '0912 345 705' },
  { chat: 9706, lang: 'th', name: 'Somchai Dee', phone: '+84 912 345 706' },
] as const;
const ENGLISH = 'Cardiology closes at 15:00 today. Patients booked after 15:00 will be called to rebook.';
const VIETNAMESE =
  'Khoa Tim mạch đóng cửa lúc 15:00 hôm nay. Bệnh nhân có lịch hẹn sau 15:00 sẽ được gọi để đặt lại.';

describe('the broadcast composer in Chromium', () => {
  let fake: TelegramFake;
  let instance: TestInstance;
  let browser: Browser;
  let footer: (lang: string) => string;
  /** The whole page from the top (the console's header sticks), or what the screen shows now. */
  const shoot = async (page: Page, name: string, fullPage = true) => {
    if (fullPage) await page.evaluate(() => window.scrollTo(0, 0));
    for (const dir of SHOTS) await page.screenshot({ path: join(dir, `${name}.png`), fullPage });
  };
  const signIn = async (page: Page) => {
    await page.goto(`${instance.frontdoor.url}/console`);
    await page.getByLabel('Email').fill('operator@broadcasts.test');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Broadcasts' }).click();
    await page.getByRole('heading', { name: 'Broadcasts', level: 1 }).waitFor();
  };

  beforeAll(async () => {
    for (const dir of SHOTS) await mkdir(dir, { recursive: true });
    // Two a second for the whole bot: six recipients take about three seconds.
    ({ fake, instance } = await startWithTelegram({ TELEGRAM_BROADCAST_RATE: '2' }));
    await new StaffAccounts(instance.frontdoor.database.prisma).upsert({
      email: 'operator@broadcasts.test',
      displayName: 'Operator Thu',
      roles: ['operator'],
      password: PASSWORD,
    });
    for (const p of PATIENTS) {
      const patient = new TelegramPatient(instance.frontdoor.url, fake, p.chat, p.lang);
      await patient.onboard(p.name, '01/02/1980', p.phone);
      await patient.press('notices|on');
    }
    const i18n = await createTranslator();
    footer = (lang) => i18n.getFixedT(lang, 'broadcasts')('footer');
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await instance?.stop();
    await fake?.stop();
  });

  it(
    'composes in two languages, previews, sends, watches the progress reach 100 % and reads the report',
    { timeout: 120_000 },
    async () => {
      const desk = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await signIn(desk);
      await desk.getByText('Live', { exact: true }).waitFor();
      await desk.getByLabel('Patients who turned hospital notices on').check();
      const count = desk.locator('.count');
      await expect.poll(() => count.getAttribute('data-total')).toBe('6');
      expect(await count.textContent()).toContain('6 recipients');
      expect(await count.textContent()).toContain('Telegram 6');

      // Nothing written: every language with readers is flagged, and nothing can be sent.
      const send = desk.getByRole('button', { name: 'Send…' });
      expect(await send.isDisabled()).toBe(true);
      await desk.locator('#text-en').fill(ENGLISH);
      const vietnamese = desk.locator('.language[data-locale="vi"]');
      expect(await vietnamese.getAttribute('data-missing')).toBe('true');
      expect(await vietnamese.textContent()).toContain('3 read it');
      expect(await vietnamese.textContent()).toContain('No text: they will get the English text.');
      await desk.locator('#text-vi').fill(VIETNAMESE);
      expect(await vietnamese.getAttribute('data-missing')).toBeNull();
      // Thai readers get the hospital's language (Vietnam's), as delivery will send it.
      const thai = desk.locator('.language[data-locale="th"]');
      expect(await thai.textContent()).toContain('No text: they will get the Tiếng Việt text.');
      expect(await desk.locator('.language[data-locale="ja"]').getAttribute('data-missing')).toBeNull();

      // The preview follows the language being written: as a Vietnamese patient reads it.
      const bubble = desk.locator('.bubble');
      expect(await bubble.innerText()).toBe(`${VIETNAMESE}\n\n${footer('vi')}`);
      await desk.getByLabel(/As a patient reading/).selectOption('th');
      expect(await bubble.innerText()).toBe(`${VIETNAMESE}\n\n${footer('vi')}`);
      await desk.getByLabel(/As a patient reading/).selectOption('en');
      expect(await bubble.innerText()).toBe(`${ENGLISH}\n\n${footer('en')}`);
      await desk.getByLabel(/As a patient reading/).selectOption('vi');
      await shoot(desk, 'compose-desktop');

      // "Send…" asks first, naming the count; going back sends nothing.
      await send.click();
      const dialog = desk.getByRole('dialog');
      await dialog.getByText('It goes to 6 patients now.').waitFor();
      await dialog.getByText('Notice subscribers').waitFor();
      await shoot(desk, 'confirm-desktop', false);
      await dialog.getByRole('button', { name: 'Go back' }).click();
      expect(await dialog.isVisible()).toBe(false);
      await send.click();
      await dialog.getByRole('button', { name: 'Send to 6' }).dblclick();

      // The live report: the bar fills from the stream as the paced worker sends.
      const report = desk.locator('.broadcast-report');
      await report.waitFor();
      const bar = report.locator('progress');
      await expect.poll(() => bar.getAttribute('data-percent'), { timeout: 20_000 }).not.toBe('0');
      const midway = Number(await bar.getAttribute('data-percent'));
      if (midway < 100) await shoot(desk, 'progress-desktop');
      await expect.poll(() => bar.getAttribute('data-percent'), { timeout: 30_000 }).toBe('100');
      await report.getByText('6 of 6 done · 100 %').waitFor();
      await report.locator('[data-status="done"]').waitFor();
      const cells = (channel: string) => report.locator(`tr[data-channel="${channel}"] td`).allTextContents();
      // Total, sent, failed, blocked, pending, cancelled.
      expect(await cells('telegram')).toEqual(['6', '6', '0', '0', '0', '0']);
      expect(await cells('all')).toEqual(['6', '6', '0', '0', '0', '0']);
      expect(await report.locator('[data-tally="sent"] dd').textContent()).toBe('6');
      expect(await report.locator('[data-tally="blocked"] dd').textContent()).toBe('0');
      expect(await report.getByRole('button', { name: 'Stop sending' }).count()).toBe(0);
      await shoot(desk, 'report-desktop');

      // Sent once (a double click on "Send to 6"), and listed.
      const rows = desk.locator('table[aria-label="Past broadcasts"] tbody tr[data-id]');
      expect(await rows.count()).toBe(1);
      expect(await rows.first().textContent()).toContain('Notice subscribers');
      expect(await rows.first().textContent()).toContain('6 / 6');

      // On Telegram: each patient's language, or the hospital's for the Thai reader, with the footer.
      const notice = (chat: number) =>
        fake
          .messages(String(chat))
          .map((call) => String(call.body.text))
          .filter((text) => text.startsWith(ENGLISH) || text.startsWith(VIETNAMESE));
      expect(notice(9701)).toEqual([`${VIETNAMESE}\n\n${footer('vi')}`]);
      expect(notice(9704)).toEqual([`${ENGLISH}\n\n${footer('en')}`]);
      expect(notice(9706)).toEqual([`${VIETNAMESE}\n\n${footer('vi')}`]);
      for (const p of PATIENTS) expect(notice(p.chat), p.name).toHaveLength(1);

      // At phone width: the composer and the report read and work the same.
      const phone = await browser.newPage({
        viewport: { width: 390, height: 844 },
        isMobile: true,
        hasTouch: true,
      });
      await signIn(phone);
      await phone.getByLabel('Patients who turned hospital notices on').check();
      await expect.poll(() => phone.locator('.count').getAttribute('data-total')).toBe('6');
      await phone.locator('#text-en').fill('The flu clinic opens on Saturday from 8:00.');
      await phone.locator('#text-en').focus();
      await shoot(phone, 'compose-phone');
      const width = await phone.evaluate(() => document.documentElement.scrollWidth);
      expect(width).toBeLessThanOrEqual(390);
      await phone
        .locator('table[aria-label="Past broadcasts"] tbody tr[data-id]')
        .getByRole('button', { name: 'Open' })
        .click();
      await phone.locator('.broadcast-report progress[data-percent="100"]').waitFor();
      await shoot(phone, 'report-phone');
      expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    },
  );
});
