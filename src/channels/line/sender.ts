// Sends batches to LINE. Replies are free but need the event's reply token (valid about a
// minute, usable once, up to five messages); pushes spend the paid quota. So a batch goes out
// as a reply when it can, and only the rest is pushed, each push with an X-Line-Retry-Key so
// that a retried request is never delivered twice.
import { createHash } from 'node:crypto';
import { HTTPFetchError, messagingApi } from '@line/bot-sdk';
import { Counter, type Registry } from 'prom-client';
import { DeliveryError, type ChannelSender, type OutboundBatch } from '../../conversation/outbox.ts';
import { resolveLocale, type Locale } from '../../i18n/locales.ts';
import { usableReplyToken } from './context.ts';
import { renderLine } from './render.ts';

const PER_REQUEST = 5;

/** A Messaging API client pointed at `baseURL` (the public API or a fake). */
export function lineClient(channelAccessToken: string, baseURL: string): messagingApi.MessagingApiClient {
  return new messagingApi.MessagingApiClient({ channelAccessToken, baseURL });
}

/** A stable UUID for one push, as LINE's retry key must be a UUID. */
export function retryKey(parts: string): string {
  const hex = createHash('sha256').update(parts).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export class LineSender implements ChannelSender {
  private readonly requests: Counter<'kind'> | undefined;

  constructor(
    private readonly client: messagingApi.MessagingApiClient,
    // Real time: the reply token expires at LINE, whatever the instance's clock says.
    private readonly now: () => number = Date.now,
    /** Where replies and pushes are counted (GET /metrics): a push spends the paid quota. */
    metrics?: Registry,
  ) {
    this.requests = metrics
      ? new Counter({
          name: 'frontdoor_line_sends_total',
          help: 'Requests that delivered messages to LINE: free replies, and pushes (each counts once against the monthly quota)',
          labelNames: ['kind'],
          registers: [metrics],
        })
      : undefined;
  }

  async deliver(
    batch: OutboundBatch,
    alreadySent: number,
    markSent: (count: number) => Promise<void>,
  ): Promise<void> {
    const rendered = batch.messages.map(renderLine);
    let index = alreadySent;
    const replyToken = index === 0 ? usableReplyToken(batch.channelContext, this.now()) : undefined;
    if (replyToken) {
      const { messages, count } = take(rendered, 0);
      if (await this.reply(replyToken, messages)) {
        index = count;
        await markSent(index);
      }
    }
    while (index < rendered.length) {
      const { messages, count } = take(rendered, index);
      await this.push(
        batch.channelUserId,
        messages,
        retryKey(`${batch.channelUserId}:${batch.seq}:${index}`),
      );
      index = count;
      await markSent(index);
    }
  }

  /** The patient's language from their LINE profile. */
  async profileLocale(userId: string): Promise<Locale | undefined> {
    const profile = await this.client.getProfile(userId);
    return resolveLocale(profile.language);
  }

  private async reply(replyToken: string, messages: messagingApi.Message[]): Promise<boolean> {
    try {
      await this.client.replyMessage({ replyToken, messages });
      this.requests?.inc({ kind: 'reply' });
      return true;
    } catch (error) {
      // An expired or used token: push instead.
      if (error instanceof HTTPFetchError && error.status === 400) return false;
      throw toDeliveryError(error);
    }
  }

  private async push(to: string, messages: messagingApi.Message[], key: string): Promise<void> {
    try {
      await this.client.pushMessage({ to, messages }, key);
      this.requests?.inc({ kind: 'push' });
    } catch (error) {
      // 409: LINE already accepted a request with this retry key (and counted it then).
      if (error instanceof HTTPFetchError && error.status === 409) return;
      throw toDeliveryError(error);
    }
  }
}

/** Whole rendered messages from `start`, at most five LINE messages per request. */
function take(
  rendered: messagingApi.Message[][],
  start: number,
): { messages: messagingApi.Message[]; count: number } {
  const messages: messagingApi.Message[] = [];
  let count = start;
  while (count < rendered.length && messages.length + rendered[count]!.length <= PER_REQUEST) {
    messages.push(...rendered[count]!);
    count += 1;
  }
  return { messages, count };
}

function toDeliveryError(error: unknown): Error {
  if (!(error instanceof HTTPFetchError)) return error as Error;
  if (error.status === 429) return new DeliveryError('line rate limit or quota', { retryAfterMs: 60_000 });
  if (error.status >= 400 && error.status < 500)
    return new DeliveryError(`line refused: ${error.status}`, { permanent: true });
  return new DeliveryError(`line error ${error.status}`);
}
