// Emergency phrases, checked on every free-text message in every flow and every language
// (a Vietnamese patient may type English). A match interrupts with the emergency number.
// Reviewed against published lists of signs that need an ambulance: NHS "When to call 999",
// AHA heart attack and stroke warning signs (F.A.S.T.), WHO basic emergency care (ABCDE:
// airway, breathing, circulation, disability), and the national FAST campaigns (Bộ Y tế, 国家
// 卫健委 "中风120", SAMU "AVC: agir vite", Thai BEFAST, 日本脳卒中協会 ACT-FAST). Groups:
// breathing, chest pain / heart, stroke, unconscious, seizure, bleeding, poisoning, suicide,
// severe allergy, choking. Every phrase here means level 1. A clear denial right before a
// phrase ("no chest pain", "không đau ngực") does not fire; anything less clear does:
// over-warning is the safe side.
import type { Locale } from '../i18n/locales.ts';
import type { Acuity } from './triage.ts';

export const RED_FLAG_PHRASES: Record<Locale, string[]> = {
  en: [
    "can't breathe",
    'cant breathe',
    'cannot breathe',
    'can not breathe',
    "can't catch my breath",
    'not breathing',
    'stopped breathing',
    'struggling to breathe',
    'difficulty breathing',
    'trouble breathing',
    'hard to breathe',
    'gasping for air',
    'fighting for breath',
    'chest pain',
    'chest hurts',
    'chest is hurting',
    'pain in my chest',
    'pain in the chest',
    'chest tightness',
    'tight chest',
    'chest feels tight',
    'crushing chest',
    'heart attack',
    'cardiac arrest',
    'stroke',
    'face drooping',
    'face is drooping',
    'slurred speech',
    'unconscious',
    'unresponsive',
    "won't wake up",
    'passed out',
    'collapsed',
    'blacked out',
    'severe bleeding',
    'bleeding heavily',
    "won't stop bleeding",
    'vomiting blood',
    'seizure',
    'seizures',
    'having a fit',
    'convulsions',
    'choking',
    'overdose',
    'overdosed',
    'took too many pills',
    'poisoned',
    'suicide',
    'suicidal',
    'kill myself',
    'end my life',
    'want to die',
    'anaphylaxis',
    'anaphylactic',
    'throat is closing',
    'tongue swelling',
    'lips turning blue',
    'turning blue',
  ],
  vi: [
    'khó thở',
    'không thở được',
    'không thở nổi',
    'thở không được',
    'thở không nổi',
    'không thở',
    'ngừng thở',
    'ngưng thở',
    'đau ngực',
    'tức ngực',
    'đau thắt ngực',
    'ngực đau',
    'nhồi máu cơ tim',
    'ngừng tim',
    'đột quỵ',
    'tai biến',
    'méo miệng',
    'liệt nửa người',
    'nói ngọng',
    'bất tỉnh',
    'ngất xỉu',
    'hôn mê',
    'co giật',
    'động kinh',
    'chảy máu nhiều',
    'chảy máu không cầm',
    'mất máu nhiều',
    'xuất huyết',
    'nôn ra máu',
    'ngộ độc',
    'quá liều',
    'tự tử',
    'tự sát',
    'muốn chết',
    'sốc phản vệ',
    'sưng lưỡi',
    'tím tái',
    'bị hóc',
  ],
  'zh-CN': [
    '胸痛',
    '胸口痛',
    '胸口疼',
    '胸疼',
    '胸闷',
    '呼吸困难',
    '喘不过气',
    '喘不上气',
    '透不过气',
    '上不来气',
    '不能呼吸',
    '无法呼吸',
    '停止呼吸',
    '不呼吸',
    '心脏病发作',
    '心梗',
    '心肌梗',
    '中风',
    '脑梗',
    '脑出血',
    '口角歪斜',
    '半身不遂',
    '口齿不清',
    '昏迷',
    '晕倒',
    '昏倒',
    '失去意识',
    '不省人事',
    '叫不醒',
    '抽搐',
    '癫痫发作',
    '大出血',
    '血流不止',
    '吐血',
    '中毒',
    '服药过量',
    '自杀',
    '不想活',
    '想死',
    '过敏性休克',
    '嘴唇发紫',
    '噎住',
  ],
  fr: [
    'je ne peux pas respirer',
    'je ne peux plus respirer',
    "je n'arrive pas à respirer",
    "je n'arrive plus à respirer",
    'ne respire plus',
    'ne respire pas',
    "j'étouffe",
    "s'étouffe",
    'du mal à respirer',
    'difficulté à respirer',
    'difficultés à respirer',
    'douleur thoracique',
    'douleur à la poitrine',
    'douleur dans la poitrine',
    'mal à la poitrine',
    'oppression thoracique',
    'crise cardiaque',
    'arrêt cardiaque',
    'infarctus',
    'avc',
    'visage paralysé',
    'bouche de travers',
    'inconscient',
    'inconsciente',
    'perte de connaissance',
    'perdu connaissance',
    'évanoui',
    'évanouie',
    'convulsion',
    'convulsions',
    "crise d'épilepsie",
    'hémorragie',
    'saigne beaucoup',
    'vomit du sang',
    'intoxication',
    'empoisonnement',
    'overdose',
    'suicide',
    'me suicider',
    'me tuer',
    'envie de mourir',
    'choc anaphylactique',
    'lèvres bleues',
  ],
  th: [
    'หายใจไม่ออก',
    'หายใจลำบาก',
    'หายใจไม่ได้',
    'หยุดหายใจ',
    'ไม่หายใจ',
    'เจ็บหน้าอก',
    'แน่นหน้าอก',
    'ปวดหน้าอก',
    'หัวใจวาย',
    'หัวใจหยุดเต้น',
    'ปากเบี้ยว',
    'พูดไม่ชัด',
    'แขนขาอ่อนแรง',
    'เส้นเลือดในสมอง',
    'หลอดเลือดสมอง',
    'หมดสติ',
    'ไม่รู้สึกตัว',
    'ชัก',
    'เลือดออกมาก',
    'เลือดไหลไม่หยุด',
    'อาเจียนเป็นเลือด',
    'กินยาเกินขนาด',
    'ยาพิษ',
    'ฆ่าตัวตาย',
    'อยากตาย',
    'แพ้รุนแรง',
    'ลิ้นบวม',
  ],
  ja: [
    '息ができない',
    '息が苦しい',
    '息苦しい',
    '呼吸ができない',
    '呼吸が止ま',
    '息をしていない',
    '呼吸困難',
    '胸が痛い',
    '胸が痛む',
    '胸の痛み',
    '胸が苦しい',
    '胸が締め付けられ',
    '胸痛',
    '心臓発作',
    '心筋梗塞',
    '心停止',
    '脳卒中',
    '脳梗塞',
    '脳出血',
    'ろれつが回らない',
    '顔がゆがむ',
    '意識がない',
    '意識不明',
    '気を失',
    '気絶',
    'けいれん',
    '痙攣',
    '大量出血',
    '血が止まらない',
    '吐血',
    '過剰摂取',
    '中毒',
    '自殺',
    '死にたい',
    'アナフィラキシー',
    '喉が腫れ',
    '窒息',
  ],
};

