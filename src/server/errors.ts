// One catalogue of errors, translated to HTTP in one place. Clients get a stable code and a
// clear message; anything unexpected becomes a generic 500 and the cause goes to the log.
import type { FastifyError, FastifyInstance } from 'fastify';

/** An error we raise on purpose, with the HTTP status and stable code it maps to. */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const errors = {
  unauthorized: (message = 'missing or invalid credentials') => new AppError('unauthorized', message, 401),
  forbidden: (message = 'not allowed') => new AppError('forbidden', message, 403),
  notFound: (message = 'not found') => new AppError('not_found', message, 404),
  badRequest: (message: string) => new AppError('bad_request', message, 400),
  conflict: (message: string) => new AppError('conflict', message, 409),
  unavailable: (message: string) => new AppError('unavailable', message, 503),
};

// Fastify's own client errors, renamed into our catalogue.
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_VALIDATION: 'bad_request',
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

/** Installs the single error and not-found handlers on `app`. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      if (error.statusCode === 503) reply.header('retry-after', String(UNAVAILABLE_RETRY_AFTER_S));
      return reply.code(error.statusCode).send({ error: error.code, message: error.message });
    }
    const status = error.statusCode ?? 500;
    if (status < 500) {
      const code = FASTIFY_CODES[error.code] ?? 'bad_request';
      const message = code === 'malformed_json' ? 'request body is not valid JSON' : error.message;
      return reply.code(status).send({ error: code, message });
    }
    if (isStoreUnavailable(error)) {
      // 503 + Retry-After: Telegram, LINE and Stripe redeliver later instead of dropping it.
      request.log.warn({ err: error }, 'request refused: a backing store is unavailable');
      return reply
        .code(503)
        .header('retry-after', String(UNAVAILABLE_RETRY_AFTER_S))
        .send({ error: 'unavailable', message: 'temporarily unavailable; retry later' });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ error: 'internal', message: 'internal error' });
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send({ error: 'not_found', message: `no route for ${request.method} ${request.url.split('?')[0]}` }),
  );
}
