// The error catalogue: every code answers with its status and a safe message, Fastify's own
// client errors are renamed into it, anything unexpected is the generic 500 without its cause,
// and no route builds a JSON error of its own.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, ERROR_CATALOGUE, installErrorHandling, type ErrorCode } from '../../src/server/errors.ts';

const app = Fastify({ logger: false, bodyLimit: 64 });
const codes = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

beforeAll(async () => {
  installErrorHandling(app);
  app.get('/raise/:code', async (request) => {
    throw new AppError((request.params as { code: ErrorCode }).code);
  });
  app.get('/bug', async () => {
    throw new Error('SELECT * FROM patient WHERE name = $1 failed on db.internal:5432');
  });
  app.get('/store-down', async () => {
    throw Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:6379'), { code: 'ECONNREFUSED' });
  });
  app.post('/json', { schema: { body: { type: 'object', required: ['a'] } } }, async () => ({ ok: true }));
  await app.ready();
});
afterAll(async () => {
  await app.close();
});

describe('error catalogue', () => {
  it.each(codes)('%s answers with its status and its safe message', async (code) => {
    const response = await app.inject(`/raise/${code}`);
    expect(response.statusCode).toBe(ERROR_CATALOGUE[code].status);
    expect(response.json()).toEqual({ error: code, message: ERROR_CATALOGUE[code].message });
  });

  it('has a message for every code and only 4xx and 5xx statuses', () => {
    for (const { status, message } of Object.values(ERROR_CATALOGUE)) {
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(600);
      expect(message.length).toBeGreaterThan(0);
    }
  });

  it('answers an unexpected error with the generic 500 and keeps its cause out of the answer', async () => {
    const response = await app.inject('/bug');
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ error: 'internal', message: ERROR_CATALOGUE.internal.message });
    expect(response.body).not.toMatch(/SELECT|db\.internal|stack/);
  });

  it('answers an unreachable store with 503 and Retry-After', async () => {
    const response = await app.inject('/store-down');
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.json()).toEqual({ error: 'unavailable', message: ERROR_CATALOGUE.unavailable.message });
  });

  it("renames Fastify's client errors into the catalogue", async () => {
    const post = (body: string, type = 'application/json') =>
      app.inject({ method: 'POST', url: '/json', headers: { 'content-type': type }, body });
    const answers = [
      await post('{"a":'),
      await post('{}'),
      await post(JSON.stringify({ a: 'x'.repeat(100) })),
      await post('a=1', 'text/csv'),
      await app.inject('/nowhere'),
    ];
    expect(answers.map((answer) => [answer.statusCode, answer.json<{ error: string }>().error])).toEqual([
      [400, 'malformed_json'],
      [400, 'bad_request'],
      [413, 'payload_too_large'],
      [415, 'unsupported_media_type'],
      [404, 'not_found'],
    ]);
    for (const answer of answers) expect(codes).toContain(answer.json<{ error: ErrorCode }>().error);
  });

  it('is the only place a route writes a JSON error body', async () => {
    const root = join(import.meta.dirname, '../../src');
    const files = (await readdir(root, { recursive: true })).filter(
      (file) => file.endsWith('.ts') && !file.startsWith('generated') && file !== join('server', 'errors.ts'),
    );
    const byHand: string[] = [];
    for (const file of files) {
      const text = await readFile(join(root, file), 'utf8');
      if (/\.send\(\{\s*error:/.test(text)) byHand.push(file);
    }
    expect(byHand).toEqual([]);
  });
});
