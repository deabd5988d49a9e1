// The emergency number one tap away on every channel: a tel: URI action on LINE, a tel: link in
// the web chat, and the number written out on Telegram (whose URL buttons refuse tel:).
import { describe, expect, it } from 'vitest';
import { renderLine } from '../../src/channels/line/render.ts';
import { renderTelegram } from '../../src/channels/telegram/render.ts';
import type { OutboundMessage } from '../../src/conversation/message.ts';
import { telHref } from '../../web/src/chat/links.ts';

const emergency: OutboundMessage = {
  text: '⚠️ This may be an emergency. Call 115 now.',
  urgent: true,
  calls: [
    { label: 'Call 115', number: '115' },
    { label: 'Call 911', number: '911' },
  ],
};

describe('call buttons', () => {
  it('LINE: a buttons template with tel: URI actions after the text', () => {
    const [text, buttons] = renderLine(emergency);
    expect(text).toMatchObject({ type: 'text', text: emergency.text });
    expect(buttons).toMatchObject({
      type: 'template',
      template: {
        type: 'buttons',
        actions: [
          { type: 'uri', label: 'Call 115', uri: 'tel:115' },
          { type: 'uri', label: 'Call 911', uri: 'tel:911' },
        ],
      },
    });
  });

  it('LINE: quick replies move to the last message, where LINE shows them', () => {
    const messages = renderLine({ ...emergency, choices: [{ label: 'Menu', data: 'menu|main' }] });
    expect(messages[0]).not.toHaveProperty('quickReply');
    expect(messages.at(-1)).toHaveProperty('quickReply');
  });

  it('Telegram: the numbers written under the text, no tel: button', () => {
    const call = renderTelegram('1', emergency);
    expect(call.payload.text).toBe(`${emergency.text}\n\n📞 115\n📞 911`);
    expect(JSON.stringify(call.payload.reply_markup)).not.toContain('tel:');
  });

  it('web chat: a tel: link button', () => {
    // The chat page links each call button to this (web/src/chat/chat.tsx).
    expect(emergency.calls?.map((call) => telHref(call.number))).toEqual(['tel:115', 'tel:911']);
    expect(telHref('+84 28-3855 4269')).toBe('tel:+842838554269');
  });
});
