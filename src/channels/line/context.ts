// LINE's part of an event's channel context: the event's reply token, free to use once while
// it is valid (about a minute; we stop trusting it a little earlier).
import type { ChannelContext } from '../../conversation/message.ts';

/** How long after its event a reply token is used; LINE keeps it about a minute. */
export const REPLY_WINDOW_MS = 50_000;

/** The context of an event that came with a reply token. */
export function replyContext(replyToken: string, eventAt: number): ChannelContext {
  return { data: { replyToken, expiresAt: eventAt + REPLY_WINDOW_MS } };
}

/** The reply token a batch may still use at `now`, if any. */
export function usableReplyToken(context: ChannelContext | undefined, now: number): string | undefined {
  const { replyToken, expiresAt } = context?.data ?? {};
  return typeof replyToken === 'string' && typeof expiresAt === 'number' && expiresAt > now
    ? replyToken
    : undefined;
}
