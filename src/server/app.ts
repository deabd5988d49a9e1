// Builds the Fastify application apart from listen(), so tests drive it with inject() and the
// runtime decides where it listens.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { installErrorHandling } from './errors.ts';
import { registerHealth, type ReadinessCheck } from './health.ts';
import { registerMetrics } from './metrics.ts';
import { deferredChildLogger } from './request-logger.ts';

/** Webhook bodies above this are refused with 413 before parsing. */
export const BODY_LIMIT_BYTES = 256 * 1024;

export interface ServerParts {
  logger: Logger;
  metrics: Registry;
  readiness: ReadinessCheck[];
  /** Feature plugins (channels, console, API) registered after the core routes. */
  features?: ((app: FastifyInstance) => Promise<void> | void)[];
}

/** The HTTP application with health, metrics, error handling and the given features. */
export async function buildServer(parts: ServerParts): Promise<FastifyInstance> {
  // Typed with Fastify's base logger so feature plugins take the ordinary FastifyInstance.
  const app = Fastify<Server, IncomingMessage, ServerResponse, FastifyBaseLogger>({
    loggerInstance: parts.logger,
    childLoggerFactory: deferredChildLogger,
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: true,
    // Request ids come from the load balancer when it sets one.
    requestIdHeader: 'x-request-id',
    // Unknown fields are refused, not silently dropped: a client sending them has a bug. Nor
    // are types coerced (`"email": 5` is not an email, `"update_id": false` not update 0); no
    // route's query or params schema needs coercion, all of them being strings.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
  });
  installErrorHandling(app);
  registerMetrics(app, parts.metrics);
  registerHealth(app, parts.readiness);
  for (const feature of parts.features ?? []) await feature(app);
  return app;
}
