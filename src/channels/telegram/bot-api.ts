// Telegram Bot API calls for sending: JSON over keep-alive connections through undici, the
// Node.js project's HTTP client (Node's own fetch is built on it). telegraf's client goes
// through node-fetch and an http.Agent, which cost about twice the CPU per call (see
// `npm run bench`); telegraf still does long polling and gives us the Bot API types.
import { Pool, type Dispatcher } from 'undici';

/** A Bot API refusal: `{ ok: false, error_code, description, parameters }`, or a bad answer. */
export class TelegramApiError extends Error {
  constructor(
    readonly code: number,
    description: string,
    /** Seconds Telegram asks us to wait (429). */
    readonly retryAfterSeconds?: number,
  ) {
    super(`telegram ${code}: ${description}`);
    this.name = 'TelegramApiError';
  }
}

interface BotApiAnswer {
  ok: boolean;
  result?: unknown;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number };
}

/**
 * Telegram answers in well under a second. A call that hangs is given up well within the 30 s
 * a conversation's holder keeps its lock, so the answer moves to the outbox and its retries
 * instead of the holder losing the conversation mid-step.
 */
const TIMEOUT_MS = 10_000;

/** Calls Bot API methods on `apiRoot` (the public API, a local Bot API server or a fake). */
export class BotApi {
  private readonly pool: Pool;
  /** The path of every method's URL up to the method name. */
  private readonly base: string;

  constructor(token: string, apiRoot: string) {
    // Resolved as telegraf resolves it, so TELEGRAM_API_ROOT means the same to both.
    const base = new URL(`./bot${token}/`, apiRoot);
    this.base = base.pathname;
    this.pool = new Pool(base.origin, { keepAliveTimeout: 30_000, connect: { timeout: 10_000 } });
  }

  async call(method: string, payload: Record<string, unknown>): Promise<unknown> {
    let answer: BotApiAnswer;
    let status: number;
    try {
      ({ status, body: answer } = await this.post(this.base + method, JSON.stringify(payload)));
    } catch (error) {
      // Network errors and unreadable answers; the URL (which holds the token) stays out.
      const reason = (error as { code?: string }).code ?? (error as Error).name;
      throw new TelegramApiError(0, `${method} failed: ${reason}`);
    }
    if (answer.ok) return answer.result;
    throw new TelegramApiError(
      answer.error_code ?? status,
      answer.description ?? `HTTP ${status}`,
      answer.parameters?.retry_after,
    );
  }

  /**
   * One POST, its answer read whole and parsed. Dispatched with a handler that collects the
   * bytes rather than through `request()`, whose response stream costs more CPU than the call.
   */
  private post(path: string, body: string): Promise<{ status: number; body: BotApiAnswer }> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let status = 0;
      const handler: Dispatcher.DispatchHandler = {
        // Its presence tells undici this handler speaks the current (controller) interface.
        onRequestStart: () => undefined,
        onResponseStart: (_controller, statusCode) => {
          status = statusCode;
        },
        onResponseData: (_controller, chunk) => {
          chunks.push(chunk);
        },
        onResponseEnd: () => {
          try {
            resolve({ status, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as BotApiAnswer });
          } catch {
            reject(new SyntaxError('the answer is not JSON'));
          }
        },
        onResponseError: (_controller, error) => reject(error),
      };
      this.pool.dispatch(
        {
          path,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          headersTimeout: TIMEOUT_MS,
          bodyTimeout: TIMEOUT_MS,
        },
        handler,
      );
    });
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
