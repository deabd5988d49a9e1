// The words of hospital notices that more than one part needs: "stop" in every language (read
// from locales/<lang>/broadcasts.json), the version of the notices choice, and the notice as a
// patient reads it (their text, then the footer saying how to stop notices).
import { textFor, type BroadcastTexts } from '../../domain/broadcasts.ts';
import { SUPPORTED_LOCALES, type Locale } from '../../i18n/locales.ts';

/**
 * Version of what the patient is told about hospital notices (broadcasts:footer, stopped,
 * started), kept with each decision; bump when its meaning changes.
 */
export const NOTICES_TEXT_VERSION = '2026-12-04';

/** Lower case, NFC, without surrounding spaces and closing punctuation ("Stop!", "停止。"). */
const plain = (text: string) =>
  text
    .normalize('NFC')
    .trim()
    .toLocaleLowerCase()
    .replace(/[\s\p{P}]+$/u, '')
    .replace(/\s+/g, ' ');

/**
 * Whether the whole message is "stop" in any of the six languages: a patient may write in
 * another language than the chat's (the footer of an English notice read by a Thai patient).
 */
export function isStopWord(text: string, words: (locale: Locale) => string): boolean {
  const typed = plain(text);
  if (!typed || typed.length > 40) return false;
  return SUPPORTED_LOCALES.some((locale) =>
    words(locale)
      .split('|')
      .some((word) => plain(word) === typed),
  );
}

/**
 * What one recipient reads: the text in their language (else the hospital's, English, the
 * first written: textFor), then a blank line and the footer in the recipient's own language, so
 * how to stop is always said in a language they read.
 */
export function noticeText(
  texts: BroadcastTexts,
  locale: Locale,
  hospital: Locale,
  footer: (locale: Locale) => string,
): string {
  return `${textFor(texts, locale, hospital).text}\n\n${footer(locale)}`;
}
