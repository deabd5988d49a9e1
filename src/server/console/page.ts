// The staff console's page: a shell that loads the built front end (web/src/console) in the
// staff member's language, with the texts it needs in a JSON block.
import type { i18n } from 'i18next';
import { SUPPORTED_LOCALES, type Locale } from '../../i18n/locales.ts';
import { escapeHtml, htmlPage } from '../html.ts';

/** Each language named in itself, for the switch. */
const LANGUAGE_NAMES: Record<Locale, string> = {
  en: 'English',
  vi: 'Tiếng Việt',
  'zh-CN': '简体中文',
  fr: 'Français',
  th: 'ไทย',
  ja: '日本語',
};

export function consolePage(hospitalName: string, locale: Locale, translator: i18n): string {
  const texts = translator.getResourceBundle(locale, 'console') as Record<string, unknown>;
  const t = translator.getFixedT(locale, 'console');
  return htmlPage({
    lang: locale,
    title: `${t('pageTitle')} · ${hospitalName}`,
    entry: 'console',
    body: `<div id="app"><main><p class="muted">${escapeHtml(t('loading'))}</p></main></div>`,
    data: {
      hospitalName,
      locale,
      locales: SUPPORTED_LOCALES.map((code) => ({ code, name: LANGUAGE_NAMES[code] })),
      texts,
    },
    noindex: true,
  });
}
