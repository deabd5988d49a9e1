// The web chat in a real browser: a patient completes onboarding by typing and tapping, in
// English and in Vietnamese. Screenshots land in test-results/screenshots.
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshotDir } from '../support/browser.ts';
import { startTestInstance, type TestInstance } from '../support/instance.ts';

describe('web chat in Chromium', () => {
  let instance: TestInstance;
  let browser: Browser;

  beforeAll(async () => {
    instance = await startTestInstance();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await instance?.stop();
  });

  async function type(page: Page, text: string) {
    await page.getByRole('textbox').fill(text);
    await page.keyboard.press('Enter');
  }

  async function lastAssistantText(page: Page): Promise<string> {
    return (await page.locator('.entry.assistant .body').last().textContent()) ?? '';
  }

  const journeys = [
    {
      locale: 'en-GB',
      greeting: "Hello! I'm the Frontdoor Demo Hospital assistant.",
      agree: 'I agree',
      askName: 'What is your full name',
      askBirth: 'What is your date of birth?',
      askPhone: 'What is your mobile phone number?',
      registered: 'Thank you, Mary Jane Watson. You are registered.\n\nWhat would you like to do?',
      name: 'Mary Jane Watson',
      phone: '0912 345 678',
      menu: ['Check my symptoms', 'Book an appointment', 'My appointments', 'Language', 'Help'],
      send: 'Send',
    },
    {
      locale: 'vi-VN',
      greeting: 'Xin chào! Tôi là trợ lý của Frontdoor Demo Hospital.',
      agree: 'Tôi đồng ý',
      askName: 'Họ và tên đầy đủ của bạn là gì',
      askBirth: 'Ngày sinh của bạn là ngày nào?',
      askPhone: 'Số điện thoại di động của bạn là gì?',
      registered: 'Cảm ơn Trần Văn Bình. Bạn đã đăng ký thành công.\n\nBạn muốn làm gì?',
      name: 'Trần Văn Bình',
      phone: '0987 654 321',
      menu: ['Kiểm tra triệu chứng', 'Đặt lịch khám', 'Lịch hẹn của tôi', 'Ngôn ngữ', 'Trợ giúp'],
      send: 'Gửi',
    },
  ];

  it.each(journeys)(
    'onboards a patient in $locale',
    async (journey) => {
      const context = await browser.newContext({
        locale: journey.locale,
        viewport: { width: 390, height: 780 },
        deviceScaleFactor: 2,
      });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${instance.frontdoor.url}/chat`);
      await expect.poll(() => page.locator('html').getAttribute('lang')).toBe(journey.locale.slice(0, 2));
      await expect.poll(() => page.getByRole('button', { name: journey.send }).isVisible()).toBe(true);

      await type(page, 'hi');
      await page.getByRole('button', { name: journey.agree }).waitFor();
      expect(await page.locator('.entry.assistant .body').first().textContent()).toContain(journey.greeting);
      await page.screenshot({ path: join(screenshotDir, `web-chat-consent-${journey.locale}.png`) });

      await page.getByRole('button', { name: journey.agree }).click();
      await expect.poll(() => lastAssistantText(page)).toContain(journey.askName);
      await type(page, journey.name);
      await expect.poll(() => lastAssistantText(page)).toContain(journey.askBirth);
      await type(page, '05/06/1990');
      await expect.poll(() => lastAssistantText(page)).toContain(journey.askPhone);
      await type(page, journey.phone);
      await expect
        .poll(() => page.locator('.entry.assistant .body').allTextContents())
        .toContain(journey.registered);
      // The menu's buttons are on the newest message (older messages keep theirs, as in the apps).
      const menu = page.locator('.entry.assistant').last().getByRole('button');
      await expect.poll(() => menu.allTextContents()).toEqual(journey.menu);
      // The patient's own messages are shown on their side of the conversation.
      expect(await page.locator('.entry.patient .body').allTextContents()).toEqual([
        'hi',
        journey.agree,
        journey.name,
        '05/06/1990',
        journey.phone,
      ]);
      await page.screenshot({ path: join(screenshotDir, `web-chat-registered-${journey.locale}.png`) });
      expect(errors).toEqual([]);
      await context.close();
    },
    60_000,
  );

  it('keeps the conversation across a reload (signed session cookie)', async () => {
    const context = await browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    await page.goto(`${instance.frontdoor.url}/chat`);
    await type(page, 'hello');
    await page.getByRole('button', { name: 'I agree' }).waitFor();
    const before = await page.locator('.entry').count();
    await page.reload();
    await expect.poll(() => page.locator('.entry').count()).toBe(before);
    const cookies = await context.cookies();
    const session = cookies.find((cookie) => cookie.name === 'fd_chat');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/chat' });
    await context.close();
  }, 60_000);
});
