// Every page under the strict Content-Security-Policy: no inline script or style allowed, the
// built front end loading as files, nothing refused while a nurse, the desk and a patient use
// the pages, and an injected inline script refused. Also: the console in the staff member's
// language, and its live events carrying an inbox row only to roles that may see it.
// Screenshots at phone (390×844) and desktop (1280×800) size land in test-results/screenshots
// (and WEB_SHOTS_DIR when set).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaffAccounts } from '../../src/security/staff-accounts.ts';
import { launchBrowser, screenshotDir } from '../support/browser.ts';
import { ConsoleClient, openConsoleStream } from '../support/console-client.ts';
import type { TelegramFake } from '../support/fakes/telegram-fake.ts';
import type { TestInstance } from '../support/instance.ts';
import { TelegramPatient, startWithTelegram } from '../support/telegram-patient.ts';

const PASSWORD = 'a password for the page policy test';
const SIZES = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 800 } } as const;

/** Records what the page's policy refused (the browser fires this for every refusal). */
const watchViolations = (page: Page) =>
  page.addInitScript(() => {
    const seen: string[] = [];
    Object.assign(window, { cspViolations: seen });
    document.addEventListener('securitypolicyviolation', (event) =>
      seen.push(`${event.violatedDirective} ${event.blockedURI}`),
    );
  });
const violations = (page: Page) =>
  page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);

