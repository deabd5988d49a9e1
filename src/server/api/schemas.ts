// JSON Schemas the hospital API's routes share: the error every refusal answers with, the
// refusals each route may give, and the security requirement. The routes' schemas validate
// requests, shape answers and are the OpenAPI document (src/server/api/openapi.ts): one source.
import { DEPARTMENTS } from '../../domain/triage.ts';
import { ERROR_CATALOGUE } from '../errors.ts';

/** The name of the Bearer scheme in the document's components. */
export const BEARER = 'apiKey';

/** Every route of the API takes an API key as `Authorization: Bearer <key>`. */
export const security = [{ [BEARER]: [] }];

/** The error catalogue's shape (src/server/errors.ts), as every refusal answers. */
export const errorSchema = {
  type: 'object',
  required: ['error', 'message'],
  properties: {
    error: {
      type: 'string',
      enum: Object.keys(ERROR_CATALOGUE),
      description: 'A stable code; the HTTP status follows from it.',
    },
    message: { type: 'string', description: 'What went wrong, in English, safe to show.' },
  },
  additionalProperties: true,
} as const;

const REFUSALS = {
  400: 'The request does not fit the schema (or the JSON is malformed).',
  401: 'No API key, or an unknown or revoked one (with WWW-Authenticate: Bearer).',
  403: 'The API key lacks the scope this route needs.',
  404: 'No such resource.',
  409: 'The request conflicts with what exists.',
  429: 'Over the rate limit for this API key (or client address); Retry-After says when to retry.',
  503: 'A backing store is unavailable; Retry-After says when to retry.',
} as const;

/** Response schemas for the refusals a route gives (401, 403, 429 and 503 every route may). */
export function refusals(...statuses: (keyof typeof REFUSALS)[]) {
  const all = [...new Set([...statuses, 401, 403, 429, 503] as const)].sort();
  return Object.fromEntries(all.map((status) => [status, { description: REFUSALS[status], ...errorSchema }]));
}

export const departmentSchema = {
  type: 'string',
  enum: [...DEPARTMENTS],
  description: 'A department code, as in the demo hospital.',
} as const;
