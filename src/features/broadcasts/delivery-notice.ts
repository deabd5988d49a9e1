// What one recipient of a broadcast reads: a first line naming it a notice from the hospital (so
// it is not taken for the bot's answer), the text in their language (else the hospital's, else
// English, else the first shipped language written) and, in that same language, a footer on hospital notices.
import type { i18n } from 'i18next';
import { isAboutCare, textFor, type Audience, type BroadcastTexts } from '../../domain/broadcasts.ts';
import type { Locale } from '../../i18n/locales.ts';

/** What a notice is written from: a broadcast's texts and who it goes to. */
export interface NoticeSource {
  texts: BroadcastTexts;
  audience: Audience;
}

/** Builds a broadcast's notice for a recipient's language. */
export type NoticeWriter = (broadcast: NoticeSource, locale: Locale) => string;

/** The words around a notice's text in one language (the console's preview shows the same). */
export interface NoticeFrame {
  heading: string;
  /** Under a notice to the subscribers audience: how to stop hospital notices. */
  footer: string;
  /**
   * Under an appointment or queue notice, which also reaches patients who replied STOP: why it
   * reaches them, right whether their notices are on or off.
   */
  careFooter: string;
}

export function noticeFrame(translator: i18n, hospitalName: string, locale: Locale): NoticeFrame {
  const t = translator.getFixedT(locale, 'broadcasts');
  return {
    heading: t('heading', { hospital: hospitalName }),
    footer: t('footer'),
    careFooter: t('careFooter'),
  };
}

/** A notice as the patient reads it. */
export const framed = (frame: NoticeFrame, text: string, aboutCare: boolean): string =>
  `${frame.heading}\n\n${text}\n\n${aboutCare ? frame.careFooter : frame.footer}`;

/**
 * The heading and footer follow the text's language, not the recipient's: a Thai patient reading
 * the English fallback reads English throughout.
 */
export function noticeWriter(translator: i18n, hospital: Locale, hospitalName: string): NoticeWriter {
  return ({ texts, audience }, locale) => {
    const chosen = textFor(texts, locale, hospital);
    return framed(noticeFrame(translator, hospitalName, chosen.locale), chosen.text, isAboutCare(audience));
  };
}
