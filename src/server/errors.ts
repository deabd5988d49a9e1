// One catalogue of errors, translated to HTTP in one place. Clients get a stable code and a
// clear message; anything unexpected becomes a generic 500 and the cause goes to the log.
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { loggedPath } from '../logging.ts';

/**
 * Every code a route may answer with: its HTTP status and the message a client sees when the
 * raiser gives none. Messages here are safe to show anyone; a raiser's own message must be too
 * (no stack, no SQL, no host names).
 */
export const ERROR_CATALOGUE = {
  bad_request: { status: 400, message: 'the request does not fit what this route takes' },
  malformed_json: { status: 400, message: 'request body is not valid JSON' },
  unauthorized: { status: 401, message: 'missing or invalid credentials' },
  /** A webhook whose signature or secret token over the raw request is missing or wrong. */
  bad_signature: { status: 401, message: 'bad or missing signature' },
  forbidden: { status: 403, message: 'not allowed' },
  not_found: { status: 404, message: 'not found' },
  /** A queue room's name outside the rule in src/domain/queue-room.ts. */
  invalid_room: { status: 400, message: 'not a room name' },
  conflict: { status: 409, message: 'the request conflicts with the current state' },
  payload_too_large: { status: 413, message: 'request body is too large' },
  unsupported_media_type: { status: 415, message: 'unsupported content type' },
  /** The sign-in lockout: an account (or a client address) waits after failed sign-ins. */
  too_many_attempts: { status: 429, message: 'too many sign-in attempts: try again later' },
  rate_limited: { status: 429, message: 'too many requests: try again later' },
  internal: { status: 500, message: 'internal error' },
  unavailable: { status: 503, message: 'temporarily unavailable; retry later' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface AppErrorOptions {
  /** Seconds the client is asked to wait (sent as Retry-After). */
  retryAfterS?: number;
  /** Response headers the refusal needs (e.g. WWW-Authenticate). */
  headers?: Record<string, string>;
  /** Fields added to the JSON body beside `error` and `message`. */
  details?: Record<string, string | number | boolean>;
}

/** An error we raise on purpose: a code of the catalogue, which gives its HTTP status. */
export class AppError extends Error {
  readonly statusCode: number;

  constructor(
    readonly code: ErrorCode,
    message: string = ERROR_CATALOGUE[code].message,
    readonly options: AppErrorOptions = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.statusCode = ERROR_CATALOGUE[code].status;
  }
}

export const errors = {
  unauthorized: (message?: string, options?: AppErrorOptions) =>
    new AppError('unauthorized', message, options),
  badSignature: (message?: string) => new AppError('bad_signature', message),
  forbidden: (message?: string) => new AppError('forbidden', message),
  notFound: (message?: string) => new AppError('not_found', message),
  badRequest: (message: string) => new AppError('bad_request', message),
  malformedJson: () => new AppError('malformed_json'),
  conflict: (message: string) => new AppError('conflict', message),
  invalidRoom: (message: string) => new AppError('invalid_room', message),
  tooManyAttempts: (retryAfterS: number) =>
    new AppError('too_many_attempts', `too many sign-in attempts: try again in ${retryAfterS} s`, {
      retryAfterS,
      details: { retryAfterSeconds: retryAfterS },
    }),
  rateLimited: (message: string, retryAfterS: number) =>
    new AppError('rate_limited', message, { retryAfterS }),
  unavailable: (message?: string) =>
    new AppError('unavailable', message, { retryAfterS: UNAVAILABLE_RETRY_AFTER_S }),
};

// Fastify's own client errors, renamed into our catalogue.
export const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_VALIDATION: 'bad_request',
  // @fastify/csrf-protection's refusals (a change without its token) stay 403s.
  FST_CSRF_MISSING_SECRET: 'forbidden',
  FST_CSRF_INVALID_TOKEN: 'forbidden',
};

/** Seconds a client is asked to wait when a backing store is down (webhook platforms retry). */
export const UNAVAILABLE_RETRY_AFTER_S = 5;

// What ioredis and our timeouts throw while Redis is stopped, frozen or reconnecting.
const UNAVAILABLE_NAMES = new Set(['MaxRetriesPerRequestError', 'StoreUnavailableError']);
const UNAVAILABLE_MESSAGES = [
  'Command timed out',
  'Connection is closed',
  "Stream isn't writeable",
  'connect ECONNREFUSED',
  'connect ETIMEDOUT',
  'redis ping timed out',
];

/** Whether `error` says a backing store is unreachable rather than that the request is wrong. */
export function isStoreUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (UNAVAILABLE_NAMES.has(error.name)) return true;
  const code = (error as { code?: string }).code;
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ETIMEDOUT') return true;
  return UNAVAILABLE_MESSAGES.some((message) => error.message.startsWith(message));
}

/** The AppError any thrown value answers as: ours as they are, Fastify's renamed, the rest a 500 or 503. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const fastify = error as Partial<FastifyError>;
  const status = typeof fastify.statusCode === 'number' ? fastify.statusCode : 500;
  if (status < 500) {
    const code = FASTIFY_CODES[fastify.code ?? ''] ?? 'bad_request';
    // Fastify's messages for client errors name the field or limit, never our internals.
    const message =
      code === 'malformed_json'
        ? undefined
        : typeof fastify.message === 'string'
          ? fastify.message
          : undefined;
    return new AppError(code, message);
  }
  // 503 + Retry-After: Telegram, LINE and Stripe redeliver later instead of dropping it.
  if (isStoreUnavailable(error)) return errors.unavailable();
  return new AppError('internal');
}

/** Sends `answer` as our JSON error, with the headers it asks for. */
function sendError(reply: FastifyReply, answer: AppError): FastifyReply {
  const { retryAfterS, headers, details } = answer.options;
  if (retryAfterS !== undefined) reply.header('retry-after', String(retryAfterS));
  for (const [name, value] of Object.entries(headers ?? {})) reply.header(name, value);
  return reply.code(answer.statusCode).send({ error: answer.code, message: answer.message, ...details });
}

/** Installs the single error and not-found handlers on `app`. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request, reply) => {
    const answer = toAppError(error);
    if (answer.code === 'unavailable' && !(error instanceof AppError))
      request.log.warn({ err: error }, 'request refused: a backing store is unavailable');
    else if (answer.code === 'internal') request.log.error({ err: error }, 'request failed');
    return sendError(reply, answer);
  });
  app.setNotFoundHandler((request, reply) =>
    // The path as the log shows it (no query, no token), cut short: a 5 KB URL is not echoed back.
    sendError(
      reply,
      errors.notFound(`no route for ${request.method} ${loggedPath(request.url)!.slice(0, 200)}`),
    ),
  );
}
