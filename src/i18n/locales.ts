// The languages Frontdoor ships and how platform language tags map onto them.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import i18next, { type i18n, type TFunction } from 'i18next';

export const SUPPORTED_LOCALES = ['en', 'vi', 'zh-CN', 'fr', 'th', 'ja'] as const;
export type Locale = (typeof SUPPORTED_LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';

export const localesDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'locales');

/**
 * Maps a platform tag (Telegram `language_code`, LINE profile, Accept-Language, `?lang=`) to
 * ours. Takes anything: a query string repeated (`?lang=vi&lang=en`) arrives as an array.
 */
export function resolveLocale(tag: unknown): Locale | undefined {
  if (typeof tag !== 'string' || !tag) return undefined;
  const lower = tag.trim().toLowerCase().replace('_', '-');
  if (lower.startsWith('zh')) return 'zh-CN';
  const primary = lower.split('-')[0];
  return SUPPORTED_LOCALES.find((locale) => locale === primary);
}

/** Type guard for a stored locale string. */
export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (SUPPORTED_LOCALES as readonly string[]).includes(value);
}

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
