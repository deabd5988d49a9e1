// Builds the Fastify application apart from listen(), so tests drive it with inject() and the
// runtime decides where it listens.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { installErrorHandling } from './errors.ts';
import { registerHealth, type ReadinessCheck } from './health.ts';
import { registerWebAssets } from './html.ts';
import { registerMetrics, type MetricsAccess } from './metrics.ts';
import { deferredChildLogger } from './request-logger.ts';
import { schemaErrorFormatter } from './schema-errors.ts';

/** Webhook bodies above this are refused with 413 before parsing. */
export const BODY_LIMIT_BYTES = 256 * 1024;

export interface ServerParts {
  logger: Logger;
  metrics: Registry;
  readiness: ReadinessCheck[];
  /** TRUST_PROXY: which proxies' X-Forwarded-For to believe (default: none). */
  trustProxy?: boolean | number | string[];
  /** Who may read /metrics (default: anyone, as outside production without METRICS_TOKEN). */
  metricsAccess?: MetricsAccess;
  /** Feature plugins (channels, console, API) registered after the core routes. */
  features?: ((app: FastifyInstance) => Promise<void> | void)[];
}

/**
 * Fastify's own hop count trusts nothing (it fails closed, since the nearest peer cannot be
 * checked); a count here means what it means in Express: believe the n nearest hops. Only safe
 * when the port is reachable through those proxies alone, which the README says.
 */
function trustedProxies(setting: boolean | number | string[]) {
  if (typeof setting !== 'number') return setting;
  return (_address: string, hop: number) => hop < setting;
}

/** The HTTP application with health, metrics, error handling and the given features. */
export async function buildServer(parts: ServerParts): Promise<FastifyInstance> {
  // Typed with Fastify's base logger so feature plugins take the ordinary FastifyInstance.
  const app = Fastify<Server, IncomingMessage, ServerResponse, FastifyBaseLogger>({
    loggerInstance: parts.logger,
    childLoggerFactory: deferredChildLogger,
    bodyLimit: BODY_LIMIT_BYTES,
    // Signed links carry their token in the path (/checkin/<token>, /ticket/<token>): ~130
    // characters for a FHIR id, past Fastify's default of 100 (which answers 414).
    routerOptions: { maxParamLength: 512 },
    // Believing every X-Forwarded-For would let any client choose the address in the audit
    // log and dodge the sign-in throttle.
    trustProxy: trustedProxies(parts.trustProxy ?? false),
    // Request ids come from the load balancer when it sets one.
    requestIdHeader: 'x-request-id',
    // Unknown fields are refused, not silently dropped: a client sending them has a bug. Nor
    // are types coerced (`"email": 5` is not an email, `"update_id": false` not update 0); no
    // route's query or params schema needs coercion, all of them being strings.
    // `discriminator`: a oneOf that declares one (the broadcast audience's `kind`) checks the
    // one branch its tag picks, so a refusal is about that branch, not a list of every branch's.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, discriminator: true } },
    schemaErrorFormatter,
  });
  // Fastify reads text/plain bodies as strings, which the JSON routes' schemas then refused with
  // a 400 that named a schema; no route takes text, so it is an unsupported type like the rest.
  app.removeContentTypeParser('text/plain');
  installErrorHandling(app);
  registerMetrics(app, parts.metrics, parts.metricsAccess);
  registerHealth(app, parts.readiness);
  await registerWebAssets(app);
  for (const feature of parts.features ?? []) await feature(app);
  return app;
}
