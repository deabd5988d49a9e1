// A local LINE Messaging API: reply (each token once), push (X-Line-Retry-Key honoured with
// 409 on a repeat), and profiles; records every call.
import { createHmac } from 'node:crypto';
import { PlatformFake, type FakeAnswer, type RecordedRequest } from './http-fake.ts';

export const FAKE_LINE_SECRET = 'line-channel-secret-for-tests';
export const FAKE_LINE_TOKEN = 'line-channel-access-token-for-tests';

export interface LineSend {
  kind: 'reply' | 'push';
  to?: string;
  replyToken?: string;
  retryKey?: string;
  messages: {
    type: string;
    text?: string;
    quickReply?: { items: { action: { type: string; label: string; data?: string } }[] };
  }[];
}

export class LineFake extends PlatformFake {
  readonly languages = new Map<string, string>();
  private readonly usedTokens = new Set<string>();
  private readonly retryKeys = new Set<string>();

  /** Accepted replies and pushes, in order. */
  sends(): LineSend[] {
    return this.http.requests
      .filter((r) => r.path === '/v2/bot/message/reply' || r.path === '/v2/bot/message/push')
      .filter((r) => (r as RecordedRequest & { accepted?: boolean }).accepted)
      .map((r) => {
        const body = r.body as { to?: string; replyToken?: string; messages: LineSend['messages'] };
        return {
          kind: r.path.endsWith('reply') ? ('reply' as const) : ('push' as const),
          to: body.to,
          replyToken: body.replyToken,
          retryKey: r.headers['x-line-retry-key'] as string | undefined,
          messages: body.messages,
        };
      });
  }

  /** Every text LINE showed, in order. */
  texts(): string[] {
    return this.sends().flatMap((send) => send.messages.map((m) => m.text ?? `[${m.type}]`));
  }

  async waitForTexts(count: number, timeoutMs = 15_000): Promise<string[]> {
    await this.http.waitFor(() => this.texts().length >= count, timeoutMs);
    return this.texts();
  }

  protected answer(request: RecordedRequest): FakeAnswer {
    if (request.headers.authorization !== `Bearer ${FAKE_LINE_TOKEN}`) {
      return { status: 401, body: { message: 'Authentication failed' } };
    }
    if (request.method === 'GET' && request.path.startsWith('/v2/bot/profile/')) {
      const userId = request.path.split('/').pop() ?? '';
      return {
        status: 200,
        body: { userId, displayName: 'Patient', language: this.languages.get(userId) ?? 'en' },
      };
    }
    const body = request.body as { replyToken?: string; messages?: unknown[] };
    if (request.path === '/v2/bot/message/reply') {
      if (!body.replyToken || this.usedTokens.has(body.replyToken) || body.replyToken.startsWith('expired')) {
        return { status: 400, body: { message: 'Invalid reply token' } };
      }
      this.usedTokens.add(body.replyToken);
      (request as RecordedRequest & { accepted?: boolean }).accepted = true;
      return { status: 200, body: { sentMessages: (body.messages ?? []).map((_, i) => ({ id: `m${i}` })) } };
    }
    if (request.path === '/v2/bot/message/push') {
      const key = request.headers['x-line-retry-key'] as string | undefined;
      if (key && this.retryKeys.has(key))
        return { status: 409, body: { message: 'The retry key is already accepted' } };
      if (key) this.retryKeys.add(key);
      (request as RecordedRequest & { accepted?: boolean }).accepted = true;
      return { status: 200, body: { sentMessages: (body.messages ?? []).map((_, i) => ({ id: `p${i}` })) } };
    }
    return { status: 404, body: { message: 'Not found' } };
  }
}

/** Signs a webhook body the way LINE does: base64 HMAC-SHA256 with the channel secret. */
export function lineSignature(body: string, secret = FAKE_LINE_SECRET): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}

let nextEvent = 1;

/** LINE webhook event builders with the fields real events carry. */
export const line = {
  body(events: object[]): string {
    return JSON.stringify({ destination: 'Ubot', events });
  },
  base(userId: string, replyToken?: string) {
    nextEvent += 1;
    return {
      webhookEventId: `01HFAKE${String(nextEvent).padStart(19, '0')}`,
      timestamp: Date.now(),
      mode: 'active',
      source: { type: 'user', userId },
      deliveryContext: { isRedelivery: false },
      ...(replyToken === undefined ? {} : { replyToken }),
    };
  },
  text(userId: string, text: string, replyToken = `rt-${nextEvent + 1}`) {
    return {
      type: 'message',
      ...line.base(userId, replyToken),
      message: { id: `msg${nextEvent}`, type: 'text', text, quoteToken: 'q' },
    };
  },
  postback(userId: string, data: string, replyToken = `rt-${nextEvent + 1}`) {
    return { type: 'postback', ...line.base(userId, replyToken), postback: { data } };
  },
  follow(userId: string, replyToken = `rt-${nextEvent + 1}`) {
    return { type: 'follow', ...line.base(userId, replyToken), follow: { isUnblocked: false } };
  },
  sticker(userId: string, replyToken = `rt-${nextEvent + 1}`) {
    return {
      type: 'message',
      ...line.base(userId, replyToken),
      message: {
        id: `msg${nextEvent}`,
        type: 'sticker',
        packageId: '1',
        stickerId: '1',
        stickerResourceType: 'STATIC',
      },
    };
  },
};
