// The hospital API's rate limit: so many calls a minute per API key, and per client address for
// calls without a live key (so guessing keys is as slow as using one). @fastify/rate-limit does
// the counting and the headers; its counters live in the instance's KeyValueStore, so every
// instance behind a load balancer shares them through Redis, and the in-process store (no
// REDIS_URL) counts by the injected clock like everything else.
import rateLimit, { type FastifyRateLimitStore } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { KeyValueStore } from '../../storage/kv/key-value-store.ts';
import { errors } from '../errors.ts';

export const RATE_WINDOW_MS = 60_000;

/** Where the counters are kept in the store. */
const PREFIX = 'api-rate:';

/** A fixed-window counter per caller over the KeyValueStore (one INCR with expiry in Redis). */
function storeOver(kv: KeyValueStore) {
  return class KeyValueRateStore implements FastifyRateLimitStore {
    incr(
      key: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
      timeWindow: number,
    ): void {
      const counter = PREFIX + key;
      kv.increment(counter, 1, { ttlMs: timeWindow })
        .then(async (current) => ({ current, ttl: (await kv.ttl(counter)) ?? timeWindow }))
        .then(
          (result) => callback(null, result),
          (error: unknown) => callback(error as Error),
        );
    }

    child(): FastifyRateLimitStore {
      return this;
    }
  };
}

/** Whose allowance a call uses: its key's when the key is live, else its address's. */
const callerOf = (request: FastifyRequest): string =>
  request.apiKey ? `key:${request.apiKey.id}` : `address:${request.ip}`;

/**
 * Installs the limiter on `app` and returns the hook counting a call (run it after the key is
 * identified and before anything else is done for the call).
 */
export async function apiRateLimit(
  app: FastifyInstance,
  kv: KeyValueStore,
  perMinute: number,
): Promise<preHandlerAsyncHookHandler> {
  await app.register(rateLimit, {
    global: false,
    store: storeOver(kv),
    max: perMinute,
    timeWindow: RATE_WINDOW_MS,
    keyGenerator: callerOf,
    // Our error catalogue's shape; Retry-After comes from the AppError (and the plugin's headers).
    errorResponseBuilder: (_request, context) =>
      errors.rateLimited(
        `more than ${context.max} requests a minute: try again in ${Math.ceil(context.ttl / 1000)} s`,
        Math.max(1, Math.ceil(context.ttl / 1000)),
      ),
  });
  return app.rateLimit();
}
