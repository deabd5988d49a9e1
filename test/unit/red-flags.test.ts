import { describe, expect, it } from 'vitest';
import {
  RED_FLAG_PHRASES,
  emergencyNumberFor,
  findRedFlag,
  homeEmergencyNumber,
} from '../../src/domain/red-flags.ts';
import { SUPPORTED_LOCALES, type Locale } from '../../src/i18n/locales.ts';

describe('findRedFlag', () => {
  it('has phrases for every shipped language', () => {
    for (const locale of SUPPORTED_LOCALES)
      expect(RED_FLAG_PHRASES[locale].length, locale).toBeGreaterThanOrEqual(20);
  });

  it.each(
    SUPPORTED_LOCALES.flatMap((locale) =>
      RED_FLAG_PHRASES[locale].map((phrase) => [locale, phrase] as const),
    ),
  )('%s: finds "%s" inside a sentence', (locale, phrase) => {
    const sentence = `${locale === 'en' ? 'Help,' : '…'} ${phrase.toUpperCase()} !`;
    expect(findRedFlag(sentence)?.phrase).toBeDefined();
  });

  // Per language: what a patient types that must fire (the finding's missed phrasings first),
  // and plain denials or ordinary messages that must not.
  const table: Record<Locale, { fires: [string, string][]; quiet: string[] }> = {
    en: {
      fires: [
        ['my chest hurts', 'chest hurts'],
        ['I can’t breathe', "can't breathe"],
        ['i cant breathe', 'cant breathe'],
        ['my dad has CHEST PAIN since an hour', 'chest pain'],
        ['no chest pain but I can’t breathe', "can't breathe"],
        ["I hope it's not a heart attack", 'heart attack'],
        ['her face is drooping and she has slurred speech', 'face is drooping'],
        ['he collapsed in the kitchen', 'collapsed'],
        ['my son is having a fit', 'having a fit'],
      ],
      quiet: [
        'no chest pain',
        'I have no chest pain, just a cough',
        "I don't have any difficulty breathing",
        'without chest pain',
        'I would like to book an appointment',
        'strokes of luck',
      ],
    },
    vi: {
      fires: [
        ['tôi bị khó thở quá', 'khó thở'],
        ['me kho tho qua', 'khó thở'],
        ['em bé không thở', 'không thở'],
        ['con tôi không thở được', 'không thở được'],
        ['bố tôi bị méo miệng', 'méo miệng'],
        ['đau ngực dữ dội', 'đau ngực'],
      ],
      quiet: ['tôi không đau ngực', 'không bị khó thở', 'không có đau ngực', 'tôi muốn đặt lịch khám'],
    },
    'zh-CN': {
      fires: [
        ['我胸痛得厉害', '胸痛'],
        ['我喘不过气来', '喘不过气'],
        ['宝宝不呼吸了', '不呼吸'],
        ['他突然晕倒了', '晕倒'],
      ],
      quiet: ['没有胸痛', '我无胸痛，只是咳嗽', '我不想死', '我想预约'],
    },
    fr: {
      fires: [
        ["je n'arrive pas à respirer", "je n'arrive pas à respirer"],
        ["je n'arrive plus à respirer", "je n'arrive plus à respirer"],
        ['Il a une douleur à la poitrine', 'douleur à la poitrine'],
        ['J’étouffe', "j'étouffe"],
        ['mon bébé ne respire plus', 'ne respire plus'],
      ],
      quiet: [
        'pas de douleur thoracique',
        'je tousse, sans douleur à la poitrine',
        'aucune douleur thoracique',
        'Je voudrais voir un avocat',
      ],
    },
    th: {
      fires: [
        ['ผมหายใจไม่ออกครับ', 'หายใจไม่ออก'],
        ['แม่เจ็บหน้าอกมาก', 'เจ็บหน้าอก'],
        ['พ่อปากเบี้ยว พูดไม่ชัด', 'ปากเบี้ยว'],
      ],
      quiet: ['ไม่เจ็บหน้าอก', 'ไม่มีอาการเจ็บหน้าอก', 'ไม่อยากตาย', 'อยากนัดหมอ'],
    },
    ja: {
      fires: [
        ['急に胸が痛いです', '胸が痛い'],
        ['息ができない', '息ができない'],
        ['父がろれつが回らない', 'ろれつが回らない'],
      ],
      quiet: ['胸痛はない', '胸痛なし', '胸の痛みはありません', '予約したいです'],
    },
  };

  describe.each(SUPPORTED_LOCALES)('%s', (locale) => {
    it.each(table[locale].fires)('"%s" → %s', (text, phrase) => {
      expect(findRedFlag(text)).toMatchObject({ phrase, acuity: 1 });
    });
    it.each(table[locale].quiet)('does not fire on "%s"', (text) => {
      expect(findRedFlag(text)).toBeUndefined();
    });
  });
});

describe('the emergency number', () => {
  const numbers = { VN: '115', CN: '120', TH: '1669', JP: '119', FR: '15/112', US: '911' };

  it('is the hospital country’s, whatever country the phone is from', () => {
    expect(emergencyNumberFor('US', numbers, 'VN')).toBe('115');
    expect(emergencyNumberFor('VN', numbers, 'JP')).toBe('119');
    expect(emergencyNumberFor(undefined, {}, 'DE')).toBe('112');
  });

  it('names the home number second for a foreign phone, when it differs', () => {
    expect(homeEmergencyNumber('US', numbers, 'VN')).toEqual({ country: 'US', number: '911' });
    expect(homeEmergencyNumber('VN', numbers, 'VN')).toBeUndefined();
    expect(homeEmergencyNumber('DE', numbers, 'VN')).toBeUndefined();
  });
});
