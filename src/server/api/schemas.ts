// JSON Schemas the hospital API's routes share: the error every refusal answers with, the
// refusals each route may give, and the security requirement. The routes' schemas validate
// requests, shape answers and are the OpenAPI document (src/server/api/openapi.ts): one source.
import { DEPARTMENTS } from '../../domain/triage.ts';
import { ERROR_CATALOGUE, type ErrorCode } from '../errors.ts';

/** The name of the Bearer scheme in the document's components. */
export const BEARER = 'apiKey';

/** Every route of the API takes an API key as `Authorization: Bearer <key>`. */
export const security = [{ [BEARER]: [] }];

/** The error catalogue's shape (src/server/errors.ts), as every refusal answers. */
const errorShape = (codes: ErrorCode[], description: string, headers?: Record<string, object>) => ({
  description,
  ...(headers ? { headers } : {}),
  type: 'object',
  required: ['error', 'message'],
  properties: {
    error: { type: 'string', enum: codes, description: 'A stable code; the HTTP status follows from it.' },
    message: { type: 'string', description: 'What went wrong, in English, safe to show.' },
  },
  additionalProperties: true,
  examples: [{ error: codes[0], message: ERROR_CATALOGUE[codes[0]!].message }],
});

/** The codes a status carries in the API (the webhooks' and the sign-in's are not the API's). */
const REFUSALS = {
  400: {
    codes: ['bad_request', 'malformed_json'],
    description: 'The request does not fit the schema (or the JSON is malformed).',
  },
  401: {
    codes: ['unauthorized'],
    description: 'No API key, or an unknown or revoked one (with WWW-Authenticate: Bearer).',
  },
  403: { codes: ['forbidden'], description: 'The API key lacks the scope this route needs.' },
  404: { codes: ['not_found'], description: 'No such resource.' },
  409: { codes: ['conflict'], description: 'The request conflicts with what exists.' },
  415: { codes: ['unsupported_media_type'], description: 'The body is not application/json.' },
  429: {
    codes: ['rate_limited'],
    description: 'Over the rate limit for this API key (or client address); Retry-After says when to retry.',
  },
  503: {
    codes: ['unavailable'],
    description: 'A backing store is unavailable; Retry-After says when to retry.',
  },
} as const satisfies Record<number, { codes: ErrorCode[]; description: string }>;

type RefusalStatus = keyof typeof REFUSALS;

const retryAfter = { type: 'integer', minimum: 1, description: 'Seconds to wait before retrying.' };
/** The headers a refusal carries (documented; the error handler sets them). */
const HEADERS = {
  401: { 'WWW-Authenticate': { type: 'string', description: 'Bearer realm="api"' } },
  429: { 'Retry-After': retryAfter },
  503: { 'Retry-After': retryAfter },
} as const;

/**
 * Response schemas for the refusals a route gives (401, 403, 429 and 503 every route may), and
 * codes a route adds to a status (a queue's `invalid_room` 400).
 */
export function refusals(statuses: RefusalStatus[], more: Partial<Record<RefusalStatus, ErrorCode[]>> = {}) {
  const all = [...new Set<RefusalStatus>([...statuses, 401, 403, 429, 503])].sort();
  return Object.fromEntries(
    all.map((status) => [
      status,
      errorShape(
        [...REFUSALS[status].codes, ...(more[status] ?? [])],
        REFUSALS[status].description,
        HEADERS[status as keyof typeof HEADERS],
      ),
    ]),
  );
}

export const departmentSchema = {
  type: 'string',
  enum: [...DEPARTMENTS],
  description: 'A department code, as in the demo hospital.',
} as const;
