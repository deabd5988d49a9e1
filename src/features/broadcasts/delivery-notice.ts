// What one recipient of a broadcast reads: the text in their language (else the hospital's,
// else English, else the first written) and, in that same language, how to stop hospital notices.
import type { i18n } from 'i18next';
import { textFor, type BroadcastTexts } from '../../domain/broadcasts.ts';
import type { Locale } from '../../i18n/locales.ts';

/** Builds a broadcast's notice for a recipient's language. */
export type NoticeWriter = (texts: BroadcastTexts, locale: Locale) => string;

/**
 * The footer follows the text's language, not the recipient's: a Thai patient reading the
 * English fallback reads the English way to stop, in one language throughout.
 */
export function noticeWriter(translator: i18n, hospital: Locale): NoticeWriter {
  return (texts, locale) => {
    const chosen = textFor(texts, locale, hospital);
    const footer = translator.getFixedT(chosen.locale, 'broadcasts')('footer');
    return `${chosen.text}\n\n${footer}`;
  };
}
