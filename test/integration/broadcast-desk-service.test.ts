// The broadcasts service over the real desk and audience finder: what is refused before anything
// is stored, the count the composer shows, and delivery started once per broadcast kept — again
// for the same key only while the broadcast is still sending (a caller recovering from a failed
// start), never for one cancelled or with nobody to reach.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { HOSPITAL_NOTICES, MAX_BROADCAST_TEXT, type BroadcastRequest } from '../../src/domain/broadcasts.ts';
import type { AudienceFinder } from '../../src/domain/broadcasts.ts';
import { addDays, zonedInstant } from '../../src/domain/time-zone.ts';
import {
  BroadcastService,
  InvalidBroadcast,
  MAX_DAYS_AHEAD,
  validateAudience,
  validateBroadcastTexts,
} from '../../src/features/broadcasts/service.ts';
import type { Locale } from '../../src/i18n/locales.ts';
import { FieldCipher } from '../../src/security/field-cipher.ts';
import { openDatabase, type Database } from '../../src/storage/database.ts';
import { PrismaAudienceFinder } from '../../src/storage/prisma-audience.ts';
import { PrismaBroadcastDesk } from '../../src/storage/prisma-broadcasts.ts';
import type { TestDatabaseTarget } from '../support/database.ts';
import { TEST_FIELD_KEY, testDatabase } from '../support/instance.ts';

const ZONE = 'Asia/Ho_Chi_Minh';

