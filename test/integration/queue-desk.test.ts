// The queue desk on the real database: numbering, the calling order, who is told what as the
// line moves (only thresholds, the called and the missed), the service-time average, push
// budgets; and two instances sharing PostgreSQL and Redis issuing and calling at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import type { SystemEvent } from '../../src/conversation/flow.ts';
import type { ConversationAddress } from '../../src/conversation/message.ts';
import type { TicketView } from '../../src/domain/queue.ts';
import { DEFAULT_DEPARTMENT_RULES } from '../../src/domain/queue-rules.ts';
import type { BookedAppointment } from '../../src/integrations/fhir/hospital.ts';
import { createLogger } from '../../src/logging.ts';
import { FieldCipher } from '../../src/security/field-cipher.ts';
import { openDatabase, type Database } from '../../src/storage/database.ts';
import { MemoryStore } from '../../src/storage/kv/memory-store.ts';
import { PrismaQueue, type QueueSettings } from '../../src/storage/prisma-queue.ts';
import { PushBudget } from '../../src/storage/queue-push-budget.ts';
import type { TestDatabaseTarget } from '../support/database.ts';
import {
  startTestInstance,
  testDatabase,
  TEST_FIELD_KEY,
  usingRealServices,
  type TestInstance,
} from '../support/instance.ts';

const SETTINGS: QueueSettings = {
  timeZone: 'Asia/Ho_Chi_Minh',
  checkInWindow: { beforeMinutes: 60, afterMinutes: 15 },
  notifyAhead: [5, 2],
  maxRecalls: 2,
  departments: DEFAULT_DEPARTMENT_RULES,
  graceMinutes: 10,
  serviceMinutes: 5,
  walkInEvery: 3,
};

const web = (n: number): ConversationAddress => ({ channel: 'web', channelUserId: `patient-${n}` });
const line = (n: number): ConversationAddress => ({ channel: 'line', channelUserId: `U${n}` });

interface Told {
  address: ConversationAddress;
  event: SystemEvent;
  dedupeKey: string;
}

