// The engine's guarantees with real instances: per-patient order and no lost state across two
// instances sharing Redis, different patients in parallel, dedupe, and a polite restart when a
// saved state comes from an older flow version. A scripted "tally" flow makes order visible.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowRegistry } from '../../src/conversation/flow.ts';
import type { ChatEntry } from '../../src/channels/web/chat-log.ts';
import type { WebChatLog } from '../../src/channels/web/chat-log.ts';
import { testRedisUrl, uniquePrefix, deleteRedisKeys } from '../support/backends.ts';
import { startTestInstance, testDatabase, type TestInstance } from '../support/instance.ts';
import type { TestDatabaseTarget } from '../support/database.ts';

/** Counts the texts it has seen and answers "#n: text"; state is the whole history. */
const tally: FlowRegistry = {
  version: 7,
  start: (_address, locale) => ({
    version: 7,
    step: 'tally.counting',
    locale,
    country: 'VN',
    draft: { seen: '' },
    outSeq: 0,
  }),
  step: (state, event) => {
    if (event.kind !== 'text') return { state, effects: [] };
    const seen = state.draft.seen ? `${state.draft.seen},${event.text}` : event.text;
    const count = seen.split(',').length;
    return {
      state: { ...state, draft: { seen } },
      effects: [{ type: 'send', message: { text: `#${count}: ${event.text}` } }],
    };
  },
};

class WebPatient {
  private cookie = '';
  private next = 0;
  constructor(private readonly sessionUrl: string) {}

  async open(): Promise<string> {
    const response = await fetch(`${this.sessionUrl}/chat`);
    this.cookie = (response.headers.get('set-cookie') ?? '').split(';')[0]!;
    return decodeURIComponent(this.cookie.split('=')[1]!).split('.')[0]!;
  }

  async say(baseUrl: string, text: string): Promise<number> {
    this.next += 1;
    const id = `00000000-0000-4000-8000-${String(this.next).padStart(12, '0')}`;
    const response = await fetch(`${baseUrl}/chat/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: this.cookie },
      body: JSON.stringify({ id, text }),
    });
    return response.status;
  }
}

/**
 * The assistant's replies in the session's log once there are `count` of them (or what there is
 * after 20 s): read again each time the log announces an append, as the chat stream does.
 */
async function answers(log: WebChatLog, session: string, count: number): Promise<string[]> {
  const read = async () =>
    (await log.since(session, 0))
      .filter((entry: ChatEntry) => entry.from === 'assistant')
      .map((entry) => entry.message.text);
  let wake = () => {};
  let expired = false;
  const stop = await log.watch(session, () => wake());
  // Only a guard against a reply that never comes: the test then fails on what was said.
  const guard = setTimeout(() => {
    expired = true;
    wake();
  }, 20_000);
  try {
    for (;;) {
      const appended = new Promise<void>((resolve) => (wake = resolve));
      const replies = await read();
      if (replies.length >= count || expired) return replies;
      await appended;
    }
  } finally {
    clearTimeout(guard);
    await stop();
  }
}

describe.runIf(testRedisUrl)('two instances sharing Redis and PostgreSQL', () => {
  let database: TestDatabaseTarget;
  let a: TestInstance;
  let b: TestInstance;
  const prefix = uniquePrefix('pair').slice(0, -1);

  beforeAll(async () => {
    database = await testDatabase();
    // The first instance migrates the database; the second then finds it up to date.
    a = await startTestInstance({ flows: tally, databaseUrl: database.url, keyPrefix: prefix, redis: true });
    b = await startTestInstance({
      flows: tally,
      databaseUrl: database.url ?? undefined,
      keyPrefix: prefix,
      redis: true,
    });
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await database?.drop();
    await deleteRedisKeys(testRedisUrl!, `${prefix}:`);
    await deleteRedisKeys(testRedisUrl!, `{${prefix}}`);
  });

  it('processes fifty concurrent messages for one patient exactly once each, one step at a time', async () => {
    const patient = new WebPatient(a.frontdoor.url);
    const session = await patient.open();
    const statuses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        patient.say(i % 2 === 0 ? a.frontdoor.url : b.frontdoor.url, `m${i + 1}`),
      ),
    );
    expect(statuses.every((status) => status === 202)).toBe(true);
    const replies = await answers(a.frontdoor.webLog, session, 50);
    expect(replies).toHaveLength(50);
    // Each step saw every step before it: the counts run 1..50 with no gap and no repeat.
    expect(replies.map((reply) => Number(/^#(\d+):/.exec(reply)![1]))).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    expect(new Set(replies.map((reply) => reply.split(': ')[1])).size).toBe(50);
  }, 60_000);

  it('keeps the order in which a patient sent messages, whichever instance received them', async () => {
    const patient = new WebPatient(b.frontdoor.url);
    const session = await patient.open();
    for (let i = 1; i <= 50; i += 1)
      expect(await patient.say(i % 2 === 0 ? a.frontdoor.url : b.frontdoor.url, `s${i}`)).toBe(202);
    const replies = await answers(b.frontdoor.webLog, session, 50);
    expect(replies).toEqual(Array.from({ length: 50 }, (_, i) => `#${i + 1}: s${i + 1}`));
  }, 60_000);

