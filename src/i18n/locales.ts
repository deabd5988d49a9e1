// The languages' texts: the locale files and the i18next translator built from them.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import i18next, { type i18n, type TFunction } from 'i18next';

import { DEFAULT_LOCALE, SUPPORTED_LOCALES, type Locale } from './locale-codes.ts';

export { DEFAULT_LOCALE, SUPPORTED_LOCALES, isLocale, resolveLocale, type Locale } from './locale-codes.ts';

export const localesDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'locales');

/** Reads every namespace file of one locale: locales/<lang>/<namespace>.json. */
export function readLocaleResources(locale: Locale): Record<string, Record<string, unknown>> {
  const dir = join(localesDir, locale);
  return Object.fromEntries(
    readdirSync(dir)
      .filter((file) => file.endsWith('.json'))
      .map((file) => [
        file.replace(/\.json$/, ''),
        JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>,
      ]),
  );
}

/** An i18next instance with every shipped locale loaded; English fills any gap. */
export async function createTranslator(): Promise<i18n> {
  const instance = i18next.createInstance();
  await instance.init({
    resources: Object.fromEntries(SUPPORTED_LOCALES.map((locale) => [locale, readLocaleResources(locale)])),
    supportedLngs: [...SUPPORTED_LOCALES],
    fallbackLng: DEFAULT_LOCALE,
    defaultNS: 'common',
    ns: Object.keys(readLocaleResources(DEFAULT_LOCALE)),
    // Messages go to chat platforms as plain text; HTML escaping would show as &amp; etc.
    interpolation: { escapeValue: false },
    initAsync: false,
  });
  return instance;
}

export type Translate = TFunction;