describe('the queue desk', () => {
  let target: TestDatabaseTarget;
  let database: Database;
  let told: Told[];
  let clock: ManualClock;
  let kv: MemoryStore;
  let desk: PrismaQueue;

  // The hospital's side of check-in is tested against the built-in hospital (e2e/queue-api);
  // here its appointments are given as they would be read.
  const appointments = new Map<string, BookedAppointment>();
  const hospital = {
    appointment: async (id: string) => appointments.get(id),
    checkIn: async (id: string) => appointments.get(id),
  };
  const build = (settings: QueueSettings = SETTINGS, budgets: Record<string, number> = {}) =>
    new PrismaQueue({
      prisma: database.prisma,
      cipher: new FieldCipher(TEST_FIELD_KEY),
      hospital,
      notifier: {
        notify: async (address, event, dedupeKey) => void told.push({ address, event, dedupeKey }),
      },
      kv,
      pushes: new PushBudget(kv, budgets, settings.timeZone, clock),
      clock,
      logger: createLogger('silent'),
      settings,
    });

  beforeAll(async () => {
    target = await testDatabase();
    database = await openDatabase({ url: target.url, dataDir: undefined });
  });
  afterAll(async () => {
    await database?.close();
    await target?.drop();
  });

  const walkIn = async (address: ConversationAddress, department = 'general_medicine' as const) => {
    const result = await desk.walkIn({ department, address, locale: 'en' });
    if (!('ticket' in result)) throw new Error(`refused: ${JSON.stringify(result.refused)}`);
    return result.ticket;
  };

  it('numbers per department with its prefix, in arrival order, and tells only the thresholds, the called and the missed', async () => {
    told = [];
    clock = new ManualClock(Date.parse('2026-12-03T02:00:00Z'));
    kv = new MemoryStore(clock);
    desk = build();
    const tickets: TicketView[] = [];
    for (let n = 1; n <= 8; n++) {
      tickets.push(await walkIn(web(n)));
      clock.advance(60_000);
    }
    expect(tickets.map((ticket) => ticket.label)).toEqual([
      'A-001',
      'A-002',
      'A-003',
      'A-004',
      'A-005',
      'A-006',
      'A-007',
      'A-008',
    ]);
    expect(tickets[7]).toMatchObject({ status: 'waiting', ahead: 7, etaMinutes: 35, canRequeue: false });
    // The same patient again gets the same live ticket, not a second one, even pressing twice at once.
    expect((await walkIn(web(3))).id).toBe(tickets[2]!.id);
    const [twice, twin] = await Promise.all([walkIn(web(9)), walkIn(web(9))]);
    expect(twin.id).toBe(twice.id);
    await desk.leave(twice.id);
    expect(await desk.walkIn({ department: 'cardiology', address: web(99), locale: 'en' })).toEqual({
      refused: { reason: 'walk_in_not_allowed', department: 'cardiology' },
    });
    expect(told).toEqual([]);

    const first = await desk.callNext('general_medicine', '4', { staffId: 'nurse' });
    expect(first).toMatchObject({ label: 'A-001', status: 'called', room: '4' });
    // A-004 went from 3 ahead to 2 and A-007 from 6 to 5: told; the called one told; nobody else.
    expect(told.map((entry) => [entry.event.name, entry.dedupeKey])).toEqual([
      ['queue.called', `queue:${tickets[0]!.id}:called:0`],
      ['queue.ahead', `queue:${tickets[3]!.id}:ahead:2`],
      ['queue.ahead', `queue:${tickets[6]!.id}:ahead:5`],
    ]);
    expect(told[2]!.address).toEqual(web(7));
    expect((told[2]!.event.data as { ticket: TicketView }).ticket).toMatchObject({
      label: 'A-007',
      ahead: 5,
    });

    // Served in 8 minutes: with the default filling in, the average becomes (8+5+5)/3 = 6.
    clock.advance(8 * 60_000);
    expect(await desk.done(first!.id, {})).toMatchObject({ status: 'done' });
    expect((await desk.board('general_medicine')).averageServiceMinutes).toBe(6);
    expect(await desk.ticket(tickets[7]!.id)).toMatchObject({ ahead: 6, etaMinutes: 36 });

    // Recalls up to QUEUE_MAX_RECALLS, then no-show, then one re-queue at the back.
    told = [];
    const second = (await desk.callNext('general_medicine', '4', {}))!;
    expect(await desk.noShow(second.id, {})).toMatchObject({ status: 'called' });
    await desk.recall(second.id, {});
    await desk.recall(second.id, {});
    expect(await desk.recall(second.id, {})).toMatchObject({ status: 'called' });
    const missed = await desk.noShow(second.id, {});
    expect(missed).toMatchObject({ status: 'no_show', canRequeue: true });
    expect(told.map((entry) => entry.dedupeKey)).toEqual([
      `queue:${second.id}:called:0`,
      `queue:${tickets[4]!.id}:ahead:2`,
      `queue:${tickets[7]!.id}:ahead:5`,
      `queue:${second.id}:called:1`,
      `queue:${second.id}:called:2`,
      `queue:${second.id}:missed`,
    ]);
    const again = await desk.requeue(second.id);
    expect(again).toMatchObject({ status: 'waiting', ahead: 6, canRequeue: false });
    expect(await desk.requeue(second.id)).toMatchObject({ status: 'waiting' });
    expect((await desk.board('general_medicine')).waiting.map((entry) => entry.label)).toEqual([
      'A-003',
      'A-004',
      'A-005',
      'A-006',
      'A-007',
      'A-008',
      'A-002',
    ]);

    // Leaving moves those behind up; two places at once tells only the nearer threshold.
    told = [];
    await desk.leave(tickets[2]!.id);
    await desk.leave(tickets[3]!.id);
    await desk.leave(tickets[4]!.id);
    const keys = told.map((entry) => entry.dedupeKey);
    expect(keys).toContain(`queue:${tickets[7]!.id}:ahead:2`);
    expect(keys).toContain(`queue:${second.id}:ahead:5:requeued`);
    expect(keys.filter((key) => key.startsWith(`queue:${tickets[7]!.id}`))).toEqual([
      `queue:${tickets[7]!.id}:ahead:2`,
    ]);
    expect(await desk.ticketOf(web(3))).toBeUndefined();
    expect(await desk.ticketOf(web(8))).toMatchObject({ label: 'A-008', ahead: 2 });
  });

  it('orders appointments by time, the more urgent first within the grace window, walk-ins interleaved', async () => {
    told = [];
    clock = new ManualClock(Date.parse('2026-12-04T02:00:00Z'));
    kv = new MemoryStore(clock);
    desk = build();
    const now = clock.now();
    const appointment = async (n: number, startInMinutes: number, acuity?: number) => {
      const id = `appt-${n}-${now}`;
      const start = new Date(now + startInMinutes * 60_000);
      appointments.set(id, {
        id,
        slotId: `slot-${n}`,
        start,
        end: new Date(start.getTime() + 15 * 60_000),
        status: 'booked',
        department: 'general_medicine',
      });
      const result = await desk.checkIn({ appointmentId: id, address: web(100 + n), locale: 'en', acuity });
      if (!('ticket' in result)) throw new Error(`refused: ${JSON.stringify(result.refused)}`);
      return result.ticket.label;
    };
    await appointment(1, 0);
    await appointment(2, 5, 2);
    await appointment(3, 6);
    await appointment(4, 8);
    await appointment(5, 9);
    await appointment(6, 60);
    const walkIns = [(await walkIn(web(200))).label, (await walkIn(web(201))).label];
    expect(walkIns).toEqual(['A-007', 'A-008']);
    const board = await desk.board('general_medicine');
    // A-002 (acuity 2, 5 minutes later) goes first; one walk-in after three appointments; once
    // no appointment is due (A-006 starts in an hour), the walk-ins.
    expect(board.waiting.map((entry) => entry.label)).toEqual([
      'A-002',
      'A-001',
      'A-003',
      'A-007',
      'A-004',
      'A-005',
      'A-008',
      'A-006',
    ]);
  });

  it('keeps threshold notices within the channel budget, and always says "your turn"', async () => {
    told = [];
    clock = new ManualClock(Date.parse('2026-12-05T02:00:00Z'));
    kv = new MemoryStore(clock);
    desk = build(SETTINGS, { line: 1 });
    const tickets = [];
    for (let n = 1; n <= 8; n++) tickets.push(await walkIn(line(n)));
    for (let n = 0; n < 7; n++) await desk.callNext('general_medicine', '1', {});
    const names = told.map((entry) => entry.event.name);
    expect(names.filter((name) => name === 'queue.called')).toHaveLength(7);
    expect(names.filter((name) => name === 'queue.ahead')).toHaveLength(0);
    // The budget of one was spent by the first "your turn"; the count goes on for /metrics.
    const pushes = new PushBudget(kv, { line: 1 }, SETTINGS.timeZone, clock);
    expect(await pushes.count('line')).toBe(7);
    expect(await pushes.remaining('line')).toBe(0);
    expect(tickets).toHaveLength(8);
  });
});

