// The hospital API's broadcasts as a hospital system uses them over HTTP: 401 without a live key,
// 403 without the broadcasts scope, 400 for every malformed body (and nothing kept), 202 and the
// report, the same idempotency key three times at once making one broadcast, cancel, 404s, the
// rate limit per key and per address (429 in the error shape, with Retry-After, a minute on the
// injected clock), an audit row naming the key for every call, and the key kept only as a hash.
// Delivery may or may not have run when the report is read: the checks are on what was accepted,
// the counts adding up, and the states.
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { HOSPITAL_NOTICES, MAX_BROADCAST_TEXT } from '../../src/domain/broadcasts.ts';
import { DEPARTMENTS } from '../../src/domain/triage.ts';
import { ApiKeys, hashApiKey } from '../../src/security/api-keys.ts';
import { deleteRedisKeys, testRedisUrl, uniquePrefix } from '../support/backends.ts';
import type { TestDatabaseTarget } from '../support/database.ts';
import { startTestInstance, testDatabase, type TestInstance } from '../support/instance.ts';

/** Low enough to reach in a test; API_RATE_LIMIT. */
const LIMIT = 30;
const MINUTE = 60_000;

const SUBSCRIBERS = [
  { channelUserId: 'notices-en', locale: 'en' },
  { channelUserId: 'notices-vi', locale: 'vi' },
  { channelUserId: 'notices-fr', locale: 'fr' },
];

const notice = (
  idempotencyKey: string,
  text: Record<string, string> = { en: 'Cardiology closes at 15:00.' },
) => ({
  audience: { kind: 'subscribers' },
  text,
  idempotencyKey,
});

interface Report {
  id: string;
  status: string;
  total: number;
  sent: number;
  failed: number;
  blocked: number;
  pending: number;
  cancelled: number;
  channels: Record<string, Record<string, number>>;
  createdAt: string;
  finishedAt: string | null;
}

