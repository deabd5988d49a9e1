// Production means production: who the server believes a client is (TRUST_PROXY), and who may
// read /metrics (METRICS_TOKEN or loopback under NODE_ENV=production).
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createLogger } from '../../src/logging.ts';
import { buildServer, type ServerParts } from '../../src/server/app.ts';
import { createMetricsRegistry } from '../../src/server/metrics.ts';

const TOKEN = 'scrape-token-0123456789';
let app: FastifyInstance | undefined;

async function server(parts: Partial<ServerParts>): Promise<FastifyInstance> {
  app = await buildServer({
    logger: createLogger('silent'),
    metrics: createMetricsRegistry(),
    readiness: [],
    features: [(scope) => void scope.get('/whoami', async (request) => ({ ip: request.ip }))],
    ...parts,
  });
  return app;
}

afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('TRUST_PROXY', () => {
  const spoofed = { url: '/whoami', remoteAddress: '203.0.113.9', headers: { 'x-forwarded-for': '6.6.6.6' } };

  it('ignores X-Forwarded-For by default, so a client cannot choose its address', async () => {
    const direct = await server({});
    expect((await direct.inject(spoofed)).json()).toEqual({ ip: '203.0.113.9' });
  });

  it('believes X-Forwarded-For only from the listed proxies', async () => {
    const behindProxy = await server({ trustProxy: ['10.0.0.0/8'] });
    expect((await behindProxy.inject(spoofed)).json()).toEqual({ ip: '203.0.113.9' });
    const viaProxy = await behindProxy.inject({ ...spoofed, remoteAddress: '10.1.2.3' });
    expect(viaProxy.json()).toEqual({ ip: '6.6.6.6' });
  });

  it('takes a hop count as the number of proxies in front', async () => {
    const oneHop = await server({ trustProxy: 1 });
    const response = await oneHop.inject({
      ...spoofed,
      remoteAddress: '10.1.2.3',
      headers: { 'x-forwarded-for': '6.6.6.6, 198.51.100.4' },
    });
    expect(response.json()).toEqual({ ip: '198.51.100.4' });
  });
});

describe('/metrics with NODE_ENV=production', () => {
  const production = { metricsAccess: { production: true } };

  it('refuses a scraper off loopback when no METRICS_TOKEN is set', async () => {
    const metrics = await server(production);
    const outside = await metrics.inject({ url: '/metrics', remoteAddress: '203.0.113.9' });
    expect(outside.statusCode).toBe(401);
    expect(outside.body).not.toContain('frontdoor_');
    const local = await metrics.inject({ url: '/metrics', remoteAddress: '127.0.0.1' });
    expect(local.statusCode).toBe(200);
    expect(local.body).toContain('frontdoor_http_requests_total');
  });

  it('does not count a request a local reverse proxy forwarded as loopback, even without TRUST_PROXY', async () => {
    const metrics = await server(production);
    for (const headers of [{ 'x-forwarded-for': '203.0.113.9' }, { forwarded: 'for=203.0.113.9' }]) {
      const proxied = await metrics.inject({ url: '/metrics', remoteAddress: '127.0.0.1', headers });
      expect(proxied.statusCode).toBe(401);
    }
  });

  it('lets a scraper in with Authorization: Bearer <METRICS_TOKEN>, and no one with a wrong one', async () => {
    const metrics = await server({ metricsAccess: { production: true, token: TOKEN } });
    const request = (authorization?: string) =>
      metrics.inject({
        url: '/metrics',
        remoteAddress: '203.0.113.9',
        headers: authorization ? { authorization } : {},
      });
    expect((await request(`Bearer ${TOKEN}`)).statusCode).toBe(200);
    expect((await request(`Bearer ${TOKEN}x`)).statusCode).toBe(401);
    expect((await request()).statusCode).toBe(401);
  });

  it('does not count a client behind a local reverse proxy as loopback when TRUST_PROXY names it', async () => {
    const metrics = await server({ ...production, trustProxy: ['loopback'] });
    const proxied = await metrics.inject({
      url: '/metrics',
      remoteAddress: '127.0.0.1',
      headers: { 'x-forwarded-for': '203.0.113.9' },
    });
    expect(proxied.statusCode).toBe(401);
  });

  it('stays open outside production without a token (the local demo)', async () => {
    const metrics = await server({});
    expect((await metrics.inject({ url: '/metrics', remoteAddress: '203.0.113.9' })).statusCode).toBe(200);
  });
});
