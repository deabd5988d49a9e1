// Emergency phrases, checked on every free-text message in every flow and every language
// (a Vietnamese patient may type English). A match interrupts with the emergency number.
// Reviewed list; false positives ("no chest pain") are accepted: over-warning is the safe side.
import type { Locale } from '../i18n/locales.ts';

export const RED_FLAG_PHRASES: Record<Locale, string[]> = {
  en: [
    "can't breathe",
    'cannot breathe',
    'can not breathe',
    'not breathing',
    'struggling to breathe',
    'chest pain',
    'heart attack',
    'stroke',
    'unconscious',
    'passed out',
    'severe bleeding',
    'bleeding heavily',
    'seizure',
    'choking',
    'overdose',
    'suicide',
    'kill myself',
    'face drooping',
  ],
  vi: [
    'khó thở',
    'không thở được',
    'ngừng thở',
    'đau ngực',
    'tức ngực',
    'nhồi máu cơ tim',
    'đột quỵ',
    'bất tỉnh',
    'ngất xỉu',
    'co giật',
    'chảy máu nhiều',
    'xuất huyết',
    'ngộ độc',
    'tự tử',
    'muốn chết',
  ],
  'zh-CN': [
    '胸痛',
    '胸口痛',
    '呼吸困难',
    '喘不过气',
    '不能呼吸',
    '心脏病发作',
    '中风',
    '昏迷',
    '晕倒',
    '抽搐',
    '大出血',
    '中毒',
    '自杀',
    '不想活',
  ],
  fr: [
    'je ne peux pas respirer',
    "j'étouffe",
    'du mal à respirer',
    'douleur thoracique',
    'douleur à la poitrine',
    'mal à la poitrine',
    'crise cardiaque',
    'avc',
    'inconscient',
    'perte de connaissance',
    'convulsion',
    'hémorragie',
    'saigne beaucoup',
    'overdose',
    'suicide',
    'me tuer',
  ],
  th: [
    'หายใจไม่ออก',
    'หายใจลำบาก',
    'เจ็บหน้าอก',
    'แน่นหน้าอก',
    'หัวใจวาย',
    'หมดสติ',
    'ชัก',
    'เลือดออกมาก',
    'เส้นเลือดในสมอง',
    'ฆ่าตัวตาย',
  ],
  ja: [
    '息ができない',
    '息が苦しい',
    '呼吸困難',
    '胸が痛い',
    '胸痛',
    '心臓発作',
    '脳卒中',
    '意識がない',
    '気を失',
    'けいれん',
    '大量出血',
    '自殺',
    '死にたい',
  ],
};

/** A phrase that matched, and the language it belongs to. */
export interface RedFlagMatch {
  phrase: string;
  locale: Locale;
}

/** Lower-case, unify apostrophes, and drop diacritics (patients often type "kho tho"). */
function fold(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[’‘`´]/g, "'")
    .replace(/đ/g, 'd')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/\s+/g, ' ');
}

// Thai and CJK are written without spaces between words, so they match as substrings; the
// others must match whole words ("avc" must not fire inside "avocat").
const SCRIPT_WITHOUT_SPACES = /[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff]/;

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Each folded phrase and the catalogue entry it stands for (first language wins a tie). */
const BY_FOLDED = new Map<string, RedFlagMatch>();
for (const [locale, phrases] of Object.entries(RED_FLAG_PHRASES)) {
  for (const phrase of phrases) {
    const folded = fold(phrase);
    if (!BY_FOLDED.has(folded)) BY_FOLDED.set(folded, { phrase, locale: locale as Locale });
  }
}

// One pass over the message for all phrases: whole words for spaced scripts, substrings for
// the others.
const folded = [...BY_FOLDED.keys()];
const spaced = folded.filter((phrase) => !SCRIPT_WITHOUT_SPACES.test(phrase)).map(escape);
const unspaced = folded.filter((phrase) => SCRIPT_WITHOUT_SPACES.test(phrase)).map(escape);
const PATTERN = new RegExp(
  `(?:^|[^\\p{L}\\p{N}])(${spaced.join('|')})(?=$|[^\\p{L}\\p{N}])|(${unspaced.join('|')})`,
  'u',
);

/** The first emergency phrase in `text`, in any shipped language, or undefined. */
export function findRedFlag(text: string): RedFlagMatch | undefined {
  const match = PATTERN.exec(fold(text));
  const phrase = match?.[1] ?? match?.[2];
  return phrase === undefined ? undefined : BY_FOLDED.get(phrase);
}

/** The emergency number for `country`, or the hospital country's. */
export function emergencyNumberFor(
  country: string | undefined,
  numbers: Record<string, string>,
  hospitalCountry: string,
): string {
  return numbers[country ?? ''] ?? numbers[hospitalCountry] ?? '112';
}