describe('transfers', () => {
  let target: TestDatabaseTarget;
  let database: Database;
  const told: { event: SystemEvent; dedupeKey: string }[] = [];

  beforeAll(async () => {
    target = await testDatabase();
    database = await openDatabase({ url: target.url, dataDir: undefined });
  });
  afterAll(async () => {
    await database?.close();
    await target?.drop();
  });

  it('moves a ticket to another department with its next number, and within one to another room', async () => {
    const clock = new ManualClock(Date.parse('2026-12-06T02:00:00Z'));
    const kv = new MemoryStore(clock);
    const published: string[] = [];
    const desk = new PrismaQueue({
      prisma: database.prisma,
      cipher: new FieldCipher(TEST_FIELD_KEY),
      hospital: { appointment: async () => undefined, checkIn: async () => undefined },
      notifier: { notify: async (_address, event, dedupeKey) => void told.push({ event, dedupeKey }) },
      kv: { publish: async (channel, message) => void published.push(`${channel} ${message}`) },
      pushes: new PushBudget(kv, {}, SETTINGS.timeZone, clock),
      clock,
      logger: createLogger('silent'),
      settings: SETTINGS,
    });
    const issued = [];
    for (let n = 1; n <= 3; n++) {
      const result = await desk.walkIn({ department: 'emergency', address: web(300 + n), locale: 'en' });
      issued.push('ticket' in result ? result.ticket : undefined);
    }
    const moved = await desk.transfer(
      issued[0]!.id,
      { department: 'cardiology', room: '7' },
      { staffId: 's' },
    );
    expect(moved).toMatchObject({
      label: 'B-001',
      department: 'cardiology',
      status: 'waiting',
      ahead: 0,
      room: '7',
    });
    expect((await desk.board('emergency')).waiting.map((entry) => entry.label)).toEqual(['E-002', 'E-003']);
    expect((await desk.board('cardiology')).waiting.map((entry) => entry.label)).toEqual(['B-001']);
    const called = await desk.callNext('emergency', '1', {});
    const sameDepartment = await desk.transfer(called!.id, { department: 'emergency', room: '2' }, {});
    expect(sameDepartment).toMatchObject({ label: 'E-002', status: 'called', room: '2' });
    expect(told.map((entry) => entry.dedupeKey)).toEqual([
      `queue:${issued[0]!.id}:moved:1`,
      `queue:${called!.id}:called:0`,
      `queue:${called!.id}:moved:1`,
    ]);
    expect(await desk.transfer('not-a-ticket', { department: 'cardiology' }, {})).toBeUndefined();
    // The live views hear of every change, on each department's feed, without personal data.
    expect(published.some((line) => line.startsWith('queue:cardiology '))).toBe(true);
    expect(
      published.some((line) => line.startsWith('queue:emergency ') && line.includes('"change":"called"')),
    ).toBe(true);
    expect(published.join('\n')).not.toContain('patient-30');
  });
});

