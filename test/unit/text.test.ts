// Issue 14: free text is cleaned before it is stored or enters a conversation; identifiers
// with NUL, other controls or lone surrogates are refused (PostgreSQL cannot store NUL, and a
// lone surrogate is not UTF-8, so either failed every later write, sweep or queue retry).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanText, isSafeId, isSafeLine } from '../../src/domain/text.ts';

describe('cleanText', () => {
  it('drops NUL and other control characters but keeps newlines and tabs', () => {
    expect(cleanText('Nul\u0000Name Person')).toBe('NulName Person');
    expect(cleanText('a\u0001b\u001fc\u007fd\u0085e')).toBe('abcde');
    expect(cleanText('line one\nline two\tend')).toBe('line one\nline two\tend');
    expect(cleanText('windows\r\nmac\rend')).toBe('windows\nmac\nend');
  });

  it('replaces lone surrogates and keeps pairs (emoji)', () => {
    expect(cleanText('a\ud800b\udc00c')).toBe('a\ufffdb\ufffdc');
    expect(cleanText('ok 😀')).toBe('ok 😀');
  });

  it('composes to NFC, so one name is stored one way', () => {
    expect(cleanText('Tra\u0300n')).toBe('Tr\u00e0n');
    expect(cleanText('Nguye\u0302\u0303n')).toBe('Nguyễn');
  });

  it('always yields text PostgreSQL and UTF-8 can hold, and is idempotent', () => {
    const anyChar = fc.oneof(
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
      fc.integer({ min: 0, max: 0x1f }).map((code) => String.fromCharCode(code)),
      fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)),
    );
    fc.assert(
      fc.property(fc.string({ unit: anyChar, maxLength: 50 }), (text) => {
        const clean = cleanText(text);
        expect(clean).not.toContain('\u0000');
        expect(Buffer.from(clean, 'utf8').toString('utf8')).toBe(clean);
        expect(cleanText(clean)).toBe(clean);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('identifiers', () => {
  it('accepts the platforms’ ids and refuses ones with NUL, controls, spaces or lone surrogates', () => {
    for (const id of [
      'U0123456789abcdef0123456789abcdef',
      '01HFAKE0000000000000000001',
      'evt_1Abc',
      'cbq-12',
    ])
      expect(isSafeId(id)).toBe(true);
    for (const id of ['', 'U1\u0000', 'U1\ud800', 'a b', 'é', 'x'.repeat(129)])
      expect(isSafeId(id)).toBe(false);
  });

  it('accepts a single line with any script and refuses controls and lone surrogates', () => {
    expect(isSafeLine('nguyễn.lan@bệnhviện.vn')).toBe(true);
    for (const line of ['a\u0000b@x.y', 'a\u0007', 'a\ud800@x.y', 'a\nb'])
      expect(isSafeLine(line)).toBe(false);
  });
});
