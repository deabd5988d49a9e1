// A local LINE Messaging API: reply (each token once), push and multicast (X-Line-Retry-Key a
// UUID, honoured with 409 on a repeat of an accepted request, which is not counted again), the
// monthly quota and its consumption, an optional multicast rate limit, and profiles; records
// every call and counts the messages each user got.
import { createHmac } from 'node:crypto';
import { PlatformFake, type FakeAnswer, type HttpFakeOptions, type RecordedRequest } from './http-fake.ts';

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

export interface LineFakeOptions extends HttpFakeOptions {
  /** Multicast requests a second (fixed one-second windows on the wall clock); none: no limit. */
  multicastPerSecond?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const MULTICAST_MAX_TO = 500;
const MAX_MESSAGES = 5;

export class LineFake extends PlatformFake {
  readonly languages = new Map<string, string>();
  /** Messages pushed or multicast to each user id (replies carry no user id). */
  readonly delivered = new Map<string, number>();
  /** The month's message quota; undefined: the plan has none ("type": "none"). */
  quota: number | undefined;
  /** Messages spent this month (a push or multicast spends one per recipient). */
  usage = 0;
  multicastPerSecond: number | undefined;
  /** Multicasts accepted, and repeats of accepted ones answered 409. */
  multicastsAccepted = 0;
  conflicts = 0;
  /** 429s answered (rate limit or monthly limit). */
  rateLimited = 0;
  private window = { second: 0, count: 0 };
  private readonly usedTokens = new Set<string>();
  private readonly retryKeys = new Set<string>();

  constructor(options: LineFakeOptions = {}) {
    super(options);
    this.multicastPerSecond = options.multicastPerSecond;
  }

  /** Messages delivered to every user together. */
  get totalDelivered(): number {
    let total = 0;
    for (const count of this.delivered.values()) total += count;
    return total;
  }

  /** Accepted multicasts (when requests are kept), in order. */
  multicasts(): { to: string[]; retryKey?: string; messages: LineSend['messages'] }[] {
    return this.http.requests
      .filter((r) => r.path === '/v2/bot/message/multicast' && r.status === 200)
      .map((r) => {
        const body = r.body as { to: string[]; messages: LineSend['messages'] };
        return {
          to: body.to,
          retryKey: r.headers['x-line-retry-key'] as string | undefined,
          messages: body.messages,
        };
      });
  }

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
    if (request.method === 'GET' && request.path === '/v2/bot/message/quota') {
      return {
        status: 200,
        body: this.quota === undefined ? { type: 'none' } : { type: 'limited', value: this.quota },
      };
    }
    if (request.method === 'GET' && request.path === '/v2/bot/message/quota/consumption') {
      return { status: 200, body: { totalUsage: this.usage } };
    }
    if (request.path === '/v2/bot/message/push' || request.path === '/v2/bot/message/multicast') {
      return this.paidSend(request);
    }
    return { status: 404, body: { message: 'Not found' } };
  }

  /** A push (`to` one user) or a multicast (`to` up to 500): the sends that spend the quota. */
  private paidSend(request: RecordedRequest): FakeAnswer {
    const multicast = request.path.endsWith('multicast');
    const body = (request.body ?? {}) as { to?: unknown; messages?: unknown[] };
    const to = multicast ? body.to : [body.to];
    const messages = body.messages ?? [];
    if (
      !Array.isArray(to) ||
      to.length === 0 ||
      to.length > (multicast ? MULTICAST_MAX_TO : 1) ||
      !to.every((id) => typeof id === 'string')
    )
      return invalid(
        `The property, 'to', in the request body is invalid (at most ${MULTICAST_MAX_TO} user IDs)`,
      );
    if (messages.length === 0 || messages.length > MAX_MESSAGES)
      return invalid(`Size must be between 1 and ${MAX_MESSAGES}`, 'messages');
    const key = request.headers['x-line-retry-key'] as string | undefined;
    if (key !== undefined && !UUID.test(key))
      return invalid('The retry key must be a UUID', 'X-Line-Retry-Key');
    if (key && this.retryKeys.has(key)) {
      this.conflicts += 1;
      return {
        status: 409,
        headers: { 'x-line-accepted-request-id': `req-${key}` },
        body: { message: 'The retry key is already accepted' },
      };
    }
    if (multicast && this.overRate()) {
      this.rateLimited += 1;
      return { status: 429, body: { message: 'Too Many Requests' } };
    }
    if (this.quota !== undefined && this.usage + to.length > this.quota) {
      this.rateLimited += 1;
      return { status: 429, body: { message: 'You have reached your monthly limit.' } };
    }
    if (key) this.retryKeys.add(key);
    this.usage += to.length;
    for (const user of to) this.delivered.set(user, (this.delivered.get(user) ?? 0) + messages.length);
    if (multicast) this.multicastsAccepted += 1;
    (request as RecordedRequest & { accepted?: boolean }).accepted = true;
    return {
      status: 200,
      body: multicast ? {} : { sentMessages: messages.map((_, i) => ({ id: `p${i}` })) },
    };
  }

  private overRate(): boolean {
    if (this.multicastPerSecond === undefined) return false;
    const second = Math.floor(Date.now() / 1000);
    if (second !== this.window.second) this.window = { second, count: 0 };
    if (this.window.count >= this.multicastPerSecond) return true;
    this.window.count += 1;
    return false;
  }
}

/** LINE's 400 for a request it will never take. */
function invalid(message: string, property = 'to'): FakeAnswer {
  return {
    status: 400,
    body: { message: 'The request body has 1 error(s)', details: [{ message, property }] },
  };
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