describe('pages under a strict Content-Security-Policy', () => {
  let fake: TelegramFake;
  let instance: TestInstance;
  let browser: Browser;
  const shots = [screenshotDir, process.env.WEB_SHOTS_DIR].filter((dir): dir is string => Boolean(dir));
  const shoot = async (page: Page, name: string) => {
    for (const dir of shots) await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
  };

  beforeAll(async () => {
    for (const dir of shots) await mkdir(dir, { recursive: true });
    ({ fake, instance } = await startWithTelegram());
    const accounts = new StaffAccounts(instance.frontdoor.database.prisma, {
      maxFailures: 5,
      lockoutMs: 60_000,
    });
    for (const [email, role] of [
      ['nurse@csp.test', 'nurse'],
      ['desk@csp.test', 'operator'],
    ] as const)
      await accounts.upsert({ email, displayName: `CSP ${role}`, roles: [role], password: PASSWORD });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await instance?.stop();
    await fake?.stop();
  });

  it('sends the policy on every page, with no unsafe-inline', async () => {
    for (const path of [
      '/console',
      '/chat',
      '/privacy',
      '/pay/done?lang=en',
      '/pay/cancelled?lang=vi',
      '/display/cardiology',
    ]) {
      const response = await fetch(`${instance.frontdoor.url}${path}`);
      expect(response.status, path).toBe(200);
      const policy = response.headers.get('content-security-policy') ?? '';
      expect(policy, path).toContain("script-src 'self'");
      expect(policy, path).toContain("style-src 'self'");
      expect(policy, path).not.toContain('unsafe-inline');
      const html = await response.text();
      // Scripts only as files; the one <script> with content is a JSON block that never runs.
      expect(html.match(/<script(?![^>]*(src=|type="application\/json"))[^>]*>/g), path).toBeNull();
      expect(html, path).not.toMatch(/<style|style="/);
    }
  });

  it(
    'runs the console and the chat with nothing refused, and refuses an injected inline script',
    { timeout: 180_000 },
    async () => {
      const patient = new TelegramPatient(instance.frontdoor.url, fake, 9301);
      await patient.onboard('Mai Hoang', '03/09/1979', '0912345301');
      await patient.intake('fever', [
        { step: 'onset', value: 'days' },
        { step: 'severity', value: '4' },
        { step: 'redFlag', value: 'no' },
        { step: 'redFlag', value: 'no' },
        { step: 'redFlag', value: 'no' },
        { step: 'pregnancy', value: 'no' },
        { text: '38.4' },
        { text: 'Fever and a sore throat since Monday' },
      ]);

      for (const [size, viewport] of Object.entries(SIZES)) {
        const context = await browser.newContext({ viewport, locale: 'en-GB' });
        const page = await context.newPage();
        await watchViolations(page);
        const errors: string[] = [];
        page.on('pageerror', (error) => errors.push(error.message));

        await page.goto(`${instance.frontdoor.url}/console`);
        await page.getByLabel('Email').fill('nurse@csp.test');
        await page.getByLabel('Password').fill(PASSWORD);
        await shoot(page, `csp-console-sign-in-${size}`);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByText('Live').waitFor();
        await page.getByRole('row', { name: /Mai Hoang/ }).waitFor();
        await shoot(page, `csp-console-inbox-${size}`);
        await page.getByRole('row', { name: /Mai Hoang/ }).click();
        await page.getByRole('heading', { name: 'Red flags' }).waitFor();
        await shoot(page, `csp-console-intake-${size}`);

        const ran = await page.evaluate(async () => {
          const refused = new Promise((resolve) =>
            document.addEventListener('securitypolicyviolation', resolve, { once: true }),
          );
          const script = document.createElement('script');
          script.textContent = 'window.injectedRan = true';
          // An allowed inline script runs during append; a refused one is reported as a violation.
          document.body.append(script);
          const ranNow = (window as unknown as { injectedRan?: boolean }).injectedRan ?? false;
          if (!ranNow) await refused;
          return ranNow;
        });
        expect(ran).toBe(false);
        expect(await violations(page)).toEqual(['script-src-elem inline']);

        const chat = await context.newPage();
        await watchViolations(chat);
        chat.on('pageerror', (error) => errors.push(error.message));
        await chat.goto(`${instance.frontdoor.url}/chat`);
        await chat.getByRole('button', { name: 'I agree' }).waitFor();
        await shoot(chat, `csp-web-chat-${size}`);
        expect(await violations(chat)).toEqual([]);
        expect(errors).toEqual([]);
        await context.close();
      }
    },
  );

  it('shows the console in the language the staff member chose, and keeps it', async () => {
    const context = await browser.newContext({ viewport: SIZES.desktop, locale: 'vi-VN' });
    const page = await context.newPage();
    await page.goto(`${instance.frontdoor.url}/console`);
    // Accept-Language first: Vietnamese.
    expect(await page.locator('html').getAttribute('lang')).toBe('vi');
    const vi = await (
      await fetch(`${instance.frontdoor.url}/console`, { headers: { 'accept-language': 'vi' } })
    ).text();
    expect(vi).toContain('"locale":"vi"');
    await page.getByRole('combobox', { name: 'Ngôn ngữ' }).selectOption('fr');
    await page.getByRole('button', { name: 'Se connecter' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('fr');
    await page.getByLabel('E-mail').fill('desk@csp.test');
    await page.getByLabel('Mot de passe').fill(PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('heading', { name: 'Paiements' }).waitFor();
    await shoot(page, 'csp-console-payments-fr-desktop');
    await context.close();
  });

  it('sends live inbox rows to the clinical roles only, with the fields the inbox shows', async () => {
    const nurse = new ConsoleClient(instance.frontdoor.url);
    const desk = new ConsoleClient(instance.frontdoor.url);
    expect((await nurse.signIn('nurse@csp.test', PASSWORD)).status).toBe(200);
    expect((await desk.signIn('desk@csp.test', PASSWORD)).status).toBe(200);
    // The desk's live view is the queue boards: its stream opens, but carries no inbox rows.
    const deskStream = await openConsoleStream(instance.frontdoor.url, desk);

    const [row] = (await nurse.request('GET', '/console/api/intakes')).body.intakes as { id: string }[];
    const stream = await openConsoleStream(instance.frontdoor.url, nurse);
    try {
      await nurse.request('POST', `/console/api/intakes/${row!.id}/route`, { department: 'cardiology' });
      const event = JSON.parse(await stream.next('intake')) as {
        type: string;
        intake: Record<string, unknown>;
      };
      const listed = (
        (await nurse.request('GET', '/console/api/intakes')).body.intakes as Record<string, unknown>[]
      )[0]!;
      expect(event).toEqual({ type: 'intake.changed', intake: listed });
      expect(Object.keys(event.intake)).not.toContain('answers');

      await nurse.request('POST', `/console/api/intakes/${row!.id}/close`);
      expect(JSON.parse(await stream.next('intake'))).toEqual({ type: 'intake.closed', id: row!.id });

      // A queue change after the intake's: the desk hears of it, and heard nothing of the intake.
      await instance.frontdoor.queue.walkIn({
        department: 'general_medicine',
        address: { channel: 'telegram', channelUserId: '9301' },
        locale: 'en',
      });
      expect(JSON.parse(await deskStream.next('queue'))).toMatchObject({ type: 'queue.board' });
      expect(deskStream.seen).toEqual(['queue']);
    } finally {
      stream.close();
      deskStream.close();
    }
  });
});
