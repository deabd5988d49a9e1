// The web chat in a real browser: a patient completes onboarding by typing and tapping, in
// English and in Vietnamese. Screenshots land in test-results/screenshots.
import { createServer, type AddressInfo } from 'node:net';
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
      menu: [
        'Check my symptoms',
        'Book an appointment',
        'My appointments',
        'Check in / my ticket',
        'Language',
        'Help',
        'Hospital notices',
      ],
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
      menu: [
        'Kiểm tra triệu chứng',
        'Đặt lịch khám',
        'Lịch hẹn của tôi',
        'Tiếp đón / số thứ tự của tôi',
        'Ngôn ngữ',
        'Trợ giúp',
        'Thông báo bệnh viện',
      ],
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

      // Greet on open: the conversation starts by itself, nothing typed yet.
      await page.getByRole('button', { name: journey.agree }).waitFor();
      expect(await page.locator('.entry.patient').count()).toBe(0);
      expect(await page.locator('.entry.assistant .body').first().textContent()).toContain(journey.greeting);
      await page.screenshot({ path: join(screenshotDir, `web-chat-greeting-${journey.locale}.png`) });

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

  it('keeps the conversation across a reload (signed session cookie), and does not greet twice', async () => {
    const context = await browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    await page.goto(`${instance.frontdoor.url}/chat`);
    await page.getByRole('button', { name: 'I agree' }).waitFor();
    await type(page, 'hello');
    await expect.poll(() => page.locator('.entry.patient').count()).toBe(1);
    await expect.poll(() => page.getByRole('button', { name: 'I agree' }).count()).toBe(2);
    const before = await page.locator('.entry').count();
    await page.reload();
    await expect.poll(() => page.locator('.entry').count()).toBe(before);
    await page.reload();
    await expect.poll(() => page.locator('.entry').count()).toBe(before);
    expect(
      (await page.locator('.entry.assistant .body').allTextContents()).filter((body) =>
        body.startsWith("Hello! I'm the"),
      ),
    ).toHaveLength(1);
    const cookies = await context.cookies();
    const session = cookies.find((cookie) => cookie.name === 'fd_chat');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/chat' });
    await context.close();
  }, 60_000);

  it('page chrome in the chosen language: title, placeholder and Send follow a language switch', async () => {
    const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(`${instance.frontdoor.url}/chat`);
    await page.getByRole('button', { name: 'Language' }).click();
    await page.getByRole('button', { name: 'Français' }).click();
    await page.getByRole('button', { name: "J'accepte" }).waitFor();
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('fr');
    expect(await page.title()).toBe('Discuter avec Frontdoor Demo Hospital');
    expect(await page.getByRole('textbox').getAttribute('placeholder')).toBe('Écrivez un message');
    expect(await page.locator('#send').textContent()).toBe('Envoyer');
    // A consent refusal gives the hospital's phone and address, and a way back.
    await page.getByRole('button', { name: 'Je refuse' }).click();
    await page.getByRole('button', { name: 'Recommencer' }).waitFor();
    expect(await page.locator('.entry.assistant .body').last().textContent()).toContain(
      "Vous pouvez joindre l'hôpital au +84 24 3869 3731 ou vous rendre au 78 Giải Phóng, Đống Đa, Hà Nội.",
    );
    await page.screenshot({ path: join(screenshotDir, 'web-chat-consent-refused-fr.png') });
    await page.getByRole('button', { name: 'Recommencer' }).click();
    await expect.poll(() => page.getByRole('button', { name: "J'accepte" }).count()).toBe(2);
    // A reload keeps the conversation's language, whatever the browser says.
    await page.reload();
    await expect.poll(() => page.locator('#send').textContent()).toBe('Envoyer');
    await context.close();
  }, 60_000);
});

describe('web chat across a server restart', () => {
  it('the web chat resynchronises after a server restart (new stream epoch, lower ids)', async () => {
    const port = await freePort();
    let instance = await startTestInstance({ port });
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 390, height: 844 } });
      const page = await context.newPage();
      await page.goto(`${instance.frontdoor.url}/chat`);
      await page.getByRole('button', { name: 'I agree' }).click();
      await expect
        .poll(() => page.locator('.entry.assistant .body').last().textContent())
        .toContain('What is your full name');
      expect(await page.locator('.entry').count()).toBeGreaterThanOrEqual(3);
      // The demo keeps transcripts in memory: a restart loses them and numbering starts again.
      await instance.stop();
      instance = await startTestInstance({ port });
      // The page drops what the server no longer has and shows the conversation begun again.
      const bodies = () => page.locator('.entry .body').allTextContents();
      await expect
        .poll(async () => (await bodies()).some((body) => body.includes('What is your full name')), {
          timeout: 20_000,
        })
        .toBe(false);
      await expect
        .poll(async () => (await bodies())[0], { timeout: 20_000 })
        .toContain("Hello! I'm the Frontdoor Demo Hospital assistant.");
      expect(await page.locator('.entry.patient').count()).toBe(0);
      // And it hears the answers again (ids start from 1 once more).
      await page.getByRole('textbox').fill('hello again');
      await page.keyboard.press('Enter');
      await expect
        .poll(() => page.locator('.entry.assistant .body').allTextContents(), { timeout: 20_000 })
        .toContainEqual(expect.stringContaining('Please answer with one of the buttons below.'));
      expect(await page.locator('.entry.patient .body').allTextContents()).toEqual(['hello again']);
      await context.close();
    } finally {
      await browser.close();
      await instance.stop();
    }
  }, 90_000);
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
