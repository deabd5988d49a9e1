// A local Telegram Bot API: answers the methods Frontdoor calls with Telegram's real response
// shapes, serves getUpdates from a queue for polling tests, and records every call. For
// broadcasts it also counts messages per chat, answers 403 for users who blocked the bot, 429
// with retry_after while told to and (when given a limit) when the bot goes over it.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Update } from 'telegraf/types';
import { PlatformFake, type FakeAnswer, type HttpFakeOptions, type RecordedRequest } from './http-fake.ts';

export const FAKE_BOT_TOKEN = '123456789:AAFakeTokenForFrontdoorTests-abcdefg';

export interface TelegramCall {
  method: string;
  body: Record<string, unknown>;
  at: number;
}

/** What Telegram answers a bot that went over its limit, and a user who blocked the bot. */
const tooMany = (retryAfter: number): FakeAnswer => ({
  status: 429,
  body: {
    ok: false,
    error_code: 429,
    description: `Too Many Requests: retry after ${retryAfter}`,
    parameters: { retry_after: retryAfter },
  },
});
const BLOCKED: FakeAnswer = {
  status: 403,
  body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' },
};

export interface TelegramFakeOptions extends HttpFakeOptions {
  /** Messages a second the bot may send (fixed one-second windows on the wall clock); none: no limit. */
  perSecond?: number;
}

export class TelegramFake extends PlatformFake {
  /** Messages delivered (sendMessage, sendPhoto answered 200) per chat id. */
  readonly delivered = new Map<string, number>();
  /** Chats whose user blocked the bot: their sends answer 403. */
  readonly blocked = new Set<string>();
  /** sendMessage calls delivered that asked for a paid broadcast (allow_paid_broadcast). */
  paidBroadcasts = 0;
  /** 429s answered (scripted or over the limit). */
  rateLimited = 0;
  perSecond: number | undefined;
  private window = { second: 0, count: 0 };
  private limitedUntil = 0;
  private limitedRetryAfter = 1;
  private readonly updates: Update[] = [];
  private readonly failures = new Map<
    string,
    { error_code: number; description: string; parameters?: { retry_after?: number } }[]
  >();
  private messageId = 1000;

  constructor(options: TelegramFakeOptions = {}) {
    super(options);
    this.perSecond = options.perSecond;
  }

  /** Messages delivered to every chat together. */
  get totalDelivered(): number {
    let total = 0;
    for (const count of this.delivered.values()) total += count;
    return total;
  }

  /** For the next `ms` (wall clock), every send answers 429 with `retry_after` seconds. */
  rateLimitFor(ms: number, retryAfterSeconds: number): void {
    this.limitedUntil = Date.now() + ms;
    this.limitedRetryAfter = retryAfterSeconds;
  }

  /** Successful calls other than the polling plumbing, in order. */
  calls(chatId?: string): TelegramCall[] {
    return this.http.requests
      .filter((request) => request.status === 200)
      .map((request) => ({
        method: request.path.split('/').pop() ?? '',
        body: request.body as Record<string, unknown>,
        at: request.at,
      }))
      .filter((call) => !['getUpdates', 'getMe', 'deleteWebhook'].includes(call.method))
      .filter(
        (call) =>
          chatId === undefined ||
          String(call.body.chat_id) === chatId ||
          call.method === 'answerCallbackQuery',
      );
  }

  /** Messages sent to one chat (sendMessage and sendPhoto). */
  messages(chatId: string): TelegramCall[] {
    return this.calls(chatId).filter((call) => call.method === 'sendMessage' || call.method === 'sendPhoto');
  }

  async waitForMessages(chatId: string, count: number, timeoutMs = 15_000): Promise<TelegramCall[]> {
    await this.http.waitFor(() => this.messages(chatId).length >= count, timeoutMs);
    return this.messages(chatId);
  }

