// The languages Frontdoor ships and how platform language tags map onto them: plain data, so the
// web front end uses the same rules (locales.ts adds the files and i18next, server side).

export const SUPPORTED_LOCALES = ['en', 'vi', 'zh-CN', 'fr', 'th', 'ja'] as const;
export type Locale = (typeof SUPPORTED_LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';

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
