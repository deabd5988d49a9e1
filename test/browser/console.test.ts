// The nurse console in a real browser: a nurse signs in, watches an intake that a Telegram
// patient completes appear at its place in the inbox without reloading, overrides its acuity
// and messages the patient, whose Telegram chat (a local Bot API fake) receives it.
// Screenshots (tablet size) land in test-results/screenshots.
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaffAccounts } from '../../src/security/staff-accounts.ts';
import { cutOff, launchBrowser, screenshotDir } from '../support/browser.ts';
import type { TelegramFake } from '../support/fakes/telegram-fake.ts';
import type { TestInstance } from '../support/instance.ts';
import { calmAnswers, SKIP_DESCRIBE } from '../support/journeys.ts';
import { TelegramPatient, startWithTelegram } from '../support/telegram-patient.ts';

const PASSWORD = 'nurse password for the browser test';

describe('nurse console in Chromium', () => {
  let fake: TelegramFake;
  let instance: TestInstance;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ({ fake, instance } = await startWithTelegram());
    await new StaffAccounts(instance.frontdoor.database.prisma, { maxFailures: 5, lockoutMs: 60_000 }).upsert(
      {
        email: 'hoa@hospital.test',
        displayName: 'Nurse Hoa',
        roles: ['nurse'],
        password: PASSWORD,
      },
    );
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1180, height: 820 } });
  });
  afterAll(async () => {
    await browser?.close();
    await instance?.stop();
    await fake?.stop();
  });

  const patient = (chat: number) => new TelegramPatient(instance.frontdoor.url, fake, chat);
  const inboxRows = () =>
    page.locator('tbody tr[data-id]').evaluateAll((rows) =>
      rows.map((row) => ({
        acuity: Number(row.querySelector('[data-acuity]')?.getAttribute('data-acuity')),
        patient: row.children[3]?.textContent ?? '',
      })),
    );

  it('shows a new intake in its place without reloading, and acts on it', { timeout: 180_000 }, async () => {
    // Two patients already waiting: one very urgent, one self-care.
    const minh = patient(9201);
    const lan = patient(9202);
    await Promise.all([
      minh.onboard('Minh Tran', '05/06/1958', '0912345101'),
      lan.onboard('Lan Pham', '14/02/1995', '0912345102'),
    ]);
    await Promise.all([
      minh.intake('chest_pain', [...calmAnswers('hour', '6', { pregnancy: false }), SKIP_DESCRIBE]),
      lan.intake('skin', [
        ...calmAnswers('week', '2', { redFlags: 2, pregnancy: false }),
        { step: 'temperature', value: 'unknown' },
        { text: 'Itchy patches on both elbows' },
      ]),
    ]);

    await page.goto(`${instance.frontdoor.url}/console`);
    await page.getByLabel('Email').fill('hoa@hospital.test');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Live').waitFor();
    expect(await inboxRows()).toEqual([
      { acuity: 2, patient: 'Minh Tran telegram' },
      { acuity: 5, patient: 'Lan Pham telegram' },
    ]);
    // Marks this page load: a reload would lose it.
    await page.evaluate(() => Object.assign(window, { sameDocument: true }));
    // The nurse's browser reads the built-in hospital with the same session (its cookie is the
    // whole site's), and nothing without it.
    const fhirStatus = (cookies: RequestCredentials) =>
      page.evaluate(
        async (credentials) => (await fetch('/fhir/R4/Patient?_count=1', { credentials })).status,
        cookies,
      );
    expect(await fhirStatus('same-origin')).toBe(200);
    expect(await fhirStatus('omit')).toBe(401);

    // A third patient completes an intake while the nurse watches: urgent (level 3).
    const bao = patient(9203);
    await bao.onboard('Bao Le', '20/10/1988', '0912345103');
    await bao.intake('fever', [
      ...calmAnswers('days', '4'),
      { text: '38.6' },
      { text: 'Aching all over, shivering at night' },
    ]);
    await page.locator('tbody tr[data-id]').nth(2).waitFor();
    expect(await inboxRows()).toEqual([
      { acuity: 2, patient: 'Minh Tran telegram' },
      { acuity: 3, patient: 'Bao Le telegram' },
      { acuity: 5, patient: 'Lan Pham telegram' },
    ]);
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(
      true,
    );
    await page.screenshot({ path: join(screenshotDir, 'console-inbox.png'), fullPage: true });
    // On a phone: the header's tabs in one row, every column of the inbox within reach.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(screenshotDir, 'console-inbox-phone.png'), fullPage: true });
    expect(await cutOff(page)).toEqual([]);
    await page.setViewportSize({ width: 1180, height: 820 });

    await page.getByRole('row', { name: /Bao Le/ }).click();
    await page.getByRole('heading', { name: 'Red flags' }).waitFor();
    // The patient's own words: quoted, and in the excerpt as they answered.
    await expect.poll(() => page.getByText('Aching all over, shivering at night').count()).toBe(2);
    await page.screenshot({ path: join(screenshotDir, 'console-intake.png'), fullPage: true });

    await page.getByRole('group', { name: 'Acuity level' }).getByRole('button', { name: /^2/ }).click();
    await page.getByLabel('Reason').fill('High fever with rigors: wants a doctor today');
    await page.getByRole('button', { name: 'Change to level 2' }).click();
    await page.getByText('Acuity set to 2 · Very urgent.').waitFor();

    const before = fake.messages(bao.chatId).length;
    await page.getByLabel('Or type').fill('Please come to the fever clinic at 14:00 today.');
    await page.getByRole('button', { name: 'Send message' }).click();
    await page.getByText('Message sent to the patient.').waitFor();
    const sent = await fake.waitForMessages(bao.chatId, before + 1);
    expect(sent.at(-1)?.body).toMatchObject({
      chat_id: bao.chatId,
      text: 'Message from the nurse: Please come to the fever clinic at 14:00 today.',
    });
    await expect.poll(() => page.locator('.history li').count()).toBe(2);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(screenshotDir, 'console-intake-after-actions.png'), fullPage: true });

    await page.getByRole('link', { name: '← Triage inbox' }).click();
    await page.locator('tbody tr[data-id]').nth(2).waitFor();
    expect((await inboxRows()).map((row) => row.acuity)).toEqual([2, 2, 5]);
  });

  it('says "wrong email or password" without telling which', async () => {
    const other = await browser.newPage({ viewport: { width: 820, height: 1180 } });
    await other.goto(`${instance.frontdoor.url}/console`);
    await other.getByLabel('Email').fill('hoa@hospital.test');
    await other.getByLabel('Password').fill('not it');
    await other.getByRole('button', { name: 'Sign in' }).click();
    await other.getByRole('alert').getByText('Wrong email or password.').waitFor();
    await other.screenshot({ path: join(screenshotDir, 'console-sign-in-error.png') });
    await other.close();
  });
});
