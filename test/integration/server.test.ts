// Health, readiness, metrics and error handling of a whole running instance.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSENT_TEXT_VERSION, flowRegistry } from '../../src/features/index.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logging.ts';
import { buildServer } from '../../src/server/app.ts';
import { createMetricsRegistry } from '../../src/server/metrics.ts';
import { RedisStore } from '../../src/storage/kv/redis-store.ts';
import { startFrontdoor, type Frontdoor } from '../../src/runtime.ts';
import { deleteRedisKeys, testDatabaseUrl, testRedisUrl, uniquePrefix } from '../support/backends.ts';
import { databaseBackends, type TestDatabaseTarget } from '../support/database.ts';
import { TEST_FIELD_KEY } from '../support/instance.ts';
import { freePort } from '../support/net.ts';

const silent = createLogger('silent');

const instanceBackends = [
  { name: 'embedded', database: databaseBackends[0]!, redisUrl: undefined as string | undefined },
  ...(testDatabaseUrl && testRedisUrl
    ? [{ name: 'postgres+redis', database: databaseBackends[1]!, redisUrl: testRedisUrl }]
    : []),
];

describe.each(instanceBackends)('a running instance [$name]', (backend) => {
  let target: TestDatabaseTarget;
  let frontdoor: Frontdoor;
  const prefix = uniquePrefix('srv').slice(0, -1);

  beforeAll(async () => {
    target = await backend.database.create();
    const config = loadConfig({
      DATABASE_URL: target.url,
      FIELD_ENCRYPTION_KEY: TEST_FIELD_KEY,
      REDIS_URL: backend.redisUrl,
      LOG_LEVEL: 'silent',
    });
    frontdoor = await startFrontdoor(config, {
      flows: flowRegistry,
      consentVersion: CONSENT_TEXT_VERSION,
      logger: silent,
      port: 0,
      keyPrefix: prefix,
    });
  });
  afterAll(async () => {
    await frontdoor?.close();
    await target?.drop();
    if (backend.redisUrl) await deleteRedisKeys(backend.redisUrl, prefix);
  });

  it('is alive', async () => {
    const response = await fetch(`${frontdoor.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('is ready and names what it checked', async () => {
    const response = await fetch(`${frontdoor.url}/readyz`);
    expect(response.status).toBe(200);
    const expected = backend.redisUrl ? { database: 'up', redis: 'up' } : { database: 'up' };
    expect(await response.json()).toEqual({ status: 'ready', checks: expected });
  });

  it('exposes Prometheus metrics, counting requests by route pattern', async () => {
    await fetch(`${frontdoor.url}/healthz`);
    const response = await fetch(`${frontdoor.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toMatch(/frontdoor_http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/);
    expect(text).toContain('frontdoor_process_resident_memory_bytes');
  });

  it('answers unknown routes with a JSON 404', async () => {
    const response = await fetch(`${frontdoor.url}/nope?x=1`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'not_found', message: 'no route for GET /nope' });
  });
});

describe('readiness when a backing service goes down', () => {
  it('reports the database down with 503 once it stops answering', async () => {
    const { openDatabase } = await import('../../src/storage/database.ts');
    const database = await openDatabase({ url: undefined, dataDir: undefined });
    const app = await buildServer({
      logger: silent,
      metrics: createMetricsRegistry(),
      readiness: [{ name: 'database', check: () => database.ping() }],
    });
    expect((await app.inject('/readyz')).statusCode).toBe(200);
    await database.close();
    const down = await app.inject('/readyz');
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({
      status: 'unavailable',
      checks: { database: 'down' },
      down: ['database'],
    });
    // A short public cause, never the driver's message (hosts, users).
    expect(down.json<{ reasons: Record<string, string> }>().reasons.database).toMatch(
      /^(timed out|connection refused|host not found|connection closed|not answering)$/,
    );
    await app.close();
  });

  describe('with a Redis of its own that the test stops', () => {
    let redis: ChildProcess | undefined;
    let port = 0;
    const available = Boolean(testRedisUrl);

    beforeAll(async () => {
      if (!available) return;
      port = await freePort();
      redis = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        {
          stdio: ['ignore', 'pipe', 'ignore'],
        },
      );
      // redis-server says so on its standard output once it takes connections.
      await new Promise<void>((resolve, reject) => {
        let output = '';
        redis!.stdout!.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('Ready to accept connections')) resolve();
        });
        redis!.once('exit', () => reject(new Error(`redis-server exited at start:\n${output}`)));
      });
    });
    afterAll(() => {
      redis?.kill('SIGKILL');
    });

    it.runIf(available)('turns /readyz to 503 naming redis, and back to 200 when it returns', async () => {
      const store = await RedisStore.connect(`redis://127.0.0.1:${port}`, 'ready:');
      const app = await buildServer({
        logger: silent,
        metrics: createMetricsRegistry(),
        readiness: [{ name: 'redis', check: () => store.ping() }],
      });
      expect((await app.inject('/readyz')).statusCode).toBe(200);
      const gone = new Promise((resolve) => redis!.once('exit', resolve));
      redis!.kill('SIGKILL');
      await gone;
      const down = await app.inject('/readyz');
      expect(down.statusCode).toBe(503);
      expect(down.json()).toMatchObject({ down: ['redis'] });
      await app.close();
      await store.close();
    });
  });
});
