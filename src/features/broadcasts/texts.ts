// The words of hospital notices: "stop" in every language (read from
// locales/<lang>/broadcasts.json) and the version of what the patient is told about the choice.
// The notice itself (text and footer) is written by delivery-notice.ts.
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