/** A phrase that matched, the language it belongs to, and the level it means. */
export interface RedFlagMatch {
  phrase: string;
  locale: Locale;
  acuity: Acuity;
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
    if (!BY_FOLDED.has(folded)) BY_FOLDED.set(folded, { phrase, locale: locale as Locale, acuity: 1 });
  }
}

// One pass over the message for all phrases, longest first so "không thở được" wins over
// "không thở": whole words for spaced scripts, substrings for the others.
const folded = [...BY_FOLDED.keys()].sort((a, b) => b.length - a.length);
const spaced = folded.filter((phrase) => !SCRIPT_WITHOUT_SPACES.test(phrase)).map(escape);
const unspaced = folded.filter((phrase) => SCRIPT_WITHOUT_SPACES.test(phrase)).map(escape);
const PATTERN = new RegExp(
  `(?<![\\p{L}\\p{N}])(${spaced.join('|')})(?![\\p{L}\\p{N}])|(${unspaced.join('|')})`,
  'gu',
);

// Clear denials just before a phrase (folded, so without diacritics). "not" alone is left out
// on purpose: "I hope it's not a heart attack" is a worry, not a denial.
const DENIED_BEFORE = new RegExp(
  [
    "(?:^|[^\\p{L}])(?:no|without|never had|don't have|do not have|haven't got|not having|denies)(?: any| an| a)? $",
    '(?:^|[^\\p{L}])(?:khong|ko|chang|hết|het|khong con)(?: bi| co| thay)? $',
    "(?:^|[^\\p{L}])(?:pas de|pas d'|sans|aucune?|plus de|ni) ?$",
    '(?:没有|没|无|未|不再|并无|不)(?:出现|感到|觉得|感觉|有)?$',
    '(?:ไม่มีอาการ|ไม่มี|ไม่ได้|ไม่)$',
  ].join('|'),
  'u',
);
// Japanese denies after the phrase: 胸痛はない, 胸痛なし, 胸の痛みはありません.
const DENIED_AFTER = /^(?:は|が|も)?(?:ない|なし|無し|ありません)/u;

/** The first emergency phrase in `text` that is not plainly denied, in any shipped language. */
export function findRedFlag(text: string): RedFlagMatch | undefined {
  const message = fold(text);
  for (const match of message.matchAll(PATTERN)) {
    const phrase = match[1] ?? match[2];
    if (phrase === undefined) continue;
    const before = message.slice(Math.max(0, match.index - 24), match.index);
    const after = message.slice(match.index + phrase.length, match.index + phrase.length + 6);
    if (DENIED_BEFORE.test(before) || DENIED_AFTER.test(after)) continue;
    return BY_FOLDED.get(phrase);
  }
  return undefined;
}

/**
 * The emergency number to call: the hospital's country's, where the patient is being cared
 * for, whatever country their phone is from (the number the GSM standard routes everywhere,
 * 112, when none is set).
 */
export function emergencyNumberFor(
  _country: string | undefined,
  numbers: Record<string, string>,
  hospitalCountry: string,
): string {
  return numbers[hospitalCountry] ?? '112';
}

/** The patient's home number when their phone is from another country with another number. */
export function homeEmergencyNumber(
  country: string | undefined,
  numbers: Record<string, string>,
  hospitalCountry: string,
): { country: string; number: string } | undefined {
  if (!country || country === hospitalCountry) return undefined;
  const number = numbers[country];
  return number && number !== emergencyNumberFor(country, numbers, hospitalCountry)
    ? { country, number }
    : undefined;
}
