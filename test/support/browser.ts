// Debian's Chromium driven by playwright-core (no browser download). The flags keep Chromium
// from reaching for the network, which is closed on these machines.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const screenshotDir = join(import.meta.dirname, '..', '..', 'test-results', 'screenshots');

export async function launchBrowser(): Promise<Browser> {
  await mkdir(screenshotDir, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * What a page at phone width would hide: the page wider than the screen, or a table wider than
 * its box where the box cannot scroll (its last columns, an "Open" button, cut off). [] when
 * everything can be seen or scrolled to.
 */
export async function cutOff(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const hidden: string[] = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth)
      hidden.push(`the page: ${root.scrollWidth} > ${root.clientWidth}`);
    for (const table of Array.from(document.querySelectorAll('table'))) {
      const box = table.parentElement!;
      const scrolls = ['auto', 'scroll'].includes(getComputedStyle(box).overflowX);
      if (box.scrollWidth > box.clientWidth + 1 && !scrolls)
        hidden.push(
          `${table.getAttribute('aria-label') ?? 'a table'}: ${box.scrollWidth} > ${box.clientWidth}`,
        );
    }
    return hidden;
  });
}
