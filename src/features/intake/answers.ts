// Typed answers to a yes / no question, in every shipped language (a patient may type in
// English whatever language they chose); the button labels of their language count too.
const TYPED_ANSWERS: Record<'yes' | 'no' | 'unknown', string[]> = {
  yes: [
    'yes',
    'y',
    'yeah',
    'yep',
    'có',
    'co',
    'vâng',
    'dạ',
    'đúng',
    '是',
    '是的',
    '有',
    '对',
    'oui',
    'ouais',
    'ใช่',
    'มี',
    'ค่ะ',
    'ครับ',
    'はい',
    'うん',
    'ある',
    'あります',
  ],
  no: [
    'no',
    'n',
    'nope',
    'không',
    'khong',
    'ko',
    'k',
    'không có',
    '否',
    '不',
    '不是',
    '没有',
    '没',
    '无',
    'non',
    'ไม่',
    'ไม่ใช่',
    'ไม่มี',
    'いいえ',
    'ない',
    'ありません',
    'ううん',
  ],
  unknown: [
    "don't know",
    'i don’t know',
    "i don't know",
    'not sure',
    'không biết',
    'không rõ',
    '不知道',
    '不清楚',
    'je ne sais pas',
    'sais pas',
    'ไม่รู้',
    'ไม่แน่ใจ',
    'わからない',
    '分からない',
    'わかりません',
  ],
};

/** A typed yes / no / don't know, or undefined. */
export function typedAnswer(typed: string | undefined, t: (key: string) => string): string | undefined {
  if (typed === undefined) return undefined;
  const word = typed
    .normalize('NFC')
    .toLowerCase()
    .replace(/[’]/g, "'")
    .replace(/[\s.!。！,，、]+$/u, '')
    .trim();
  for (const answer of ['yes', 'no', 'unknown'] as const) {
    const own = t(`triage:intake.${answer}`).toLowerCase().replace(/[’]/g, "'");
    if (word === own || TYPED_ANSWERS[answer].includes(word)) return answer;
  }
  return undefined;
}