describe('the hospital API for broadcasts', () => {
  let instance: TestInstance;
  let clock: ManualClock;
  let url: string;
  let noticesKey: string;
  let kioskKey: string;
  let revokedKey: string;

  const call = (
    method: string,
    path: string,
    options: { key?: string | null; body?: unknown; raw?: string } = {},
  ) =>
    fetch(`${url}${path}`, {
      method,
      headers: {
        ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
        ...(options.body !== undefined || options.raw !== undefined
          ? { 'content-type': 'application/json' }
          : {}),
      },
      body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    });
  const post = (body: unknown, key: string | null = noticesKey) =>
    call('POST', '/api/v1/broadcasts', { key, body });
  const broadcasts = () => instance.frontdoor.database.prisma.broadcast.count();
  const audit = (where: object = {}) =>
    instance.frontdoor.database.prisma.auditEntry.findMany({ where, orderBy: { id: 'asc' } });

  beforeAll(async () => {
    clock = new ManualClock(Date.parse('2026-12-07T02:00:00Z'));
    // The in-process store counts the rate limit's minute on the clock.
    instance = await startTestInstance({ clock, redis: false, env: { API_RATE_LIMIT: String(LIMIT) } });
    url = instance.frontdoor.url;
    const { prisma } = instance.frontdoor.database;
    for (const subscriber of SUBSCRIBERS)
      await prisma.patient.create({
        data: {
          locale: subscriber.locale,
          identities: { create: { channel: 'web', channelUserId: subscriber.channelUserId } },
          consents: {
            create: { purpose: HOSPITAL_NOTICES, textVersion: 'v1', granted: true, channel: 'web' },
          },
        },
      });
    // Said "stop": not a subscriber.
    await prisma.patient.create({
      data: {
        identities: { create: { channel: 'web', channelUserId: 'notices-stopped' } },
        consents: {
          create: { purpose: HOSPITAL_NOTICES, textVersion: 'v1', granted: false, channel: 'web' },
        },
      },
    });
    const keys = new ApiKeys(prisma, clock);
    noticesKey = (await keys.add('his-notices', ['broadcasts']))!;
    kioskKey = (await keys.add('kiosk', ['queues']))!;
    revokedKey = (await keys.add('old-his', ['broadcasts']))!;
    await keys.revoke('old-his');
  });
  afterAll(async () => {
    await instance?.stop();
  });
  // Each test starts with a fresh minute of every allowance.
  beforeEach(() => clock.advance(MINUTE));

  it('refuses a missing or wrong key with 401 and a key without the scope with 403, audited', async () => {
    const before = (await audit()).length;
    for (const key of [null, 'fdk_not-a-key', revokedKey, `${noticesKey}x`]) {
      const refused = await post(notice('refused-1'), key);
      expect(refused.status, String(key)).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="api"');
      expect(await refused.json()).toEqual({ error: 'unauthorized', message: expect.any(String) as string });
    }
    const basic = await fetch(`${url}/api/v1/broadcasts/00000000-0000-4000-8000-000000000000`, {
      headers: { authorization: `Basic ${Buffer.from(`x:${noticesKey}`).toString('base64')}` },
    });
    expect(basic.status).toBe(401);
    const forbidden = await post(notice('refused-2'), kioskKey);
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toEqual({
      error: 'forbidden',
      message: 'this API key has no broadcasts scope',
    });
    expect(await broadcasts()).toBe(0);

    const rows = (await audit()).slice(before);
    expect(rows).toHaveLength(6);
    expect(rows.map((row) => row.actorLabel)).toEqual([
      ...Array<string>(5).fill('api-key:none'),
      'api-key:kiosk',
    ]);
    for (const row of rows) expect(row).toMatchObject({ action: 'api.refused', subjectType: 'api' });
    expect(rows[0]!.detail).toMatchObject({
      method: 'POST',
      route: '/api/v1/broadcasts',
      status: 401,
      error: 'unauthorized',
    });
    expect(rows[5]!.detail).toMatchObject({ status: 403, error: 'forbidden' });

    // A path the API does not have: 401 without a key (nothing told), 404 with one; both audited.
    const probe = await call('GET', '/api/v1/patients?all=1');
    expect(probe.status).toBe(401);
    const unknown = await call('GET', '/api/v1/patients?all=1', { key: kioskKey });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: 'not_found' });
    expect(
      (await audit()).slice(before + 6).map((row) => [row.actorLabel, row.subjectId, row.detail]),
    ).toEqual([
      [
        'api-key:none',
        'GET /api/v1/patients',
        expect.objectContaining({ status: 401, route: '/api/v1/patients' }),
      ],
      ['api-key:kiosk', 'GET /api/v1/patients', expect.objectContaining({ status: 404, error: 'not_found' })],
    ]);
  });

  it('answers 400 for every malformed body and keeps nothing', async () => {
    const good = notice('malformed');
    const bodies: [string, unknown][] = [
      ['empty', {}],
      ['no audience', { text: good.text, idempotencyKey: 'k' }],
      ['no text', { audience: good.audience, idempotencyKey: 'k' }],
      ['no key', { audience: good.audience, text: good.text }],
      ['unknown field', { ...good, priority: 'high' }],
      ['unknown audience', { ...good, audience: { kind: 'everyone' } }],
      ['subscribers with a field', { ...good, audience: { kind: 'subscribers', department: 'cardiology' } }],
      ['appointments without a date', { ...good, audience: { kind: 'appointments' } }],
      ['a date not YYYY-MM-DD', { ...good, audience: { kind: 'appointments', date: '07/12/2026' } }],
      ['no such day', { ...good, audience: { kind: 'appointments', date: '2026-02-30' } }],
      ['unknown department', { ...good, audience: { kind: 'queue', department: 'astrology' } }],
      ['queue without a department', { ...good, audience: { kind: 'queue' } }],
      [
        'a doctor that is no id',
        { ...good, audience: { kind: 'appointments', date: '2026-12-07', doctor: 'Dr <b>' } },
      ],
      ['no text at all', { ...good, text: {} }],
      ['a language we do not have', { ...good, text: { de: 'Hallo' } }],
      ['an empty text', { ...good, text: { en: '' } }],
      ['a blank text', { ...good, text: { en: '   ' } }],
      ['a text too long', { ...good, text: { en: 'x'.repeat(MAX_BROADCAST_TEXT + 1) } }],
      ['a text not a string', { ...good, text: { en: 5 } }],
      ['text as a string', { ...good, text: 'hello' }],
      ['an empty key', { ...good, idempotencyKey: '' }],
      ['a key with a space', { ...good, idempotencyKey: 'a b' }],
      ['a key too long', { ...good, idempotencyKey: 'k'.repeat(201) }],
      ['a key not a string', { ...good, idempotencyKey: 7 }],
      ['an array', [good]],
    ];
    for (const [what, body] of bodies) {
      const refused = await post(body);
      expect(refused.status, what).toBe(400);
      expect(await refused.json(), what).toMatchObject({
        error: 'bad_request',
        message: expect.any(String) as string,
      });
      // A minute for every key's allowance (LIMIT is below the number of bodies).
      clock.advance(MINUTE / 10);
    }
    const malformed = await call('POST', '/api/v1/broadcasts', { key: noticesKey, raw: '{"audience":' });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: 'malformed_json' });
    const asText = await fetch(`${url}/api/v1/broadcasts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${noticesKey}`, 'content-type': 'text/plain' },
      body: JSON.stringify(good),
    });
    expect(asText.status).toBe(415);
    expect(await broadcasts()).toBe(0);
  });

  it("says what is wrong for the audience's kind, not every other kind's fields", async () => {
    const audiences: [unknown, string][] = [
      [{ kind: 'appointments' }, "body/audience must have required property 'date'"],
      [{ kind: 'appointments', date: '2026-02-30' }, 'body/audience/date must match format "date"'],
      [
        { kind: 'queue', department: 'astrology' },
        `body/audience/department must be equal to one of the allowed values: ${DEPARTMENTS.join(', ')}`,
      ],
      [
        { kind: 'subscribers', department: 'cardiology' },
        'body/audience must NOT have additional properties ("department")',
      ],
      [
        { kind: 'everyone' },
        'body/audience/kind must be equal to one of the allowed values: appointments, queue, subscribers',
      ],
      [{ date: '2026-12-08' }, "body/audience must have required property 'kind'"],
      ['subscribers', 'body/audience must be object'],
    ];
    for (const [audience, message] of audiences) {
      const refused = await post({ ...notice('kinds'), audience });
      expect(await refused.json(), JSON.stringify(audience)).toEqual({ error: 'bad_request', message });
      expect(refused.status).toBe(400);
    }
    expect(await broadcasts()).toBe(0);
  });

  it("refuses an appointments day before the hospital's today or more than a year ahead, keeping nothing", async () => {
    const before = await broadcasts();
    // 2026-12-07 09:00 in Ho Chi Minh City (the instance's zone) on the injected clock.
    const day = (date: string) =>
      post({ ...notice(`day-${date}`), audience: { kind: 'appointments', date } });
    for (const [date, message] of [
      ['2026-12-06', '2026-12-06 is over: the date must be today (2026-12-07) or later'],
      ['0001-01-01', '0001-01-01 is over: the date must be today (2026-12-07) or later'],
      ['2027-12-09', '2027-12-09 is too far ahead: the date must be 2027-12-08 at the latest'],
      // Once a RangeError (a 500) finding where that day ends.
      ['9999-12-31', '9999-12-31 is too far ahead: the date must be 2027-12-08 at the latest'],
    ]) {
      const refused = await day(date!);
      expect(refused.status, date).toBe(400);
      expect(await refused.json(), date).toEqual({ error: 'bad_request', message });
    }
    expect(await broadcasts()).toBe(before);
    // The hospital's day turns at its midnight (17:00 UTC): the 7th is over then.
    clock.advance(Date.parse('2026-12-07T17:00:00Z') - clock.now());
    const over = await day('2026-12-07');
    expect([over.status, ((await over.json()) as { message: string }).message]).toEqual([
      400,
      '2026-12-07 is over: the date must be today (2026-12-08) or later',
    ]);
    expect(await broadcasts()).toBe(before);
  });

  it('answers generated bodies with a JSON 4xx, never a 5xx, and keeps only those that fit', async () => {
    const weird = fc.oneof(
      fc.jsonValue(),
      fc.string({ unit: 'binary' }),
      fc.constantFrom(
        '',
        ' ',
        '\u0000',
        '2026-02-30',
        '0001-01-01',
        '9999-12-31',
        'subscribers',
        'cardiology',
        'x'.repeat(MAX_BROADCAST_TEXT + 1),
      ),
    );
    const body = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          audience: fc.oneof(
            weird,
            fc.record(
              {
                kind: fc.oneof(weird, fc.constantFrom('appointments', 'queue', 'subscribers')),
                date: weird,
                department: weird,
                doctor: weird,
              },
              { requiredKeys: ['kind'] },
            ),
          ),
          text: fc.oneof(
            weird,
            fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('en', 'vi', 'zh-CN', 'de')), weird),
          ),
          idempotencyKey: weird,
          extra: weird,
        },
        { requiredKeys: [] },
      ),
    );
    const fuzzer = (await new ApiKeys(instance.frontdoor.database.prisma, clock).add('fuzzer', [
      'broadcasts',
    ]))!;
    const before = await broadcasts();
    let made = 0;
    await fc.assert(
      fc.asyncProperty(body, async (generated) => {
        clock.advance(MINUTE / LIMIT);
        const answer = await post(generated, fuzzer);
        const json = (await answer.json()) as { error?: string };
        // Now and then a generated body is a fine notice (kind subscribers, a text in "en"…).
        if (answer.status === 202) made++;
        if ([200, 202].includes(answer.status)) return;
        expect([400, 409]).toContain(answer.status);
        expect(json.error).toMatch(/^(bad_request|malformed_json|conflict)$/);
      }),
      { numRuns: 300 },
    );
    expect(await broadcasts()).toBe(before + made);
  });

  it('accepts a notice with 202, reports it, and answers the same key with the same broadcast', async () => {
    const before = await broadcasts();
    const sent = await post(
      notice('flu-clinic-1', { en: 'The flu clinic opens Saturday.', vi: 'Phòng khám cúm mở cửa thứ Bảy.' }),
    );
    expect(sent.status).toBe(202);
    const { id, recipients } = (await sent.json()) as { id: string; recipients: number };
    expect(recipients).toBe(SUBSCRIBERS.length);

    const read = await call('GET', `/api/v1/broadcasts/${id}`, { key: noticesKey });
    expect(read.status).toBe(200);
    const report = (await read.json()) as Report;
    expect(report).toMatchObject({
      id,
      total: SUBSCRIBERS.length,
      createdAt: new Date(clock.now()).toISOString(),
    });
    expect(['sending', 'done']).toContain(report.status);
    expect(report.sent + report.failed + report.blocked + report.pending + report.cancelled).toBe(
      report.total,
    );
    expect(report.channels.web).toMatchObject({ total: SUBSCRIBERS.length });
    expect(report.finishedAt === null).toBe(report.status === 'sending');
    expect(Object.keys(report).sort()).toEqual(
      [
        'id',
        'status',
        'total',
        'sent',
        'failed',
        'blocked',
        'pending',
        'cancelled',
        'channels',
        'createdAt',
        'finishedAt',
      ].sort(),
    );

    const again = await post(
      notice('flu-clinic-1', { vi: 'Phòng khám cúm mở cửa thứ Bảy.', en: 'The flu clinic opens Saturday.' }),
    );
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ id, recipients });
    const other = await post(notice('flu-clinic-1', { en: 'Something else.' }));
    expect(other.status).toBe(409);
    expect(await other.json()).toMatchObject({ error: 'conflict' });
    expect(await broadcasts()).toBe(before + 1);

    expect(
      (await call('GET', '/api/v1/broadcasts/00000000-0000-4000-8000-000000000000', { key: noticesKey }))
        .status,
    ).toBe(404);
    expect((await call('GET', '/api/v1/broadcasts/not-an-id', { key: noticesKey })).status).toBe(400);
    expect(
      (
        await call('POST', '/api/v1/broadcasts/00000000-0000-4000-8000-000000000000/cancel', {
          key: noticesKey,
        })
      ).status,
    ).toBe(404);

    // An audience that reaches nobody today is accepted, with nobody to tell.
    const nobody = await post({
      audience: { kind: 'queue', department: 'cardiology' },
      text: { en: 'Delays.' },
      idempotencyKey: 'queue-1',
    });
    expect(nobody.status).toBe(202);
    expect(await nobody.json()).toMatchObject({ recipients: 0 });
  });

  it('makes one broadcast of the same idempotency key posted three times at once', async () => {
    const before = await broadcasts();
    const answers = await Promise.all(
      [1, 2, 3].map(() => post(notice('at-once-1', { fr: 'La cardiologie ferme à 15 h.' }))),
    );
    const bodies = (await Promise.all(answers.map((answer) => answer.json()))) as { id: string }[];
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 200, 202]);
    expect(new Set(bodies.map((body) => body.id)).size).toBe(1);
    expect(await broadcasts()).toBe(before + 1);
    const recipients = await instance.frontdoor.database.prisma.broadcastRecipient.count({
      where: { broadcastId: bodies[0]!.id },
    });
    expect(recipients).toBe(SUBSCRIBERS.length);
  });

  it('cancels what was not sent and answers the report', async () => {
    const { id } = (await (await post(notice('to-cancel-1'))).json()) as { id: string };
    const cancelled = await call('POST', `/api/v1/broadcasts/${id}/cancel`, { key: noticesKey });
    expect(cancelled.status).toBe(200);
    const report = (await cancelled.json()) as Report;
    expect(report).toMatchObject({ id, total: SUBSCRIBERS.length });
    expect(report.sent + report.failed + report.blocked + report.pending + report.cancelled).toBe(
      report.total,
    );
    // Cancelled while something was still to send; done when delivery had already told everyone.
    expect(['cancelled', 'done']).toContain(report.status);
    if (report.cancelled > 0) expect(report.status).toBe('cancelled');
    expect(report.finishedAt).not.toBeNull();

    // A call that was in flight when the cancel came ends as its platform answered; nothing
    // else moves, and cancelling again changes nothing.
    await instance.frontdoor.idle();
    const settled = (await (
      await call('GET', `/api/v1/broadcasts/${id}`, { key: noticesKey })
    ).json()) as Report;
    expect(settled).toMatchObject({ status: report.status, pending: 0, cancelled: report.cancelled });
    expect(settled.sent + settled.failed + settled.blocked + settled.cancelled).toBe(settled.total);
    const again = await call('POST', `/api/v1/broadcasts/${id}/cancel`, { key: noticesKey });
    expect(await again.json()).toEqual(settled);
  });

  it('names the key in the audit row of every call, and keeps the key only as its hash', async () => {
    const rows = await audit({ actorLabel: 'api-key:his-notices' });
    const sends = rows.filter((row) => row.action === 'broadcast.send');
    // flu-clinic-1 twice, queue-1, at-once-1 three times, to-cancel-1.
    expect(sends).toHaveLength(7);
    expect(sends[0]).toMatchObject({ subjectType: 'broadcast', actorId: null });
    expect(sends[0]!.detail).toMatchObject({
      status: 202,
      recipients: SUBSCRIBERS.length,
      created: true,
      idempotencyKey: 'flu-clinic-1',
    });
    expect(sends[1]!.detail).toMatchObject({ status: 200, created: false });
    expect(sends[1]!.subjectId).toBe(sends[0]!.subjectId);
    expect(rows.filter((row) => row.action === 'broadcast.read').length).toBeGreaterThanOrEqual(2);
    expect(rows.filter((row) => row.action === 'broadcast.cancel')).toHaveLength(2);
    // The refusals of the 400 test and the 409, 404s under the key's name.
    const refused = rows
      .filter((row) => row.action === 'api.refused')
      .map((row) => (row.detail as { status: number }).status);
    expect(refused.filter((status) => status === 400).length).toBeGreaterThanOrEqual(26);
    expect(refused).toEqual(expect.arrayContaining([409, 404, 415]));
    for (const row of await audit())
      expect(JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(
        noticesKey,
      );

    const stored = await instance.frontdoor.database.prisma.apiKey.findUniqueOrThrow({
      where: { name: 'his-notices' },
    });
    expect(stored.keyHash).toBe(hashApiKey(noticesKey));
    expect(stored.keyHash).not.toContain(noticesKey.slice(4, 20));
    expect(JSON.stringify(stored)).not.toContain(noticesKey);
  });

  it('limits each key, and each address without a key, to API_RATE_LIMIT calls a minute', async () => {
    const { id } = (await (await post(notice('rate-1'))).json()) as { id: string };
    const auditedBefore = (await audit()).length;
    for (let n = 2; n <= LIMIT; n++) {
      const read = await call('GET', `/api/v1/broadcasts/${id}`, { key: noticesKey });
      expect(read.status, `call ${n}`).toBe(200);
      expect(read.headers.get('x-ratelimit-remaining')).toBe(String(LIMIT - n));
    }
    clock.advance(20_000);
    const over = await call('GET', `/api/v1/broadcasts/${id}`, { key: noticesKey });
    expect(over.status).toBe(429);
    expect(await over.json()).toEqual({
      error: 'rate_limited',
      message: expect.stringContaining(`${LIMIT} requests a minute`) as string,
    });
    const retryAfter = Number(over.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(40);
    // A refused call does nothing: no broadcast, no audit row.
    expect((await post(notice('rate-2'))).status).toBe(429);
    expect(
      await instance.frontdoor.database.prisma.broadcast.count({ where: { idempotencyKey: 'rate-2' } }),
    ).toBe(0);
    expect((await audit()).length).toBe(auditedBefore + LIMIT - 1);

    // Another key has its own allowance; calls without a live key share their address's.
    expect((await call('GET', '/api/v1/queues/cardiology', { key: kioskKey })).status).toBe(200);
    for (let n = 1; n <= LIMIT; n++) expect((await post(notice('guess'), `fdk_guess-${n}`)).status).toBe(401);
    const guessing = await post(notice('guess'), 'fdk_guess-again');
    expect(guessing.status).toBe(429);
    expect(await guessing.json()).toMatchObject({ error: 'rate_limited' });

    // A minute later, every allowance is whole again.
    clock.advance(MINUTE);
    expect((await call('GET', `/api/v1/broadcasts/${id}`, { key: noticesKey })).status).toBe(200);
    expect((await post(notice('guess'), 'fdk_guess-later')).status).toBe(401);
  });
});