  /** The next `method` calls fail with this error (Telegram's error body). */
  failNext(
    method: string,
    error: { error_code: number; description: string; parameters?: { retry_after?: number } },
  ): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), error]);
  }

  /** Queues an update for getUpdates (polling). */
  pushUpdate(update: Update): void {
    this.updates.push(update);
  }

  /** The 429 a send gets now: scripted, or the bot over its per-second limit; undefined: none. */
  private overLimit(): FakeAnswer | undefined {
    const now = Date.now();
    if (now < this.limitedUntil) {
      this.rateLimited += 1;
      return tooMany(this.limitedRetryAfter);
    }
    if (this.perSecond === undefined) return undefined;
    const second = Math.floor(now / 1000);
    if (second !== this.window.second) this.window = { second, count: 0 };
    if (this.window.count >= this.perSecond) {
      this.rateLimited += 1;
      return tooMany(1);
    }
    this.window.count += 1;
    return undefined;
  }

  protected async answer(request: RecordedRequest): Promise<FakeAnswer> {
    const [, bot, method] = request.path.split('/');
    if (bot !== `bot${FAKE_BOT_TOKEN}`)
      return { status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } };
    const failure = this.failures.get(method ?? '')?.shift();
    if (failure) return { status: failure.error_code, body: { ok: false, ...failure } };
    const body = (request.body ?? {}) as Record<string, unknown>;
    switch (method) {
      case 'getMe':
        return ok({ id: 123456789, is_bot: true, first_name: 'Frontdoor', username: 'frontdoor_test_bot' });
      case 'deleteWebhook':
      case 'setWebhook':
      case 'answerCallbackQuery':
        return ok(true);
      case 'getUpdates': {
        const offset = Number(body.offset ?? 0);
        const deadline = Date.now() + 500;
        while (Date.now() < deadline && !this.updates.some((u) => u.update_id >= offset)) await sleep(20);
        return {
          status: 200,
          unrecorded: true,
          body: { ok: true, result: this.updates.filter((u) => u.update_id >= offset) },
        };
      }
      case 'sendMessage':
      case 'sendPhoto': {
        const limited = this.overLimit();
        if (limited) return limited;
        const chat = String(body.chat_id);
        if (this.blocked.has(chat)) return BLOCKED;
        this.messageId += 1;
        this.delivered.set(chat, (this.delivered.get(chat) ?? 0) + 1);
        if (body.allow_paid_broadcast === true) this.paidBroadcasts += 1;
        return ok({
          message_id: this.messageId,
          date: Math.floor(Date.now() / 1000),
          chat: { id: Number(body.chat_id), type: 'private' },
          text: body.text,
          caption: body.caption,
        });
      }
      default:
        return {
          status: 404,
          body: { ok: false, error_code: 404, description: 'Not Found: method not found' },
        };
    }
  }
}

function ok(result: unknown): FakeAnswer {
  return { status: 200, body: { ok: true, result } };
}

let nextUpdateId = 5000;

/** A private-chat message update from `chatId` with the given content fields. */
function messageUpdate(
  chatId: number,
  content: Record<string, unknown>,
  languageCode = 'en',
  kind = 'message',
): Update {
  nextUpdateId += 1;
  return {
    update_id: nextUpdateId,
    [kind]: {
      message_id: nextUpdateId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: 'private', first_name: 'Lan' },
      from: tg.user(chatId, languageCode),
      ...content,
    },
  } as unknown as Update;
}

/** Telegram Update builders with the fields real updates carry. */
export const tg = {
  user(chatId: number, languageCode = 'en') {
    return { id: chatId, is_bot: false, first_name: 'Lan', language_code: languageCode };
  },
  text(chatId: number, text: string, languageCode = 'en'): Update {
    return messageUpdate(chatId, { text }, languageCode);
  },
  button(chatId: number, data: string, languageCode = 'en'): Update {
    nextUpdateId += 1;
    return {
      update_id: nextUpdateId,
      callback_query: {
        id: `cbq-${nextUpdateId}`,
        from: tg.user(chatId, languageCode),
        chat_instance: 'ci-1',
        data,
        message: {
          message_id: 1,
          date: Math.floor(Date.now() / 1000),
          chat: { id: chatId, type: 'private', first_name: 'Lan' },
          text: '…',
        },
      },
    };
  },
  contact(chatId: number, phone: string, own = true): Update {
    return messageUpdate(chatId, {
      contact: { phone_number: phone, first_name: 'Lan', user_id: own ? chatId : chatId + 1 },
    });
  },
  sticker(chatId: number): Update {
    const sticker = {
      file_id: 'f',
      file_unique_id: 'u',
      type: 'regular',
      width: 512,
      height: 512,
      is_animated: false,
      is_video: false,
    };
    return messageUpdate(chatId, { sticker });
  },
  edited(chatId: number, text: string): Update {
    return messageUpdate(chatId, { text, edit_date: Math.floor(Date.now() / 1000) }, 'en', 'edited_message');
  },
};