  it('lets another patient proceed while one patient is held, and catches up afterwards', async () => {
    const held = new WebPatient(a.frontdoor.url);
    const heldSession = await held.open();
    const other = new WebPatient(a.frontdoor.url);
    const otherSession = await other.open();
    const log = a.frontdoor.webLog;
    // Another instance is busy with the held patient's conversation.
    await a.frontdoor.kv.set(`inbox-lock:{web:${heldSession}}`, 'someone-else', { ttlMs: 10_000 });
    await held.say(b.frontdoor.url, 'first');
    await other.say(b.frontdoor.url, 'hello');
    expect(await answers(log, otherSession, 1)).toEqual(['#1: hello']);
    expect(await log.since(heldSession, 0)).toHaveLength(1);
    await a.frontdoor.kv.delete(`inbox-lock:{web:${heldSession}}`);
    await held.say(a.frontdoor.url, 'second');
    expect(await answers(log, heldSession, 2)).toEqual(['#1: first', '#2: second']);
  }, 30_000);
});

describe('one embedded instance', () => {
  let instance: TestInstance;
  beforeAll(async () => {
    instance = await startTestInstance({ flows: tally, redis: false });
  });
  afterAll(async () => {
    await instance?.stop();
  });

  it('serialises fifty concurrent messages for one patient without losing any', async () => {
    const patient = new WebPatient(instance.frontdoor.url);
    const session = await patient.open();
    await Promise.all(Array.from({ length: 50 }, (_, i) => patient.say(instance.frontdoor.url, `m${i + 1}`)));
    const replies = await answers(instance.frontdoor.webLog, session, 50);
    expect(replies.map((reply) => Number(/^#(\d+):/.exec(reply)![1]))).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
  }, 60_000);

  it('restarts a conversation saved by an older flow version politely instead of failing', async () => {
    const patient = new WebPatient(instance.frontdoor.url);
    const session = await patient.open();
    const old = {
      version: 1,
      step: 'removed.step',
      locale: 'vi',
      country: 'VN',
      draft: { junk: 'x' },
      recent: [],
      outSeq: 3,
    };
    await instance.frontdoor.kv.set(`conv:{web:${session}}`, JSON.stringify(old));
    expect(await patient.say(instance.frontdoor.url, 'after upgrade')).toBe(202);
    expect(await answers(instance.frontdoor.webLog, session, 1)).toEqual(['#1: after upgrade']);
    const saved = JSON.parse((await instance.frontdoor.kv.get(`conv:{web:${session}}`))!) as {
      version: number;
      locale: string;
    };
    expect(saved).toMatchObject({ version: 7, locale: 'vi' });
  }, 30_000);
});
