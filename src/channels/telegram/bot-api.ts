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
    /**
     * The request was sent and no answer came in time: Telegram may have acted on it. Sending
     * it again could give the patient a second copy (the Bot API has no idempotency key).
     */
    readonly maybeDelivered = false,
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
 * Telegram answers in well under a second. A call that hangs is given up well within the 60 s
 * an outbox holder keeps its lock between two marked messages, so no other holder takes the
 * batch over while this call may still arrive.
 */
const TIMEOUT_MS = 10_000;

/** undici's codes for a request sent whose answer did not come (or finish) in time. */
const ANSWER_TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** Calls Bot API methods on `apiRoot` (the public API, a local Bot API server or a fake). */
export class BotApi {
  private readonly pool: Pool;
  /** The path of every method's URL up to the method name. */
  private readonly base: string;

  constructor(
    token: string,
    apiRoot: string,
    private readonly timeoutMs = TIMEOUT_MS,
  ) {
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
      throw new TelegramApiError(0, `${method} failed: ${reason}`, undefined, ANSWER_TIMEOUTS.has(reason));
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
          headersTimeout: this.timeoutMs,
          bodyTimeout: this.timeoutMs,
        },
        handler,
      );
    });
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
