// The hospital API's credential: `Authorization: Bearer <API key>` holding the route's scope.
// Two steps, so the rate limit can sit between them: `identifyApiKey` finds who holds the key
// (nobody for a missing, unknown or revoked one) and `requireScope` refuses: 401 without a live
// key, 403 with a key that lacks the route's scope. The holder is kept on the request for the
// audit row of what it did.
import type { FastifyRequest } from 'fastify';
import type { ApiKeyHolder, ApiKeys, ApiKeyScope } from '../../security/api-keys.ts';
import { errors } from '../errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    apiKey?: ApiKeyHolder;
    /** Why no holder was found, for the 401's message. */
    apiKeyMissing?: 'no-bearer' | 'unknown';
  }
  interface FastifyContextConfig {
    /** The scope an API key needs for this route. */
    apiScope?: ApiKeyScope;
  }
}

const challenge = { headers: { 'www-authenticate': 'Bearer realm="api"' } };

/** An onRequest hook noting the live API key's holder on the request; refuses nothing. */
export const identifyApiKey = (keys: ApiKeys) => async (request: FastifyRequest) => {
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  if (!bearer) {
    request.apiKeyMissing = 'no-bearer';
    return;
  }
  const holder = await keys.verify(bearer);
  if (holder) request.apiKey = holder;
  else request.apiKeyMissing = 'unknown';
};

/** An onRequest hook refusing requests whose key does not hold the route's `apiScope`. */
export async function requireScope(request: FastifyRequest): Promise<void> {
  const holder = request.apiKey;
  if (!holder)
    throw errors.unauthorized(
      request.apiKeyMissing === 'unknown'
        ? 'unknown or revoked API key'
        : 'send Authorization: Bearer <API key>',
      challenge,
    );
  // An unknown path is answered 404 to any live key (the not-found handler).
  if (request.is404) return;
  const scope = request.routeOptions.config.apiScope;
  // A route without a declared scope is a programming error: refuse rather than open it.
  if (!scope || !holder.scopes.includes(scope))
    throw errors.forbidden(`this API key has no ${scope ?? 'such'} scope`);
}
