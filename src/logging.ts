// Structured logs (pino). Health data must never reach a log line: every field that can carry
// it is censored here, by name, wherever it appears in the first two levels of a log object.
import pino, { type Logger, type DestinationStream } from 'pino';

/** Field names that may carry personal or health data, or secrets. */
export const REDACTED_FIELDS = [
  'text',
  'freeText',
  'answers',
  'symptoms',
  'complaint',
  'fullName',
  'birthDate',
  'phone',
  'address',
  'location',
  'contact',
  'password',
  'token',
  'body',
  'payload',
];

const REDACTED_HEADERS = [
  'authorization',
  'cookie',
  'set-cookie',
  'x-telegram-bot-api-secret-token',
  'x-line-signature',
  'stripe-signature',
  'x-api-key',
  'x-csrf-token',
];

/** The censor list in pino's path syntax. */
export const redactPaths = [
  ...REDACTED_FIELDS.flatMap((field) => [field, `*.${field}`]),
  ...REDACTED_HEADERS.map((header) => `req.headers["${header}"]`),
];

interface LoggedRequest {
  method?: string;
  url?: string;
  hostname?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/**
 * Paths whose next segment is a capability: whoever holds it may check a patient in, follow
 * their ticket or pay their test session, so it is not written to the log.
 */
const CAPABILITY_PATHS = /^(\/(?:checkin|ticket|pay\/test)\/)[^/]+/;

/** A request's path as a log line shows it: no query, no capability token. */
export function loggedPath(url: string | undefined): string | undefined {
  return url?.split('?')[0]!.replace(CAPABILITY_PATHS, '$1[redacted]');
}

/** A request as a log line shows it: method, path without the query or tokens, host, client. */
export function requestWithoutQuery(request: LoggedRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: loggedPath(request.url),
    host: request.hostname,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/** Builds the application logger; tests pass a destination to capture the lines. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: redactPaths, censor: '[redacted]' },
      // Query strings can carry what we must not log (the demo hospital is searched by phone
      // and birth date): requests are logged by path only.
      // A response is its status: the reply object holds the request (its URL and parameters).
      serializers: {
        req: requestWithoutQuery,
        res: (reply: { statusCode?: number }) => ({ statusCode: reply.statusCode }),
      },
      base: { service: 'frontdoor' },
    },
    destination,
  );
}
