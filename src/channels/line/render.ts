// OutboundMessage → LINE Messaging API messages. Answer buttons become quick replies (free to
// show, tap to answer); links are written into the text, which LINE makes tappable.
import type { messagingApi } from '@line/bot-sdk';
import type { OutboundMessage } from '../../conversation/message.ts';

// LINE limits: 20 characters per action label, 13 quick-reply items, 5000 characters of text.
const LABEL_MAX = 20;
export const QUICK_REPLY_MAX = 13;
export const TEXT_MAX = 5000;

function label(text: string): string {
  return text.length <= LABEL_MAX ? text : `${text.slice(0, LABEL_MAX - 1)}…`;
}

/** The LINE messages that show `message`. */
export function renderLine(message: OutboundMessage): messagingApi.Message[] {
  const items: messagingApi.QuickReplyItem[] = (message.choices ?? []).map((choice) => ({
    type: 'action',
    action: { type: 'postback', label: label(choice.label), data: choice.data, displayText: choice.label },
  }));
  if (message.request?.kind === 'location') {
    items.push({ type: 'action', action: { type: 'location', label: label(message.request.label) } });
  }
  const links = (message.links ?? []).map((link) => `${link.label}: ${link.url}`);
  const text = [message.text, ...links].join('\n\n').slice(0, TEXT_MAX);
  const quickReply = items.length > 0 ? { items: items.slice(0, QUICK_REPLY_MAX) } : undefined;
  const calls = message.calls ?? [];
  // Call buttons: a buttons template whose URI actions dial (LINE allows tel: there); the
  // quick replies go on the last message, the only one LINE shows them on.
  const callMessage: messagingApi.TemplateMessage | undefined =
    calls.length > 0
      ? {
          type: 'template',
          altText: calls
            .map((call) => call.label)
            .join(' / ')
            .slice(0, 400),
          template: {
            type: 'buttons',
            text: calls
              .map((call) => call.label)
              .join(' / ')
              .slice(0, 160),
            actions: calls.slice(0, 4).map((call) => ({
              type: 'uri',
              label: label(call.label),
              uri: `tel:${call.number.replace(/[^\d+]/g, '')}`,
            })),
          },
          ...(quickReply ? { quickReply } : {}),
        }
      : undefined;
  const textMessage: messagingApi.TextMessage = {
    type: 'text',
    text,
    ...(quickReply && !callMessage ? { quickReply } : {}),
  };
  const shown: messagingApi.Message[] = callMessage ? [textMessage, callMessage] : [textMessage];
  if (!message.image) return shown;
  return [
    { type: 'image', originalContentUrl: message.image.url, previewImageUrl: message.image.url },
    ...shown,
  ];
}
