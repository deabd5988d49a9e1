// The broadcasts desk on the real database: a broadcast and its recipients kept in one
// transaction, once per idempotency key even when the key arrives three times at once; the
// recipient outbox's moves (claim, sending, settle, release, take-over by a later run, cancel,
// finish) and the reports counted by channel.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import type { BroadcastRequest, Recipient } from '../../src/domain/broadcasts.ts';
import type { Locale } from '../../src/i18n/locales.ts';
import { openDatabase, type Database } from '../../src/storage/database.ts';
import { PrismaBroadcastDesk } from '../../src/storage/prisma-broadcasts.ts';
import type { TestDatabaseTarget } from '../support/database.ts';
import { testDatabase } from '../support/instance.ts';

describe('the broadcasts desk', () => {
  let target: TestDatabaseTarget;
  let database: Database;
  let desk: PrismaBroadcastDesk;
  const clock = new ManualClock(Date.parse('2026-12-04T02:00:00Z'));

  beforeAll(async () => {
    target = await testDatabase();
    database = await openDatabase({ url: target.url, dataDir: undefined });
    desk = new PrismaBroadcastDesk(database.prisma, clock);
  });
  afterAll(async () => {
    await database?.close();
    await target?.drop();
  });

  /** `count` new patients, one row each (the outbox refers to them). */
  const patients = async (count: number): Promise<string[]> => {
    const ids = Array.from({ length: count }, () => randomUUID());
    await database.pool.query(`INSERT INTO "Patient" ("id", "updatedAt") SELECT unnest($1::uuid[]), now()`, [
      ids,
    ]);
    return ids;
  };

  const request = (key = randomUUID()): BroadcastRequest => ({
    audience: { kind: 'subscribers' },
    texts: { en: 'The flu clinic opens Saturday.', vi: 'Phòng khám cúm mở cửa thứ Bảy.' },
    idempotencyKey: key,
    sender: { kind: 'api-key', name: 'his' },
  });

  const on =
    (channel: string, locale: Locale = 'en') =>
    (patientId: string, n: number): Recipient => ({
      patientId,
      channel,
      channelUserId: `${channel}-${patientId.slice(0, 8)}-${n}`,
      locale,
    });

  const states = async (broadcastId: string) =>
    Object.fromEntries(
      (
        await database.prisma.broadcastRecipient.groupBy({
          by: ['state'],
          where: { broadcastId },
          _count: { _all: true },
        })
      ).map((row) => [row.state, row._count._all]),
    );

  it('keeps one broadcast per idempotency key, even when the key is posted three times at once', async () => {
    const ids = await patients(300);
    const recipients = ids.map(on('telegram'));
    const same = request();
    const results = await Promise.all([1, 2, 3].map(() => desk.create(same, recipients)));
    expect(new Set(results.map((result) => result.id)).size).toBe(1);
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(results.map((result) => result.recipients)).toEqual([300, 300, 300]);
    expect(await database.prisma.broadcast.count({ where: { idempotencyKey: same.idempotencyKey } })).toBe(1);
    expect(await database.prisma.broadcastRecipient.count({ where: { broadcastId: results[0]!.id } })).toBe(
      300,
    );

    // Later, with other recipients even: the first broadcast, unchanged.
    const again = await desk.create(same, recipients.slice(0, 5));
    expect(again).toEqual({ id: results[0]!.id, recipients: 300, created: false });

    // A patient listed twice is one recipient; nobody at all makes a broadcast that is done.
    const [twice] = await patients(1);
    const doubled = await desk.create(request(), [on('line')(twice!, 1), on('telegram')(twice!, 2)]);
    expect(doubled).toMatchObject({ recipients: 1, created: true });
    const empty = await desk.create(request(), []);
    expect(await desk.report(empty.id)).toMatchObject({ status: 'done', total: 0 });
  });

  it('keeps 10,000 recipients in one transaction: all of them, or none when one cannot be kept', async () => {
    const ids = await patients(10_000);
    const kept = await desk.create(
      request(),
      ids.map((id, n) => (n % 3 === 0 ? on('line', 'vi')(id, n) : on('telegram')(id, n))),
    );
    expect(kept).toMatchObject({ recipients: 10_000, created: true });
    const report = await desk.report(kept.id);
    expect(report).toMatchObject({
      total: 10_000,
      pending: 10_000,
      status: 'sending',
      sentBy: 'api-key:his',
    });
    expect(report!.channels.line!.total + report!.channels.telegram!.total).toBe(10_000);

    // The last recipient names no patient: the foreign key refuses it in the last chunk, and
    // the broadcast and the 9,999 written before it are gone with the transaction.
    const broken = request();
    const rows = ids.map(on('telegram'));
    rows[9_999] = { ...rows[9_999]!, patientId: randomUUID() };
    await expect(desk.create(broken, rows)).rejects.toThrow();
    expect(await database.prisma.broadcast.count({ where: { idempotencyKey: broken.idempotencyKey } })).toBe(
      0,
    );
    expect(
      await database.prisma.broadcastRecipient.count({
        where: { patientId: { in: ids }, broadcastId: { not: kept.id } },
      }),
    ).toBe(0);
  });

  it('claims one language at a time, most pending first, and never the same recipient for two runs', async () => {
    const ids = await patients(50);
    const kept = await desk.create(
      request(),
      ids.map((id, n) => on('line', n < 30 ? 'vi' : n < 45 ? 'en' : 'th')(id, n)),
    );
    const first = await desk.claim(kept.id, 'line', 'run-a', 20);
    expect(first).toHaveLength(20);
    expect(new Set(first.map((recipient) => recipient.locale))).toEqual(new Set(['vi']));
    // The rest of Vietnamese: fewer than asked, not topped up with another language.
    const rest = await desk.claim(kept.id, 'line', 'run-a', 20);
    expect(rest.map((recipient) => recipient.locale)).toEqual(Array(10).fill('vi'));
    const [english, thai, none] = [
      await desk.claim(kept.id, 'line', 'run-a', 100),
      await desk.claim(kept.id, 'line', 'run-a', 100),
      await desk.claim(kept.id, 'line', 'run-a', 100),
    ];
    expect(english.map((recipient) => recipient.locale)).toEqual(Array(15).fill('en'));
    expect(thai.map((recipient) => recipient.locale)).toEqual(Array(5).fill('th'));
    expect(none).toEqual([]);
    expect(await desk.claim(kept.id, 'telegram', 'run-a', 10)).toEqual([]);

    // Two runs claiming at once (the desk of two processes) never share a recipient.
    const other = await desk.create(request(), ids.map(on('telegram')));
    const desks = [desk, new PrismaBroadcastDesk(database.prisma, clock)];
    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, n) => desks[n % 2]!.claim(other.id, 'telegram', `run-${n % 2}`, 7)),
    );
    const claimed = claims.flat().map((recipient) => recipient.id);
    expect(claimed).toHaveLength(50);
    expect(new Set(claimed).size).toBe(50);
  });

  it('sends only what the run holds, writes a final state once, and gives back what a platform refused for now', async () => {
    const ids = await patients(10);
    const kept = await desk.create(request(), ids.map(on('telegram')));
    const batch = await desk.claim(kept.id, 'telegram', 'run-1', 6);
    const batchIds = batch.map((recipient) => recipient.id);
    expect(await desk.sending('run-2', 'call-1', batchIds)).toBe(false);
    // One of them not claimed: none is marked (the call is for all of them or none).
    const pendingOne = (await database.prisma.broadcastRecipient.findFirst({
      where: { broadcastId: kept.id, state: 'pending' },
    }))!.id;
    expect(await desk.sending('run-1', 'call-1', [...batchIds, pendingOne])).toBe(false);
    expect(await states(kept.id)).toEqual({ claimed: 6, pending: 4 });
    expect(await desk.sending('run-1', 'call-1', batchIds)).toBe(true);
    expect(await desk.sending('run-1', 'call-2', batchIds)).toBe(false);

    await desk.settle([
      { id: batchIds[0]!, result: 'sent' },
      { id: batchIds[1]!, result: 'blocked', reason: 'blocked by the user' },
      { id: batchIds[2]!, result: 'failed', reason: 'chat not found' },
      // Not claimed: not settled.
      { id: pendingOne, result: 'sent' },
    ]);
    // Once final, a recipient stays as it was first settled.
    await desk.settle([{ id: batchIds[1]!, result: 'sent' }]);
    const blocked = await database.prisma.broadcastRecipient.findUniqueOrThrow({
      where: { id: batchIds[1]! },
    });
    expect(blocked).toMatchObject({ state: 'blocked', reason: 'blocked by the user', callKey: 'call-1' });
    expect(blocked.settledAt?.getTime()).toBe(clock.now());

    // A 429: the rest of the call goes back to pending, and only for the run that held it.
    await desk.release('run-2', batchIds.slice(3));
    expect(await states(kept.id)).toMatchObject({ sending: 3 });
    await desk.release('run-1', batchIds.slice(3));
    expect(await states(kept.id)).toEqual({ sent: 1, blocked: 1, failed: 1, pending: 7 });
    const report = await desk.report(kept.id);
    expect(report).toMatchObject({ total: 10, sent: 1, blocked: 1, failed: 1, pending: 7, cancelled: 0 });
    expect(report!.channels).toEqual({
      telegram: { total: 10, sent: 1, blocked: 1, failed: 1, pending: 7, cancelled: 0 },
    });
  });

  it('lets a later run take over what a dead run left: claimed back to pending, sending returned by call', async () => {
    const ids = await patients(12);
    const kept = await desk.create(request(), ids.map(on('line')));
    const first = await desk.claim(kept.id, 'line', 'dead', 4);
    const second = await desk.claim(kept.id, 'line', 'dead', 4);
    const waiting = await desk.claim(kept.id, 'line', 'dead', 2);
    expect(
      await desk.sending(
        'dead',
        'key-1',
        first.map((r) => r.id),
      ),
    ).toBe(true);
    expect(
      await desk.sending(
        'dead',
        'key-2',
        second.map((r) => r.id),
      ),
    ).toBe(true);

    const interrupted = await desk.takeOver(kept.id, 'line', 'next');
    expect(interrupted.map((call) => call.key).sort()).toEqual(['key-1', 'key-2']);
    const byKey = new Map(interrupted.map((call) => [call.key, call.recipients.map((r) => r.id).sort()]));
    expect(byKey.get('key-1')).toEqual(first.map((r) => r.id).sort());
    expect(byKey.get('key-2')).toEqual(second.map((r) => r.id).sort());
    expect(await states(kept.id)).toEqual({ sending: 8, pending: 4 });

    // The dead run, were it still going, can do nothing with what it had.
    expect(
      await desk.sending(
        'dead',
        'key-3',
        waiting.map((r) => r.id),
      ),
    ).toBe(false);
    await desk.release(
      'dead',
      first.map((r) => r.id),
    );
    expect(await states(kept.id)).toEqual({ sending: 8, pending: 4 });

    // The new run settles the interrupted calls (LINE resent them with their keys) and the rest.
    await desk.settle(
      interrupted.flatMap((call) => call.recipients.map((r) => ({ id: r.id, result: 'sent' as const }))),
    );
    expect(await desk.finishIfDone(kept.id)).toBe(false);
    expect(await desk.unfinished()).toContainEqual({ id: kept.id, channels: ['line'] });
    const rest = await desk.claim(kept.id, 'line', 'next', 10);
    expect(rest).toHaveLength(4);
    expect(
      await desk.sending(
        'next',
        'key-4',
        rest.map((r) => r.id),
      ),
    ).toBe(true);
    await desk.settle(rest.map((r) => ({ id: r.id, result: 'sent' as const })));
    clock.advance(60_000);
    expect(await desk.finishIfDone(kept.id)).toBe(true);
    expect(await desk.finishIfDone(kept.id)).toBe(true);
    expect(await desk.report(kept.id)).toMatchObject({ status: 'done', sent: 12, finishedAt: clock.now() });
    expect((await desk.unfinished()).map((broadcast) => broadcast.id)).not.toContain(kept.id);
  });

  it('cancels what was not sent; what is being sent finishes as its call ends', async () => {
    const ids = await patients(9);
    const kept = await desk.create(request(), [
      ...ids.slice(0, 6).map(on('telegram')),
      ...ids.slice(6).map(on('web')),
    ]);
    const inFlight = await desk.claim(kept.id, 'telegram', 'run', 2);
    expect(
      await desk.sending(
        'run',
        'call',
        inFlight.map((r) => r.id),
      ),
    ).toBe(true);
    const held = await desk.claim(kept.id, 'telegram', 'run', 2);

    const cancelled = await desk.cancel(kept.id);
    expect(cancelled).toMatchObject({ status: 'cancelled', total: 9, pending: 2, cancelled: 7 });
    expect(cancelled!.channels.web).toMatchObject({ total: 3, cancelled: 3 });
    expect(
      await desk.sending(
        'run',
        'call-2',
        held.map((r) => r.id),
      ),
    ).toBe(false);
    expect(await desk.claim(kept.id, 'telegram', 'run', 10)).toEqual([]);
    await desk.settle(inFlight.map((r) => ({ id: r.id, result: 'sent' as const })));
    expect(await desk.report(kept.id)).toMatchObject({
      status: 'cancelled',
      sent: 2,
      pending: 0,
      cancelled: 7,
    });
    // A cancelled broadcast is not done, is not sending, and cancelling again changes nothing.
    expect(await desk.finishIfDone(kept.id)).toBe(false);
    expect((await desk.unfinished()).map((broadcast) => broadcast.id)).not.toContain(kept.id);
    expect(await desk.cancel(kept.id)).toMatchObject({ status: 'cancelled', sent: 2, cancelled: 7 });
    expect(await desk.cancel(randomUUID())).toBeUndefined();
    expect(await desk.report('not-a-broadcast')).toBeUndefined();
  });

  it('lists broadcasts most recent first, with their counts', async () => {
    const ids = await patients(4);
    clock.advance(60_000);
    const older = await desk.create(request(), ids.slice(0, 2).map(on('line')));
    clock.advance(60_000);
    const newer = await desk.create(
      { ...request(), sender: { kind: 'staff', staffId: randomUUID(), label: 'Lan (operator)' } },
      [on('line')(ids[2]!, 1), on('telegram')(ids[3]!, 2)],
    );
    const [first, second] = await desk.list(2);
    expect(first).toMatchObject({ id: newer.id, total: 2, sentBy: 'Lan (operator)', createdAt: clock.now() });
    expect(first!.channels).toEqual({
      line: { total: 1, sent: 0, failed: 0, blocked: 0, pending: 1, cancelled: 0 },
      telegram: { total: 1, sent: 0, failed: 0, blocked: 0, pending: 1, cancelled: 0 },
    });
    expect(second).toMatchObject({
      id: older.id,
      total: 2,
      texts: request().texts,
      audience: { kind: 'subscribers' },
    });
  });
});
