// The web chat's HTTP surface: session cookie, bad input, the live stream resuming where the
// page left off, and the privacy notice the consent question links to.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestInstance, type TestInstance } from '../support/instance.ts';
import { redisDump, testRedisUrl } from '../support/backends.ts';

describe('web chat API', () => {
  let instance: TestInstance;
  let cookie = '';

  beforeAll(async () => {
    instance = await startTestInstance();
    const page = await fetch(`${instance.frontdoor.url}/chat`, {
      headers: { 'accept-language': 'zh-CN,zh;q=0.9' },
    });
    expect(await page.text()).toContain('<html lang="zh-CN">');
    cookie = (page.headers.get('set-cookie') ?? '').split(';')[0]!;
  });
  afterAll(async () => {
    await instance?.stop();
  });

  function post(body: string, headers: Record<string, string> = { cookie }) {
    return fetch(`${instance.frontdoor.url}/chat/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
  }

  it('sets a signed, httpOnly, SameSite session cookie', async () => {
    const response = await fetch(`${instance.frontdoor.url}/chat`);
    const header = response.headers.get('set-cookie') ?? '';
    expect(header).toMatch(/^fd_chat=[\w-]+\.[\w%+/=-]+;/);
    expect(header).toContain('HttpOnly');
    expect(header).toContain('SameSite=Lax');
    expect(header).toContain('Path=/chat');
  });

  it('answers 415 to a body that is not JSON, text/plain included', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      const response = await post('hello', { cookie, 'content-type': type });
      expect(response.status, type).toBe(415);
      expect(((await response.json()) as { error: string }).error).toBe('unsupported_media_type');
    }
  });

  it('refuses messages without a valid session', async () => {
    expect(
      (await post(JSON.stringify({ id: '00000000-0000-4000-8000-000000000001', text: 'hi' }), {})).status,
    ).toBe(401);
    const forged = await post(JSON.stringify({ id: '00000000-0000-4000-8000-000000000001', text: 'hi' }), {
      cookie: 'fd_chat=someone-else.forgedsignature',
    });
    expect(forged.status).toBe(401);
  });

  it.each([
    ['malformed JSON', '{"id": "x", "text": ', 400, 'malformed_json'],
    [
      'text and button together',
      JSON.stringify({ id: '00000000-0000-4000-8000-000000000002', text: 'a', button: 'b' }),
      400,
      'bad_request',
    ],
    [
      'neither text nor button',
      JSON.stringify({ id: '00000000-0000-4000-8000-000000000003' }),
      400,
      'bad_request',
    ],
    [
      'an unknown field',
      JSON.stringify({ id: '00000000-0000-4000-8000-000000000004', text: 'a', admin: true }),
      400,
      'bad_request',
    ],
    [
      'an over-long message',
      JSON.stringify({ id: '00000000-0000-4000-8000-000000000005', text: 'x'.repeat(2001) }),
      400,
      'bad_request',
    ],
    [
      'an oversized body',
      JSON.stringify({ id: '00000000-0000-4000-8000-000000000006', text: 'x'.repeat(300 * 1024) }),
      413,
      'payload_too_large',
    ],
  ])('refuses %s', async (_name, body, status, code) => {
    const response = await post(body);
    expect(response.status).toBe(status);
    expect(((await response.json()) as { error: string }).error).toBe(code);
  });

  it('streams the transcript live and resumes after the last event id the page saw', async () => {
    expect(
      (
        await post(
          JSON.stringify({ id: '00000000-0000-4000-8000-000000000010', text: '你好', lang: 'zh-CN' }),
        )
      ).status,
    ).toBe(202);
    const first = await readStream(instance.frontdoor.url, cookie, undefined, 2);
    expect(first.map((entry) => entry.from)).toEqual(['patient', 'assistant']);
    expect(first[1]!.text).toMatch(
      /^您好！我是Frontdoor Demo Hospital的智能助手，可以在这里帮您准备就诊。\n\n开始之前/,
    );
    // The transcript is kept encrypted: neither side of it is readable in Redis.
    if (testRedisUrl && instance.redisPrefixes.length > 0) {
      const stored = await redisDump(testRedisUrl, instance.redisPrefixes);
      expect(stored).toContain('v1.aesgcm256.');
      expect(stored).not.toContain('你好');
      expect(stored).not.toContain('Frontdoor Demo Hospital');
    }
    const resumed = await readStream(instance.frontdoor.url, cookie, '1', 1);
    expect(resumed[0]).toMatchObject({ id: 2, from: 'assistant' });
    // A retried post (same id) is neither shown nor processed twice.
    expect(
      await (await post(JSON.stringify({ id: '00000000-0000-4000-8000-000000000010', text: '你好' }))).json(),
    ).toEqual({ status: 'duplicate' });
    const all = await readStream(instance.frontdoor.url, cookie, undefined, 3);
    expect(all).toHaveLength(2);
  });

  it('serves the privacy notice in the requested language', async () => {
    const page = await (await fetch(`${instance.frontdoor.url}/privacy?lang=vi`)).text();
    expect(page).toContain('<h1>Thông báo quyền riêng tư</h1>');
    expect(page).toContain('Phiên bản 2026-11-24');
  });
});

/** Reads `count` entries (or whatever arrives in a second) from the SSE stream. */
async function readStream(base: string, cookie: string, lastEventId: string | undefined, count: number) {
  const controller = new AbortController();
  const response = await fetch(`${base}/chat/api/stream`, {
    headers: { cookie, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
    signal: controller.signal,
  });
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const entries: { id: number; from: string; text: string }[] = [];
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const timer = setTimeout(() => controller.abort(), 2_000);
  try {
    while (entries.length < count) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split('\n').find((line) => line.startsWith('data: '));
        if (!data) continue;
        const entry = JSON.parse(data.slice(6)) as { id: number; from: string; message: { text: string } };
        entries.push({ id: entry.id, from: entry.from, text: entry.message.text });
      }
    }
  } catch {
    // Aborted after the time limit: return what arrived.
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return entries;
}
