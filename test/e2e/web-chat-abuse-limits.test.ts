// The web chat's abuse limits over HTTP (issue 14: one session posted 1,000 messages in 1.7 s;
// 500 new sessions in 1.5 s): 429 with Retry-After and a polite message in the patient's language.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

  it('refuses new sessions from one address past its budget with a page saying why, and no cookie', async () => {
    const { max } = DEFAULT_WEB_CHAT_LIMITS.addressSessions;
    for (let i = 0; i < max; i++) expect((await open('198.51.100.20')).status).toBe(200);
    const refused = await open('198.51.100.20');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('set-cookie')).toBeNull();
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.text()).toContain('Vous envoyez des messages très rapidement');
    expect((await open('198.51.100.21')).status).toBe(200);
  });
});
