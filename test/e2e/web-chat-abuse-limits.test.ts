// The web chat's abuse limits over HTTP (issue 14: one session posted 1,000 messages in 1.7 s;
// 500 new sessions in 1.5 s): 429 with Retry-After and a polite message in the patient's language.
// A new chat is counted at its first call, not at the page load, so page loads on a shared
// network (and link previews) do not lock newcomers out; page loads have a larger budget.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testRedisUrl } from '../support/backends.ts';
import { DEFAULT_WEB_CHAT_LIMITS } from '../../src/channels/web/abuse-limits.ts';
import { startTestInstance, type TestInstance } from '../support/instance.ts';

describe('web chat abuse limits', () => {
  let instance: TestInstance;
  beforeAll(async () => {
    // The test plays several client addresses through a proxy on loopback, as a hospital's
    // reverse proxy would report them.
    instance = await startTestInstance({ env: { TRUST_PROXY: 'loopback' } });
  });
  afterAll(async () => {
    await instance?.stop();
  });

  const open = (address: string) =>
    fetch(`${instance.frontdoor.url}/chat?lang=fr`, { headers: { 'x-forwarded-for': address } });

  it('answers 429 with Retry-After and a message in French once a session posts too fast', async () => {
    const page = await open('198.51.100.10');
    const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0]!;
    const { max } = DEFAULT_WEB_CHAT_LIMITS.sessionMessages;
    const statuses: number[] = [];
    let refused: Response | undefined;
    for (let i = 0; i <= max; i++) {
      const response = await fetch(`${instance.frontdoor.url}/chat/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, 'x-forwarded-for': '198.51.100.10' },
        body: JSON.stringify({
          id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
          text: 'x',
          lang: 'fr',
        }),
      });
      statuses.push(response.status);
      if (response.status === 429) refused = response;
    }
    expect(statuses.filter((status) => status === 202)).toHaveLength(max);
    expect(statuses.at(-1)).toBe(429);
    expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused?.json()).toEqual({
      error: 'rate_limited',
      message: 'Vous envoyez des messages très rapidement. Veuillez patienter un instant, puis réessayer.',
    });
  });

  const cookieOf = (page: Response) => (page.headers.get('set-cookie') ?? '').split(';')[0]!;
  const postFirst = (cookie: string, address: string, n: number) =>
    fetch(`${instance.frontdoor.url}/chat/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-forwarded-for': address },
      body: JSON.stringify({
        id: `00000000-0000-4000-9000-${String(n).padStart(12, '0')}`,
        text: 'bonjour',
        lang: 'fr',
      }),
    });
  const TOO_MANY_NEW_CHATS = 'Trop de nouvelles conversations ont été ouvertes depuis ce réseau';

  it('does not count a bare page load as a new chat: past the new-chat budget, a newcomer on the same network still gets the page', async () => {
    const { max } = DEFAULT_WEB_CHAT_LIMITS.addressSessions;
    for (let i = 0; i < max; i++) expect((await open('198.51.100.30')).status).toBe(200);
    const newcomer = await open('198.51.100.30');
    expect(newcomer.status).toBe(200);
    expect((await postFirst(cookieOf(newcomer), '198.51.100.30', 1)).status).toBe(202);
  });

  it('refuses new chats from one address past its budget at their first call, saying too many new chats came from this network', async () => {
    const { max } = DEFAULT_WEB_CHAT_LIMITS.addressSessions;
    for (let i = 0; i < max; i++) {
      const page = await open('198.51.100.20');
      expect((await postFirst(cookieOf(page), '198.51.100.20', 100 + i)).status).toBe(202);
    }
    const late = await open('198.51.100.20');
    expect(late.status).toBe(200);
    const refused = await postFirst(cookieOf(late), '198.51.100.20', 999);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as { message: string }).message).toContain(TOO_MANY_NEW_CHATS);
    // The page's stream (an EventSource cannot read a 429) says the same, and greets no one.
    const controller = new AbortController();
    const stream = await fetch(`${instance.frontdoor.url}/chat/api/stream?lang=fr`, {
      headers: { cookie: cookieOf(late), 'x-forwarded-for': '198.51.100.20' },
      signal: controller.signal,
    });
    const reader = stream.body!.getReader();
    const { value } = await reader.read();
    controller.abort();
    const said = new TextDecoder().decode(value);
    expect(said).toContain('event: refused');
    expect(said).toContain(TOO_MANY_NEW_CHATS);
    expect(
      await instance.frontdoor.webLog.isEmpty(
        decodeURIComponent(cookieOf(late).split('=')[1]!).replace(/\.[^.]+$/, ''),
      ),
    ).toBe(true);
    // Another network is not affected.
    expect((await postFirst(cookieOf(await open('198.51.100.21')), '198.51.100.21', 998)).status).toBe(202);
  });

  it('refuses page loads from one address past their (larger) budget with a page saying why, and no cookie', async () => {
    const max = DEFAULT_WEB_CHAT_LIMITS.addressPages!.max;
    expect(max).toBeGreaterThan(DEFAULT_WEB_CHAT_LIMITS.addressSessions.max);
    for (let i = 0; i < max; i++) expect((await open('198.51.100.40')).status).toBe(200);
    const refused = await open('198.51.100.40');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('set-cookie')).toBeNull();
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.text()).toContain(TOO_MANY_NEW_CHATS);
    expect((await open('198.51.100.41')).status).toBe(200);
  });
});

