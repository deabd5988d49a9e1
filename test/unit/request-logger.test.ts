// Request loggers are made on a request's first enabled line, and behave as Fastify's own.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging.ts';
import { buildServer } from '../../src/server/app.ts';
import { createMetricsRegistry } from '../../src/server/metrics.ts';

async function serverLogging(level: string) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger(level, sink);
  let childrenMade = 0;
  const makeChild = logger.child.bind(logger);
  logger.child = ((...args: Parameters<typeof makeChild>) => {
    childrenMade += 1;
    return makeChild(...args);
  }) as typeof logger.child;
  const app = await buildServer({
    logger,
    metrics: createMetricsRegistry(),
    readiness: [],
    features: [
      (app) => {
        app.get('/quiet', async () => ({ ok: true }));
        app.get('/checkin/:token', async () => ({ ok: true }));
        app.get('/ticket/:token/stream', async () => ({ ok: true }));
        app.get('/warns', async (request) => {
          request.log.warn({ text: 'chest pain since Monday' }, 'patient said something');
          return { ok: true };
        });
        app.get('/errors-only', { logLevel: 'error' }, async (request) => {
          request.log.warn('not written on this route');
          request.log.error('written on this route');
          return { ok: true };
        });
      },
    ],
  });
  return { app, lines, childrenMade: () => childrenMade };
}

describe('request loggers', () => {
  it('are not made for a request that logs nothing', async () => {
    const { app, lines, childrenMade } = await serverLogging('warn');
    const before = childrenMade();
    for (let i = 0; i < 3; i += 1) expect((await app.inject({ url: '/quiet' })).statusCode).toBe(200);
    expect(childrenMade()).toBe(before);
    expect(lines).toEqual([]);
    await app.close();
  });

  it('write a line bound to the request id, with health data censored', async () => {
    const { app, lines } = await serverLogging('warn');
    await app.inject({ url: '/warns', headers: { 'x-request-id': 'req-42' } });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ reqId: 'req-42', msg: 'patient said something', text: '[redacted]' });
    expect(JSON.stringify(lines)).not.toContain('chest pain');
    await app.close();
  });

  it("keep a route's own level", async () => {
    const { app, lines } = await serverLogging('info');
    await app.inject({ url: '/errors-only' });
    expect(lines.map((line) => line.msg)).toEqual(['written on this route']);
    await app.close();
  });

  it("log Fastify's request lines at info", async () => {
    const { app, lines } = await serverLogging('info');
    await app.inject({ url: '/quiet', headers: { 'x-request-id': 'req-7' } });
    expect(lines.map((line) => [line.msg, line.reqId])).toEqual([
      ['incoming request', 'req-7'],
      ['request completed', 'req-7'],
    ]);
    await app.close();
  });

  it('write capability links by path only, without their token or query', async () => {
    const { app, lines } = await serverLogging('info');
    const token = 'eyJwIjoiYyIsImlkIjoiYXBwdC0xIn0.c2lnbmF0dXJl';
    await app.inject({ url: `/checkin/${token}?lang=vi` });
    await app.inject({ url: `/ticket/${token}/stream` });
    await app.inject({ url: `/pay/test/cs_test_secret` });
    const urls = lines.flatMap((line) => {
      const req = line.req as { url?: string } | undefined;
      return req?.url ? [req.url] : [];
    });
    expect(urls).toEqual(['/checkin/[redacted]', '/ticket/[redacted]/stream', '/pay/test/[redacted]']);
    const written = JSON.stringify(lines);
    expect(written).not.toContain(token);
    expect(written).not.toContain('cs_test_secret');
    await app.close();
  });
});
