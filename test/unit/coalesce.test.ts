import { describe, expect, it } from 'vitest';
import { coalesceMessages } from '../../src/conversation/coalesce.ts';

describe('coalesceMessages', () => {
  it('joins plain messages into the next message with buttons, keeping order', () => {
    const choices = [{ label: 'Yes', data: 's|yes' }];
    expect(coalesceMessages([{ text: 'Hello.' }, { text: 'Thanks.' }, { text: 'Agree?', choices }])).toEqual([
      { text: 'Hello.\n\nThanks.\n\nAgree?', choices },
    ]);
  });

  it('joins trailing plain messages together and keeps interactive messages apart', () => {
    const ask = { text: 'Phone?', request: { kind: 'contact' as const, label: 'Share' } };
    const menu = { text: 'Menu', choices: [{ label: 'Help', data: 'menu|help' }] };
    expect(coalesceMessages([ask, menu, { text: 'a' }, { text: 'b' }])).toEqual([
      ask,
      menu,
      { text: 'a\n\nb' },
    ]);
  });

  it('never merges emergency guidance into another message', () => {
    const alert = { text: '⚠️ Call 115', urgent: true };
    const next = { text: 'Next?', choices: [{ label: 'Go', data: 's|go' }] };
    expect(coalesceMessages([{ text: 'Noted.' }, alert, next])).toEqual([{ text: 'Noted.' }, alert, next]);
  });
});