describe.each([{ name: 'memory', redis: false }, ...(testRedisUrl ? [{ name: 'Redis', redis: true }] : [])])(
  'web chat keys of a session that never consented [$name]',
  ({ redis }) => {
    let instance: TestInstance;
    beforeAll(async () => {
      instance = await startTestInstance({ redis });
    });
    afterAll(async () => {
      await instance?.stop();
    });

    const HOUR = 60 * 60 * 1000;

    /** Every key of the session with its time to live (undefined: kept for ever). */
    async function sessionKeys(session: string): Promise<Record<string, number | undefined>> {
      const found: Record<string, number | undefined> = {};
      for await (const keys of instance.frontdoor.kv.scanKeys(''))
        for (const key of keys) if (key.includes(session)) found[key] = await instance.frontdoor.kv.ttl(key);
      return found;
    }

    it('expire within an hour; once the patient consents, the state and transcript are kept two weeks', async () => {
      const { frontdoor } = instance;
      const page = await fetch(`${frontdoor.url}/chat?lang=en`);
      const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0]!;
      const session = decodeURIComponent(cookie.split('=')[1]!).replace(/\.[^.]+$/, '');
      const said = async () =>
        (await frontdoor.webLog.since(session, 0)).filter((entry) => entry.from === 'assistant').length;
      // The page's stream greets a new session (and names its transcript's epoch).
      const stream = new AbortController();
      await fetch(`${frontdoor.url}/chat/api/stream?lang=en`, { headers: { cookie }, signal: stream.signal });
      await vi.waitFor(async () => expect(await said()).toBeGreaterThan(0), { timeout: 10_000 });
      const post = (id: string, body: Record<string, string>) =>
        fetch(`${frontdoor.url}/chat/api/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie },
          body: JSON.stringify({ id, lang: 'en', ...body }),
        });
      const greeted = await said();
      expect((await post('00000000-0000-4000-8000-00000000a001', { text: 'hello' })).status).toBe(202);
      await vi.waitFor(async () => expect(await said()).toBeGreaterThan(greeted), { timeout: 10_000 });
      await frontdoor.engine.idle();

      // Polled, as below: a key deleted between the scan and its TTL's read reads as "no TTL".
      await vi.waitFor(
        async () => {
          const before = await sessionKeys(session);
          expect(Object.keys(before)).toEqual(
            expect.arrayContaining([
              `conv:{web:${session}}`,
              `weblog:{web:${session}}`,
              `webepoch:{web:${session}}`,
              `webecho:{web:${session}}:00000000-0000-4000-8000-00000000a001`,
            ]),
          );
          for (const [key, ttl] of Object.entries(before)) {
            expect(ttl, key).toBeDefined();
            expect(ttl, key).toBeLessThanOrEqual(HOUR);
          }
        },
        { timeout: 10_000 },
      );

      const asked = await said();
      const agreed = await post('00000000-0000-4000-8000-00000000a002', {
        button: 'onboarding.consent|yes',
        label: 'I agree',
      });
      expect(agreed.status).toBe(202);
      await vi.waitFor(async () => expect(await said()).toBeGreaterThan(asked), { timeout: 10_000 });
      await frontdoor.engine.idle();
      stream.abort();
      // Polled: a key the outbox deletes between the scan and its TTL's read reads as "no TTL"
      // (Redis answers -2 for a missing key as it answers -1 for one kept for ever).
      await vi.waitFor(
        async () => {
          const after = await sessionKeys(session);
          for (const key of [`conv:{web:${session}}`, `weblog:{web:${session}}`, `webepoch:{web:${session}}`])
            expect(after[key], key).toBeGreaterThan(13 * 24 * HOUR);
          for (const [key, ttl] of Object.entries(after)) expect(ttl, key).toBeDefined();
        },
        { timeout: 10_000 },
      );
    });
  },
);