describe.runIf(testRedisUrl)('the hospital API rate limit across instances sharing Redis', () => {
  const SHARED_LIMIT = 5;
  let database: TestDatabaseTarget;
  let a: TestInstance;
  let b: TestInstance;
  let key: string;
  const prefix = uniquePrefix('api-rate').slice(0, -1);

  beforeAll(async () => {
    database = await testDatabase();
    const options = {
      databaseUrl: database.url ?? undefined,
      keyPrefix: prefix,
      redis: true,
      env: { API_RATE_LIMIT: String(SHARED_LIMIT) },
    };
    a = await startTestInstance(options);
    b = await startTestInstance(options);
    key = (await new ApiKeys(a.frontdoor.database.prisma).add('his-notices', ['broadcasts']))!;
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await database?.drop();
    await deleteRedisKeys(testRedisUrl!, `${prefix}:`);
  });

  it("counts a key's calls to either instance against one allowance", async () => {
    const read = (instance: TestInstance) =>
      fetch(`${instance.frontdoor.url}/api/v1/broadcasts/00000000-0000-4000-8000-000000000000`, {
        headers: { authorization: `Bearer ${key}` },
      });
    const statuses: number[] = [];
    for (let n = 0; n < SHARED_LIMIT; n++) statuses.push((await read(n % 2 === 0 ? a : b)).status);
    expect(statuses).toEqual(Array<number>(SHARED_LIMIT).fill(404));
    for (const instance of [a, b]) {
      const over = await read(instance);
      expect(over.status).toBe(429);
      expect(await over.json()).toMatchObject({ error: 'rate_limited' });
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  });
});
