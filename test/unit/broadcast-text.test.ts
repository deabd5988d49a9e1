// Which text a reader gets: the one rule the delivery writes by and the console's composer shows.
import { describe, expect, it } from 'vitest';
import { textFor, textLocale } from '../../src/domain/broadcasts.ts';

describe('the text a broadcast reader gets', () => {
  it("is the reader's language, else the hospital's, else English, else the first language shipped", () => {
    const all = { en: 'Closed today', vi: 'Hôm nay nghỉ', fr: 'Fermé', ja: '本日休診' };
    expect(textLocale(all, 'ja', 'vi')).toBe('ja');
    expect(textLocale(all, 'th', 'vi')).toBe('vi');
    expect(textLocale(all, 'th', 'zh-CN')).toBe('en');
    // No English either: the order the languages ship in (en, vi, zh-CN, fr, th, ja), not the
    // order the keys came in (PostgreSQL's jsonb keeps its own).
    expect(textLocale({ ja: '本日休診', fr: 'Fermé' }, 'th', 'zh-CN')).toBe('fr');
  });

  it('passes over a blank text, and has nothing to give when every text is blank', () => {
    expect(textLocale({ vi: '  ', en: 'Closed today' }, 'vi', 'vi')).toBe('en');
    expect(textFor({ vi: '  ', en: 'Closed today' }, 'vi', 'vi')).toEqual({
      locale: 'en',
      text: 'Closed today',
    });
    expect(textLocale({ vi: ' ' }, 'vi', 'vi')).toBeUndefined();
    expect(() => textFor({}, 'vi', 'vi')).toThrow();
  });
});