describe.runIf(usingRealServices)('two instances sharing PostgreSQL and Redis', () => {
  let database: TestDatabaseTarget;
  let a: TestInstance;
  let b: TestInstance;
  const keyPrefix = `fd-test-queue-${Date.now().toString(36)}`;

  beforeAll(async () => {
    database = await testDatabase();
    a = await startTestInstance({ databaseUrl: database.url, keyPrefix });
    b = await startTestInstance({ databaseUrl: database.url, keyPrefix });
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await database?.drop();
  });

  it('issues 200 tickets at once as 200 distinct consecutive numbers, and two call-next call two tickets', async () => {
    const issued = await Promise.all(
      Array.from({ length: 200 }, (_, n) =>
        (n % 2 ? a : b).frontdoor.queue.walkIn({
          department: 'general_medicine',
          address: { channel: 'web', channelUserId: `concurrent-${n}` },
          locale: 'en',
        }),
      ),
    );
    const labels = issued.map((result) => ('ticket' in result ? result.ticket.label : 'refused'));
    expect(new Set(labels).size).toBe(200);
    expect(labels.sort()).toEqual(
      Array.from({ length: 200 }, (_, n) => `A-${String(n + 1).padStart(3, '0')}`),
    );

    const [one, two] = await Promise.all([
      a.frontdoor.queue.callNext('general_medicine', '1', { staffId: 'a' }),
      b.frontdoor.queue.callNext('general_medicine', '2', { staffId: 'b' }),
    ]);
    expect(one?.id).toBeDefined();
    expect(two?.id).toBeDefined();
    expect(one!.id).not.toBe(two!.id);
    expect([one!.label, two!.label].sort()).toEqual(['A-001', 'A-002']);
    const board = await a.frontdoor.queue.board('general_medicine');
    expect(board.waiting).toHaveLength(198);
    expect(board.calling.map((call) => call.room).sort()).toEqual(['1', '2']);
  });
});
