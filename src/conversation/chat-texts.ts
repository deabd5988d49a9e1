// The chat's texts per locale, for flow steps: each step asks for many, so the texts without
// placeholders are looked up once per process.
import type { i18n } from 'i18next';
import type { Locale } from '../i18n/locales.ts';
import type { Translate } from './flow.ts';

export class ChatTexts {
  private readonly translators = new Map<Locale, Translate>();

  constructor(private readonly translator: i18n) {}

  /** Text in `locale`. */
  in(locale: Locale): Translate {
    let translate = this.translators.get(locale);
    if (!translate) {
      const t = this.translator.getFixedT(locale, 'chat');
      // Only placeholder-free texts are remembered: values may be a patient's name.
      const fixed = new Map<string, string>();
      translate = (key, values) => {
        if (values) return t(key, values);
        let text = fixed.get(key);
        if (text === undefined) {
          text = t(key);
          fixed.set(key, text);
        }
        return text;
      };
      this.translators.set(locale, translate);
    }
    return translate;
  }
}
