// LINE webhook events → our InboundEvents. Only one-to-one chats with a user are served. The
// body is parsed against the fields we read first (a 400 when one does not fit); the rest of
// each event is left unread.
import { z } from 'zod';
import type { InboundContent, InboundEvent } from '../../conversation/message.ts';
import { cleanString, parseInput, safeId } from '../../server/validation.ts';
import { replyContext } from './context.ts';

const lineMessage = z.object({
  type: z.string(),
  text: cleanString().optional(),
  latitude: z.number().min(-90).max(90).optional(),
  longitude: z.number().min(-180).max(180).optional(),
  address: cleanString(500).optional(),
});

const lineEvent = z
  .object({
    type: z.string(),
    webhookEventId: safeId(),
    timestamp: z.int().min(0),
    source: z.object({ type: z.string(), userId: safeId().optional() }).optional(),
    replyToken: safeId(256).optional(),
    message: lineMessage.optional(),
    postback: z.object({ data: cleanString(300) }).optional(),
  })
  .superRefine((event, context) => {
    // What each type we act on must carry, so the mapping below never meets a hole.
    const missing = (path: string) =>
      context.addIssue({ code: 'custom', path: [path], message: 'is required' });
    if (event.type === 'postback' && !event.postback) missing('postback');
    if (event.type !== 'message') return;
    const message = event.message;
    if (!message) return missing('message');
    if (message.type === 'text' && message.text === undefined) missing('message.text');
    if (message.type === 'location' && (message.latitude === undefined || message.longitude === undefined))
      missing('message.latitude');
  });

/** The part of a LINE webhook body we read. */
export const lineCallback = z.object({ events: z.array(lineEvent).max(1000) });

type LineEvent = z.output<typeof lineEvent>;

/**
 * The normalised events of one webhook call, in order, skipping what is not for us. Throws a
 * 400 AppError when a field we read is missing or of the wrong type.
 */
export function normaliseLineEvents(raw: unknown): InboundEvent[] {
  const body = parseInput(lineCallback, raw);
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
        ...(event.replyToken ? { channelContext: replyContext(event.replyToken, event.timestamp) } : {}),
        content,
      },
    ];
  });
}

function contentOf(event: LineEvent): InboundContent | undefined {
  switch (event.type) {
    case 'message': {
      const message = event.message!;
      if (message.type === 'text') return { kind: 'text', text: message.text ?? '' };
      if (message.type === 'location') {
        return {
          kind: 'location',
          latitude: message.latitude ?? 0,
          longitude: message.longitude ?? 0,
          address: message.address,
        };
      }
      return { kind: 'media', mediaType: message.type.slice(0, 32) };
    }
    case 'postback':
      return { kind: 'button', data: event.postback?.data ?? '' };
    case 'follow':
      return { kind: 'follow' };
    case 'unfollow':
      return { kind: 'unfollow' };
    default:
      return undefined;
  }
}
