// The paid journey in the web chat, in Chromium, on the embedded default: no Stripe account, so
// the "Pay" button opens the local, clearly labelled test-payment page. Symptoms → book → pay →
// receipt in the chat → cancel ≥ 24 h ahead → refunded. Screenshots in test-results/screenshots.
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaffAccounts } from '../../src/security/staff-accounts.ts';
import { cutOff, launchBrowser, screenshotDir } from '../support/browser.ts';
import { coughIntakeInChat, nextDayWithMorningSlot, registerInChat } from '../support/journeys.ts';
import { anySays, openChat, says, tap } from '../support/web-chat-page.ts';
import { startTestInstance, type TestInstance } from '../support/instance.ts';
import { freePort } from '../support/net.ts';

describe('paying in the web chat, in Chromium', () => {
  let instance: TestInstance;
  let browser: Browser;

  beforeAll(async () => {
    const port = await freePort();
    // No Stripe settings and no CONSULTATION_FEES: the embedded default charges the demo fee.
    instance = await startTestInstance({
      port,
      env: { PUBLIC_BASE_URL: `http://127.0.0.1:${port}` },
      openHospital: true,
    });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await instance?.stop();
  });

  it(
    'journey: intake → book → pay on the test page → receipt → cancel → refunded',
    { timeout: 180_000 },
    async () => {
      const { context, page, errors } = await openChat(browser, instance.frontdoor.url);

      await registerInChat(page, { name: 'Peter Parker', birthDate: '10/08/1991', phone: '0912 345 679' });
      await coughIntakeInChat(page);

      await tap(page, 'Book an appointment');
      await tap(page, 'General medicine');
      await tap(page, 'Anyone available');
      await says(page, /^(Free times|There is no free time) on /);
      // Two days ahead at least, so a cancellation is ≥ 24 h before and refunded in full.
      await tap(page, await nextDayWithMorningSlot(page, 2));
      await says(
        page,
        /\(General medicine\)\?\n\nConsultation fee: ₫200,000, paid online to confirm the booking\.$/,
      );
      await tap(page, 'Confirm and pay');
      await anySays(
        page,
        /^I am holding .+ at 08:00 for you until \d\d:\d\d\. Please pay ₫200,000 to confirm it\.$/,
      );
      const payLink = page.getByRole('link', { name: 'Pay ₫200,000' }).last();
      await page.screenshot({ path: join(screenshotDir, 'web-chat-pay.png') });

      const [checkout] = await Promise.all([context.waitForEvent('page'), payLink.click()]);
      await checkout.waitForLoadState();
      expect(checkout.url()).toMatch(/\/pay\/test\/cs_test_local_\w+$/);
      expect(await checkout.getByRole('alert').textContent()).toMatch(
        /^TEST MODE — no real payment is made\./,
      );
      expect(await checkout.getByText('Consultation: ₫200,000').isVisible()).toBe(true);
      await checkout.screenshot({ path: join(screenshotDir, 'test-payment-page.png') });
      await checkout.getByRole('button', { name: 'Pay (test)' }).click();
      await checkout.waitForURL(/\/pay\/done\?lang=en$/);
      expect(await checkout.getByRole('heading').textContent()).toBe('Payment received');
      await checkout.close();

      await anySays(
        page,
        /^✅ Your appointment is booked: .+ at 08:00 .+\n\nPayment received — thank you\.\nReceipt FD-\w{10} · Consultation · ₫200,000 · paid /,
      );
      await page.screenshot({ path: join(screenshotDir, 'web-chat-receipt.png') });

      await tap(page, 'My appointments');
      await says(page, /^Your appointments:/);
      await tap(page, /^Cancel /);
      // A confirmation before cancelling a paid appointment, naming the refund.
      await says(
        page,
        /^Cancel your appointment on .+\?\nIf you cancel now, the full fee of ₫200,000 is refunded\.$/,
      );
      await page.screenshot({ path: join(screenshotDir, 'web-chat-cancel-confirmation.png') });
      await tap(page, 'Yes, cancel it');
      await says(
        page,
        /is cancelled\.\nThe full fee of ₫200,000 is refunded\. It can take 5–10 days to reach you\./,
      );
      const payment = await instance.frontdoor.database.prisma.payment.findFirstOrThrow({
        where: { channel: 'web' },
      });
      expect(payment).toMatchObject({ status: 'cancelled', amountMinor: 200_000, refundedMinor: 200_000 });
      // The test gateway reports the refund as Stripe's charge.refunded would.
      await expect
        .poll(
          async () =>
            (
              await instance.frontdoor.database.prisma.payment.findUniqueOrThrow({
                where: { id: payment.id },
              })
            ).refundSettledMinor,
        )
        .toBe(200_000);
      expect(errors).toEqual([]);
      await context.close();

      // The operator sees it on the console's payments page: cancelled, refunded in full.
      await new StaffAccounts(instance.frontdoor.database.prisma, {
        maxFailures: 5,
        lockoutMs: 60_000,
      }).upsert({
        email: 'operator@pay.test',
        roles: ['operator'],
        password: 'an operator password in the browser',
      });
      const consoleContext = await browser.newContext({ viewport: { width: 1200, height: 700 } });
      const desk = await consoleContext.newPage();
      await desk.goto(`${instance.frontdoor.url}/console`);
      await desk.getByLabel('Email').fill('operator@pay.test');
      await desk.getByLabel('Password').fill('an operator password in the browser');
      await desk.getByRole('button', { name: 'Sign in' }).click();
      await desk.getByRole('heading', { name: 'Payments' }).waitFor();
      const row = desk.locator(`tr[data-id="${payment.id}"]`);
      await expect
        .poll(async () => (await row.locator('td').allTextContents()).slice(1).join(' | '))
        .toMatch(
          /^Peter Parker \| \d{1,2} \w{3} 2026, 08:00 \| General medicine \| ₫200,000 \| ₫200,000 \| Appointment cancelled \| $/,
        );
      await desk.screenshot({ path: join(screenshotDir, 'console-payments.png') });
      await desk.setViewportSize({ width: 390, height: 844 });
      await desk.screenshot({ path: join(screenshotDir, 'console-payments-phone.png'), fullPage: true });
      expect(await cutOff(desk)).toEqual([]);
      await consoleContext.close();
    },
  );
});
