// The hospital API's credential: `Authorization: Bearer <API key>` holding the route's scope.
// 401 without a live key, 403 with a key that lacks the scope; the holder is kept on the request
// for the audit row of what it did.
import type { FastifyRequest } from 'fastify';
import type { ApiKeyHolder, ApiKeys, ApiKeyScope } from '../../security/api-keys.ts';
import { errors } from '../errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    apiKey?: ApiKeyHolder;
  }
}

const challenge = { headers: { 'www-authenticate': 'Bearer realm="api"' } };

/** A preHandler refusing requests without a live API key holding `scope`. */
export const requireApiKey = (keys: ApiKeys, scope: ApiKeyScope) => async (request: FastifyRequest) => {
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  if (!bearer) throw errors.unauthorized('send Authorization: Bearer <API key>', challenge);
  const holder = await keys.verify(bearer);
  if (!holder) throw errors.unauthorized('unknown or revoked API key', challenge);
  if (!holder.scopes.includes(scope)) throw errors.forbidden(`this API key has no ${scope} scope`);
  request.apiKey = holder;
};
