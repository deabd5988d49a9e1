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

/** Builds the application logger; tests pass a destination to capture the lines. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: redactPaths, censor: '[redacted]' },
      base: { service: 'frontdoor' },
    },
    destination,
  );
}
