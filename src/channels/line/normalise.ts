// LINE webhook events → our InboundEvents. Only one-to-one chats with a user are served.
import type { webhook } from '@line/bot-sdk';
import type { InboundContent, InboundEvent } from '../../conversation/message.ts';

/** The normalised events of one webhook call, in order, skipping what is not for us. */
export function normaliseLineEvents(body: webhook.CallbackRequest): InboundEvent[] {
  return body.events.flatMap((event) => {
    const source = event.source;
    if (source?.type !== 'user' || !source.userId) return [];
    const content = contentOf(event);
    if (!content) return [];
    return [
      {
        channel: 'line' as const,
        channelUserId: source.userId,
        dedupeKey: `line:${event.webhookEventId}`,
        sentAt: event.timestamp,
        replyToken:
          'replyToken' in event && typeof event.replyToken === 'string' ? event.replyToken : undefined,
        content,
      },
    ];
  });
}

function contentOf(event: webhook.Event): InboundContent | undefined {
  switch (event.type) {
    case 'message': {
      const message = event.message;
      if (message.type === 'text') return { kind: 'text', text: message.text };
      if (message.type === 'location') {
        const location = message;
        return {
          kind: 'location',
          latitude: location.latitude,
          longitude: location.longitude,
          address: location.address,
        };
      }
      return { kind: 'media', mediaType: message.type };
    }
    case 'postback':
      return { kind: 'button', data: event.postback.data };
    case 'follow':
      return { kind: 'follow' };
    case 'unfollow':
      return { kind: 'unfollow' };
    default:
      return undefined;
  }
}