describe('the broadcasts service', () => {
  let target: TestDatabaseTarget;
  let database: Database;
  let finder: AudienceFinder;
  let service: BroadcastService;
  const clock = new ManualClock(Date.parse('2026-12-04T02:00:00Z'));
  const started: string[] = [];
  let failStart = false;

  beforeAll(async () => {
    target = await testDatabase();
    database = await openDatabase({ url: target.url, dataDir: undefined });
    finder = new PrismaAudienceFinder({
      prisma: database.prisma,
      // The subscribers and the queue are ours; appointments are asked of the hospital (tested
      // in broadcast-audience.test.ts against the built-in one). This hospital has none.
      hospital: { appointmentsOn: async () => [] },
      cipher: new FieldCipher(TEST_FIELD_KEY),
      timeZone: ZONE,
      clock,
    });
    service = new BroadcastService(
      new PrismaBroadcastDesk(database.prisma, clock),
      finder,
      async (id) => {
        if (failStart) throw new Error('the job queue is down');
        started.push(id);
      },
      { clock, timeZone: ZONE },
    );
    // Five subscribers: three on Telegram (two in Vietnamese), two on LINE.
    const chats: [string, string, Locale][] = [
      ['telegram', '1', 'vi'],
      ['telegram', '2', 'vi'],
      ['telegram', '3', 'en'],
      ['line', 'U4', 'th'],
      ['line', 'U5', 'en'],
    ];
    for (const [channel, channelUserId, locale] of chats)
      await database.prisma.patient.create({
        data: {
          locale,
          identities: { create: { channel, channelUserId } },
          consents: { create: { purpose: HOSPITAL_NOTICES, granted: true, textVersion: 'v1', channel } },
        },
      });
  });
  afterAll(async () => {
    await database?.close();
    await target?.drop();
  });

  const request = (key: string, extra: Partial<BroadcastRequest> = {}): BroadcastRequest => ({
    audience: { kind: 'subscribers' },
    texts: { en: 'The flu clinic opens Saturday.' },
    idempotencyKey: key,
    sender: { kind: 'staff', staffId: '00000000-0000-4000-8000-000000000001', label: 'Lan (operator)' },
    ...extra,
  });

  it('refuses texts and audiences it cannot send, before anything is kept', async () => {
    expect(validateBroadcastTexts({ en: 'Hello', vi: '  ', fr: 'Bonjour' })).toEqual({
      en: 'Hello',
      fr: 'Bonjour',
    });
    // 3,500 emoji are 3,500 characters, though 7,000 UTF-16 units.
    expect(validateBroadcastTexts({ ja: '🙂'.repeat(MAX_BROADCAST_TEXT) }).ja).toHaveLength(
      2 * MAX_BROADCAST_TEXT,
    );
    for (const texts of [
      {},
      { en: ' ' },
      { de: 'Hallo' },
      { en: 'x'.repeat(MAX_BROADCAST_TEXT + 1) },
      { en: 5 },
      'hi',
      null,
    ])
      expect(() => validateBroadcastTexts(texts)).toThrow(InvalidBroadcast);
    expect(
      validateAudience({ kind: 'appointments', date: '2026-12-05', department: 'cardiology' }, '2026-12-04'),
    ).toEqual({
      kind: 'appointments',
      date: '2026-12-05',
      department: 'cardiology',
    });
    for (const audience of [
      { kind: 'appointments', date: '2026-02-30' },
      { kind: 'appointments', date: 'tomorrow' },
      { kind: 'appointments', date: '2026-12-05', doctor: '../Patient/1' },
      { kind: 'queue', department: 'bakery' },
      { kind: 'queue' },
      { kind: 'everyone' },
      [],
    ])
      expect(() => validateAudience(audience, '2026-12-04')).toThrow(InvalidBroadcast);

    await expect(service.send(request('bad-text', { texts: { en: '' } }))).rejects.toThrow(InvalidBroadcast);
    await expect(service.send(request(''))).rejects.toThrow(InvalidBroadcast);
    expect(await database.prisma.broadcast.count()).toBe(0);
    expect(started).toEqual([]);
  });

  it("refuses an appointments day before the hospital's today or more than a year ahead", async () => {
    // 2026-12-04 18:30 UTC is already 2026-12-05 in Ho Chi Minh City: the 4th is over there.
    const evening = new ManualClock(Date.parse('2026-12-04T18:30:00Z'));
    const desk = new PrismaBroadcastDesk(database.prisma, evening);
    const here = new BroadcastService(desk, finder, async () => {}, { clock: evening, timeZone: ZONE });
    const on = (date: string) => ({ kind: 'appointments' as const, date });
    expect(await here.count(on('2026-12-05'))).toMatchObject({ total: 0 });
    expect(await here.count(on('2027-12-06'))).toMatchObject({ total: 0 });
    for (const [date, why] of [
      ['2026-12-04', /2026-12-04 is over: the date must be today \(2026-12-05\) or later/],
      ['0001-01-01', /is over/],
      ['0000-01-01', /is over/],
      ['2027-12-07', /2027-12-07 is too far ahead: the date must be 2027-12-06 at the latest/],
      ['9999-12-31', /too far ahead/],
    ] as const) {
      await expect(here.count(on(date)), date).rejects.toThrow(why);
      await expect(here.count(on(date)), date).rejects.toBeInstanceOf(InvalidBroadcast);
      await expect(here.send({ ...request(`day-${date}`), audience: on(date) }), date).rejects.toBeInstanceOf(
        InvalidBroadcast,
      );
    }
    // The clock moves on: the 5th is over at its end, and the 7th of next December comes in reach.
    evening.advance(24 * 3_600_000);
    await expect(here.count(on('2026-12-05'))).rejects.toThrow(/is over/);
    expect(await here.count(on('2027-12-07'))).toMatchObject({ total: 0 });
    expect(await database.prisma.broadcast.count()).toBe(0);
  });

  it('answers any YYYY-MM-DD with an audience whose day the time zone can place, or InvalidBroadcast', () => {
    const anyDay = fc
      .tuple(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 31 }),
      )
      .map(([y, m, d]) => [y, m, d].map((n, at) => String(n).padStart(at === 0 ? 4 : 2, '0')).join('-'));
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse('2020-01-01'), max: Date.parse('2100-01-01') }),
        // Any day the schema's pattern lets through, or one near today (the bounds' edges).
        fc.oneof(anyDay, fc.integer({ min: -800, max: 800 })),
        (now, asked) => {
          const today = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE }).format(now);
          const date = typeof asked === 'string' ? asked : addDays(today, asked);
          let audience;
          try {
            audience = validateAudience({ kind: 'appointments', date }, today);
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidBroadcast);
            return;
          }
          expect(audience).toEqual({ kind: 'appointments', date });
          expect(date >= today && date <= addDays(today, MAX_DAYS_AHEAD)).toBe(true);
          // What the hospital is asked: the day's start and end, real instants a day apart.
          const [from, to] = [zonedInstant(date, 0, ZONE), zonedInstant(addDays(date, 1), 0, ZONE)];
          expect(to.getTime() - from.getTime()).toBe(86_400_000);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('counts who an audience reaches, by channel and by language', async () => {
    expect(await service.count({ kind: 'subscribers' })).toEqual({
      total: 5,
      channels: { telegram: 3, line: 2 },
      locales: { vi: 2, en: 2, th: 1 },
    });
    expect(await service.count({ kind: 'queue', department: 'general_medicine' })).toEqual({
      total: 0,
      channels: {},
      locales: {},
    });
  });

  it('starts delivery once per broadcast, and again for the same key only while it is sending', async () => {
    const sent = await service.send(request('flu-clinic'));
    expect(sent).toMatchObject({ recipients: 5, created: true });
    expect(started).toEqual([sent.id]);
    expect(await service.report(sent.id)).toMatchObject({
      status: 'sending',
      total: 5,
      sentBy: 'Lan (operator)',
    });

    // The caller did not hear back and posts again: the same broadcast, its delivery nudged,
    // and the audience not looked up again.
    let lookups = 0;
    const counting = new BroadcastService(
      new PrismaBroadcastDesk(database.prisma, clock),
      { recipients: (audience) => ((lookups += 1), finder.recipients(audience)) },
      async (id) => void started.push(id),
      { clock, timeZone: ZONE },
    );
    expect(await counting.send(request('flu-clinic'))).toEqual({ ...sent, created: false });
    expect(lookups).toBe(0);
    expect(started).toEqual([sent.id, sent.id]);
    expect(await database.prisma.broadcast.count()).toBe(1);

    expect(await service.cancel(sent.id)).toMatchObject({ status: 'cancelled', cancelled: 5 });
    expect(await service.send(request('flu-clinic'))).toMatchObject({ id: sent.id, created: false });
    expect(started).toHaveLength(2);

    // Nobody in the queue: kept as done, nothing to deliver.
    const empty = await service.send(
      request('empty-queue', { audience: { kind: 'queue', department: 'urology' } }),
    );
    expect(empty).toMatchObject({ recipients: 0, created: true });
    expect(await service.report(empty.id)).toMatchObject({ status: 'done', total: 0 });
    expect(started).toHaveLength(2);
    expect((await service.list(10)).map((report) => report.id)).toEqual(
      expect.arrayContaining([sent.id, empty.id]),
    );
  });

  it('keeps the broadcast when its delivery could not be started, and starts it when the caller retries', async () => {
    failStart = true;
    await expect(service.send(request('closure'))).rejects.toThrow('the job queue is down');
    failStart = false;
    const kept = await database.prisma.broadcast.findUniqueOrThrow({ where: { idempotencyKey: 'closure' } });
    const retried = await service.send(request('closure'));
    expect(retried).toEqual({ id: kept.id, recipients: 5, created: false });
    expect(started.at(-1)).toBe(kept.id);
  });
});
