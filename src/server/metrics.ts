// Prometheus metrics (prom-client): process defaults plus request counts and latencies by
// route pattern (never by raw URL, which could carry identifiers). In production only a scraper
// holding METRICS_TOKEN, or one on this host, may read them: route names and traffic tell an
// outsider what the hospital runs and when.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { errors } from './errors.ts';
import { probeLogLevel } from './health.ts';

/** The metric registry one app instance reports from. */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'frontdoor_' });
  return registry;
}

/** Who may read `GET /metrics`. */
export interface MetricsAccess {
  /** The bearer token a scraper sends (METRICS_TOKEN); when set it is required off loopback. */
  token?: string;
  /** NODE_ENV=production: without a token, loopback only. */
  production: boolean;
}

/** Records every request and serves `GET /metrics` to those `access` lets in. */
export function registerMetrics(
  app: FastifyInstance,
  registry: Registry,
  access: MetricsAccess = { production: false },
): void {
  const duration = new Histogram({
    name: 'frontdoor_http_request_duration_seconds',
    help: 'HTTP request latency by route pattern',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const total = new Counter({
    name: 'frontdoor_http_requests_total',
    help: 'HTTP requests by route pattern and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    };
    duration.observe(labels, reply.elapsedTime / 1000);
    total.inc(labels);
  });
  app.get('/metrics', { logLevel: probeLogLevel(app) }, async (request, reply) => {
    if (!mayReadMetrics(request, access)) {
      throw errors.unauthorized('metrics need Authorization: Bearer <METRICS_TOKEN>', {
        headers: { 'www-authenticate': 'Bearer realm="metrics"' },
      });
    }
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}

function mayReadMetrics(request: FastifyRequest, access: MetricsAccess): boolean {
  // request.ip is the client behind trusted proxies only (TRUST_PROXY), so a reverse proxy on
  // this host does not make every outside scraper look local.
  // A reverse proxy on this host connects from loopback for every outside client; what it
  // forwards says so, so forwarded requests are not taken for local ones in production.
  if (isLoopback(request.ip) && !(access.production && forwarded(request))) return true;
  if (access.token) return bearerMatches(request.headers.authorization, access.token);
  return !access.production;
}

function forwarded(request: FastifyRequest): boolean {
  const h = request.headers;
  return Boolean(h['x-forwarded-for'] ?? h.forwarded ?? h['x-real-ip']);
}

function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}

/** Compared as digests in constant time, so the answer's timing says nothing about the token. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer (\S+)$/i.exec(header ?? '')?.[1];
  if (!given) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(token));
}
