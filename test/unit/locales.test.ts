// Every shipped locale must have every key, with exactly the placeholders English has.
import { describe, expect, it } from 'vitest';
import {
  SUPPORTED_LOCALES,
  createTranslator,
  readLocaleResources,
  resolveLocale,
} from '../../src/i18n/locales.ts';

type Tree = Record<string, unknown>;

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const entries = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') entries.set(path, value);
    else if (Array.isArray(value)) value.forEach((item, i) => entries.set(`${path}.${i}`, String(item)));
    else if (value && typeof value === 'object')
      for (const [k, v] of flatten(value as Tree, path)) entries.set(k, v);
    else throw new Error(`${path} is neither text nor a group`);
  }
  return entries;
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{\{\s*([\w.-]+)[^}]*\}\}|\$t\(([^)]+)\)/g)].map((m) => m[1] ?? m[2]!).sort();
}

function catalogue(locale: (typeof SUPPORTED_LOCALES)[number]): Map<string, string> {
  const all = new Map<string, string>();
  for (const [namespace, tree] of Object.entries(readLocaleResources(locale))) {
    for (const [key, value] of flatten(tree)) all.set(`${namespace}:${key}`, value);
  }
  return all;
}

const english = catalogue('en');

describe('locale files', () => {
  it('English has text for every key', () => {
    expect(english.size).toBeGreaterThan(0);
    for (const [key, value] of english) expect(value.trim(), key).not.toBe('');
  });

  describe.each(SUPPORTED_LOCALES.filter((l) => l !== 'en'))('%s', (locale) => {
    const translated = catalogue(locale);

    it('has exactly the English keys', () => {
      expect([...translated.keys()].sort()).toEqual([...english.keys()].sort());
    });

    it('keeps every placeholder of every message, and adds none', () => {
      for (const [key, text] of english) {
        expect(placeholders(translated.get(key) ?? ''), `${locale} ${key}`).toEqual(placeholders(text));
      }
    });

    it('has no empty message', () => {
      for (const [key, value] of translated) expect(value.trim(), key).not.toBe('');
    });
  });
});

describe('resolveLocale', () => {
  it.each([
    ['vi', 'vi'],
    ['vi-VN', 'vi'],
    ['zh-hans', 'zh-CN'],
    ['zh_TW', 'zh-CN'],
    ['fr-CA', 'fr'],
    ['th', 'th'],
    ['ja-JP', 'ja'],
    ['en-GB', 'en'],
    ['de', undefined],
    ['', undefined],
  ])('%s → %s', (tag, expected) => {
    expect(resolveLocale(tag)).toBe(expected);
  });

  it('reads a repeated query parameter (an array) or any other non-text as no language', () => {
    for (const tag of [['vi', 'en'], 42, { vi: true }, null, undefined])
      expect(resolveLocale(tag)).toBeUndefined();
  });
});

describe('translator', () => {
  it('interpolates in the requested language and falls back to English for unknown ones', async () => {
    const i18n = await createTranslator();
    expect(i18n.t('errors.rateLimited', { lng: 'fr', seconds: 5 })).toContain('5 secondes');
    expect(i18n.t('errors.rateLimited', { lng: 'de', seconds: 5 })).toContain('5 seconds');
  });
});
