import { describe, expect, it } from 'vitest';
import { RED_FLAG_PHRASES, emergencyNumberFor, findRedFlag } from '../../src/domain/red-flags.ts';
import { SUPPORTED_LOCALES } from '../../src/i18n/locales.ts';

describe('findRedFlag', () => {
  it('has phrases for every shipped language', () => {
    for (const locale of SUPPORTED_LOCALES)
      expect(RED_FLAG_PHRASES[locale].length, locale).toBeGreaterThanOrEqual(10);
  });

  it.each(
    SUPPORTED_LOCALES.flatMap((locale) =>
      RED_FLAG_PHRASES[locale].map((phrase) => [locale, phrase] as const),
    ),
  )('%s: finds "%s" inside a sentence', (locale, phrase) => {
    const sentence = `${locale === 'en' ? 'Help,' : '…'} ${phrase.toUpperCase()} !`;
    expect(findRedFlag(sentence)?.phrase).toBeDefined();
  });

  it.each([
    ['I can’t breathe', "can't breathe"],
    ['my dad has CHEST PAIN since an hour', 'chest pain'],
    ['me kho tho qua', 'khó thở'],
    ['Mẹ tôi bị KHÓ THỞ', 'khó thở'],
    ['我胸痛得厉害', '胸痛'],
    ['Il a une douleur à la poitrine', 'douleur à la poitrine'],
    ['J’étouffe', "j'étouffe"],
    ['ผมหายใจไม่ออกครับ', 'หายใจไม่ออก'],
    ['急に胸が痛いです', '胸が痛い'],
  ])('"%s" → %s', (text, phrase) => {
    expect(findRedFlag(text)?.phrase).toBe(phrase);
  });

  it.each([
    'I would like to book an appointment',
    'Je voudrais voir un avocat',
    'tôi muốn đặt lịch khám',
    '予約したいです',
    'strokes of luck',
  ])('does not fire on "%s"', (text) => {
    expect(findRedFlag(text)).toBeUndefined();
  });
});

describe('emergencyNumberFor', () => {
  const numbers = { VN: '115', CN: '120', TH: '1669', JP: '119', FR: '15/112', US: '911' };
  it.each([
    ['VN', '115'],
    ['CN', '120'],
    ['TH', '1669'],
    ['JP', '119'],
    ['FR', '15/112'],
    ['US', '911'],
  ])('%s → %s', (country, number) => {
    expect(emergencyNumberFor(country, numbers, 'VN')).toBe(number);
  });

  it("falls back to the hospital's country, then to 112", () => {
    expect(emergencyNumberFor('DE', numbers, 'TH')).toBe('1669');
    expect(emergencyNumberFor(undefined, {}, 'DE')).toBe('112');
  });
});
