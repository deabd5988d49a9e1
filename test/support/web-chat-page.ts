// Driving the web chat page in Chromium as a patient would: tap a button of the newest message,
// type, and wait for what the assistant says.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';

/** The assistant's newest message. */
export const newest = (page: Page) => page.locator('.entry.assistant').last();

/**
 * Taps a button of the newest message and waits for the answer and its buttons. An answer that
 * has none (a question typed in reply) says so with `buttons: false`: waiting for buttons that
 * never come would cost Playwright's whole 30 s timeout.
 */
export async function tap(page: Page, name: string | RegExp, { buttons = true } = {}): Promise<void> {
  const before = await page.locator('.entry.assistant').count();
  await newest(page).getByRole('button', { name }).first().click();
  await expect.poll(() => page.locator('.entry.assistant').count()).toBeGreaterThan(before);
  if (!buttons) return;
  await newest(page)
    .getByRole('button')
    .first()
    .waitFor()
    .catch(() => undefined);
}

/** Types a message, sends it with Enter and waits for an answer. */
export async function type(page: Page, text: string): Promise<void> {
  const before = await page.locator('.entry.assistant').count();
  await page.getByRole('textbox').fill(text);
  await page.keyboard.press('Enter');
  await expect.poll(() => page.locator('.entry.assistant').count()).toBeGreaterThan(before);
}

/** Waits until the newest message says `text`. */
export const says = (page: Page, text: string | RegExp) =>
  expect.poll(async () => (await newest(page).locator('.body').textContent()) ?? '').toMatch(text);

/** Waits until any message says `text` (news may arrive after the menu). */
export const anySays = (page: Page, text: RegExp) =>
  expect
    .poll(async () =>
      (await page.locator('.entry.assistant .body').allTextContents()).some((t) => text.test(t)),
    )
    .toBe(true);

/** A phone-sized page on the web chat, collecting page errors. */
export async function openChat(
  browser: Browser,
  baseUrl: string,
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({
    locale: 'en-GB',
    viewport: { width: 390, height: 780 },
    deviceScaleFactor: 2,
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${baseUrl}/chat`);
  await expect.poll(() => page.getByRole('button', { name: 'Send' }).isVisible()).toBe(true);
  // A new session is greeted by itself: wait for the greeting, or the next step's count of
  // messages would take the greeting for its own answer and run ahead of the conversation.
  await expect.poll(() => page.locator('.entry.assistant').count()).toBeGreaterThan(0);
  return { context, page, errors };
}
