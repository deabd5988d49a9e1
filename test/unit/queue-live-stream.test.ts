// The public live pages' cap: past it a page is told 503 with Retry-After before anything is
// read for it, and a closed stream frees its place (and stops its feed).
import Fastify from 'fastify';
import { afterEach, expect, it } from 'vitest';
import { publicStreams } from '../../src/features/queue/live-stream.ts';
import { installErrorHandling } from '../../src/server/errors.ts';

const apps: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

it('holds at most the cap open, answers 503 with Retry-After past it without feeding, and frees a place on close', async () => {
  const app = Fastify();
  apps.push(app);
  installErrorHandling(app);
  let fed = 0;
  let stopped = 0;
  const open = publicStreams(app, 'board', 3);
  app.get('/s', async (request, reply) =>
    open<{ n: number }>(request, reply, async (send) => {
      fed += 1;
      send({ n: fed });
      return () => (stopped += 1);
    }),
  );
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const controllers = [0, 1, 2].map(() => new AbortController());
  const streams = await Promise.all(controllers.map((c) => fetch(`${base}/s`, { signal: c.signal })));
  expect(streams.map((r) => r.status)).toEqual([200, 200, 200]);
  const first = await streams[0]!.body!.getReader().read();
  expect(new TextDecoder().decode(first.value)).toContain('event: board');

  const refused = await fetch(`${base}/s`);
  expect(refused.status).toBe(503);
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(fed).toBe(3);

  controllers[0]!.abort();
  await expect.poll(() => stopped).toBe(1);
  const again = new AbortController();
  expect((await fetch(`${base}/s`, { signal: again.signal })).status).toBe(200);
  for (const c of [...controllers, again]) c.abort();
});

it('answers an error, holding no place, when the first value cannot be read', async () => {
  const app = Fastify();
  apps.push(app);
  installErrorHandling(app);
  const open = publicStreams(app, 'board', 1);
  let fail = true;
  app.get('/s', async (request, reply) =>
    open(request, reply, async (send) => {
      if (fail) throw new Error('database away');
      send({ ok: true });
      return () => undefined;
    }),
  );
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  expect((await fetch(`${base}/s`)).status).toBe(500);
  fail = false;
  const c = new AbortController();
  expect((await fetch(`${base}/s`, { signal: c.signal })).status).toBe(200);
  c.abort();
});
