// Abuse limits of the public web chat (issue 14: one session posted 1,000 messages in 1.7 s;
// 500 new sessions in 1.5 s), on the key-value store every instance shares.
import { describe, expect, it } from 'vitest';
import { WebChatAbuseLimits } from '../../src/channels/web/abuse-limits.ts';
import { MemoryStore } from '../../src/storage/kv/memory-store.ts';

const limits = {
  sessionMessages: { max: 3, windowMs: 60_000 },
  addressMessages: { max: 5, windowMs: 60_000 },
  addressSessions: { max: 2, windowMs: 600_000 },
};

describe('web chat abuse limits', () => {
  it('refuses a session past its message budget, with the seconds until its window ends', async () => {
    let now = 1_000_000;
    const kv = new MemoryStore({ now: () => now });
    const guard = new WebChatAbuseLimits(kv, limits);
    for (let i = 0; i < 3; i++) expect(await guard.message('s1', '198.51.100.1')).toEqual({ allowed: true });
    expect(await guard.message('s1', '198.51.100.1')).toEqual({ allowed: false, retryAfterS: 60 });
    now += 30_000;
    expect(await guard.message('s1', '198.51.100.1')).toEqual({ allowed: false, retryAfterS: 30 });
    now += 30_001;
    expect(await guard.message('s1', '198.51.100.1')).toEqual({ allowed: true });
  });

  it('limits one address across many sessions, and leaves other addresses alone', async () => {
    const guard = new WebChatAbuseLimits(new MemoryStore(), limits);
    const results = [];
    for (let i = 0; i < 6; i++) results.push((await guard.message(`s${i}`, '198.51.100.2')).allowed);
    expect(results).toEqual([true, true, true, true, true, false]);
    expect((await guard.message('s9', '198.51.100.3')).allowed).toBe(true);
  });

  it('limits new sessions per address', async () => {
    const guard = new WebChatAbuseLimits(new MemoryStore(), limits);
    expect((await guard.newSession('198.51.100.4')).allowed).toBe(true);
    expect((await guard.newSession('198.51.100.4')).allowed).toBe(true);
    expect(await guard.newSession('198.51.100.4')).toEqual({ allowed: false, retryAfterS: 600 });
  });
});
