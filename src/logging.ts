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

/** A request as a log line shows it: method, path without the query, host, client. */
export function requestWithoutQuery(request: LoggedRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: request.url?.split('?')[0],
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
      serializers: { req: requestWithoutQuery },
      base: { service: 'frontdoor' },
    },
    destination,
  );
}
