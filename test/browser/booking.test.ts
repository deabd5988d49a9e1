// Intake → booking in the web chat, in Chromium: a patient describes a cough, taps "Book an
// appointment", takes the suggested department, anyone, tomorrow's first time, and confirms;
// the appointment is then in the demo hospital. Screenshots in test-results/screenshots.
import { join } from 'node:path';
import type { Appointment } from '@medplum/fhirtypes';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FhirClient } from '../../src/integrations/fhir/fhir-client.ts';
import { launchBrowser, screenshotDir } from '../support/browser.ts';
import { coughIntakeInChat, nextDayWithMorningSlot, registerInChat } from '../support/journeys.ts';
import { newest, openChat, says, tap } from '../support/web-chat-page.ts';
import { startTestInstance, type TestInstance } from '../support/instance.ts';
import { freePort } from '../support/net.ts';

describe('booking in the web chat, in Chromium', () => {
  let instance: TestInstance;
  let browser: Browser;

  beforeAll(async () => {
    // The check-in QR is served by the instance itself, under the page's own origin (img-src 'self').
    const port = await freePort();
    instance = await startTestInstance({
      port,
      env: { CONSULTATION_FEES: '0', PUBLIC_BASE_URL: `http://127.0.0.1:${port}` },
      openHospital: true,
    });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await instance?.stop();
  });

  it('goes from symptoms to a booked appointment', { timeout: 120_000 }, async () => {
    const { context, page, errors } = await openChat(browser, instance.frontdoor.url);

    await registerInChat(page, { name: 'Mary Jane Watson', birthDate: '05/06/1990', phone: '0912 345 678' });
    await coughIntakeInChat(page);

    await tap(page, 'Book an appointment');
    await says(
      page,
      'From your symptoms I suggest General medicine.\n\nWhich department would you like to visit?',
    );
    await tap(page, 'General medicine');
    await says(page, 'Which doctor would you like to see?');
    await tap(page, 'Anyone available');
    await says(page, /^(Free times|There is no free time) on /);
    await nextDayWithMorningSlot(page);
    await says(page, /^Free times on /);
    await page.screenshot({ path: join(screenshotDir, 'web-chat-booking-times.png') });
    // Paging of times through the whole day: the afternoon is reachable.
    await tap(page, 'Later times');
    await says(page, /^Free times on /);
    await newest(page).getByRole('button', { name: 'Earlier times' }).waitFor();
    await page.screenshot({ path: join(screenshotDir, 'web-chat-booking-later-times.png') });
    expect(
      await newest(page)
        .getByRole('button', { name: /^08:00 · Dr / })
        .count(),
    ).toBe(0);
    await tap(page, 'Earlier times');
    await says(page, /^Free times on /);
    const first = newest(page)
      .getByRole('button', { name: /^08:00 · Dr / })
      .first();
    const label = (await first.textContent()) ?? '';
    await tap(page, label);
    await says(page, /^Book .+ at 08:00 with Dr .+ \(General medicine\)\?$/);
    await tap(page, 'Confirm');
    await says(page, /^What would you like to do\?$/);
    // The confirmation shows the check-in code inline: its QR drawn by our route, and the link.
    const confirmation = page.locator('.entry.assistant').nth(-2);
    await expect
      .poll(async () => (await confirmation.locator('.body').textContent()) ?? '')
      .toMatch(
        /^✅ Your appointment is booked: .+ at 08:00 with Dr .+ \(General medicine\)\.\n\nCheck-in code for .+ at 08:00 \(General medicine\): show this QR code at reception/,
      );
    const qr = confirmation.getByRole('img', { name: /^Check-in QR code for .+ at 08:00$/ });
    await expect
      .poll(() => qr.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth))
      .toBeGreaterThanOrEqual(400);
    expect(await confirmation.getByRole('link', { name: 'Check in' }).getAttribute('href')).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/checkin\/[\w-]+\.[\w-]+\?lang=en$/,
    );
    await page.screenshot({ path: join(screenshotDir, 'web-chat-booked.png') });

    const session = (await context.cookies()).find((cookie) => cookie.name === 'fd_chat');
    expect(session).toBeDefined();
    const identity = await instance.frontdoor.database.prisma.channelIdentity.findFirstOrThrow({
      where: { channel: 'web' },
    });
    const fhir = new FhirClient(`${instance.frontdoor.url}/fhir/R4`, {
      bearerToken: instance.frontdoor.demoHospitalToken,
    });
    const patient = await fhir.search('Patient', {
      identifier: `urn:frontdoor:patient|${identity.patientId}`,
    });
    const { resources } = await fhir.search<Appointment>('Appointment', {
      patient: `Patient/${patient.resources[0]?.id}`,
    });
    expect(resources.map((appointment) => appointment.status)).toEqual(['booked']);
    expect(errors).toEqual([]);
    await context.close();
  });
});
