// The queue's pure rules: settings, labels, the check-in window, the calling order, waiting
// times, thresholds; and the signed check-in links.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import {
  activeRooms,
  appointmentsSinceWalkIn,
  averageServiceMinutes,
  callingOrder,
  crossedThreshold,
  etaMinutes,
  type QueuedEntry,
} from '../../src/domain/queue-order.ts';
import {
  checkInTiming,
  parseCheckInWindow,
  parseDepartmentRules,
  parseNotifyAhead,
  parsePushBudgets,
  ticketLabel,
} from '../../src/domain/queue-rules.ts';
import { CheckInTokens } from '../../src/security/checkin-token.ts';

const MIN = 60_000;

describe('queue settings', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config.CHECKIN_WINDOW_MINUTES).toEqual({ beforeMinutes: 60, afterMinutes: 15 });
    expect(config.QUEUE_NOTIFY_AHEAD).toEqual([5, 2]);
    expect(config.QUEUE_MAX_RECALLS).toBe(2);
    expect(config.QUEUE_DEPARTMENTS.cardiology).toEqual({ prefix: 'B', walkIn: false });
    expect(config.QUEUE_DEPARTMENTS.general_medicine).toEqual({ prefix: 'A', walkIn: true });
    expect(config.QUEUE_GRACE_MINUTES).toBe(10);
    expect(config.QUEUE_SERVICE_MINUTES).toBe(5);
    expect(config.QUEUE_WALK_IN_EVERY).toBe(3);
    expect(config.CHANNEL_PUSH_BUDGETS).toEqual({});
  });

  it('reads the forms the README gives and names the variable of a bad one', () => {
    const config = loadConfig({
      CHECKIN_WINDOW_MINUTES: '30,10',
      QUEUE_NOTIFY_AHEAD: '2,5,5,10',
      QUEUE_MAX_RECALLS: '0',
      QUEUE_DEPARTMENTS: 'cardiology=K+walk-in,dermatology=DE',
      CHANNEL_PUSH_BUDGETS: 'line=500,telegram=100000',
    });
    expect(config.CHECKIN_WINDOW_MINUTES).toEqual({ beforeMinutes: 30, afterMinutes: 10 });
    expect(config.QUEUE_NOTIFY_AHEAD).toEqual([10, 5, 2]);
    expect(config.QUEUE_MAX_RECALLS).toBe(0);
    expect(config.QUEUE_DEPARTMENTS.cardiology).toEqual({ prefix: 'K', walkIn: true });
    expect(config.QUEUE_DEPARTMENTS.dermatology).toEqual({ prefix: 'DE', walkIn: false });
    expect(config.QUEUE_DEPARTMENTS.neurology).toEqual({ prefix: 'N', walkIn: false });
    expect(config.CHANNEL_PUSH_BUDGETS).toEqual({ line: 500, telegram: 100000 });
    expect(parseCheckInWindow('45')).toEqual({ beforeMinutes: 45, afterMinutes: 45 });

    for (const [variable, value] of [
      ['CHECKIN_WINDOW_MINUTES', '60;15'],
      ['QUEUE_NOTIFY_AHEAD', '5,0'],
      ['QUEUE_MAX_RECALLS', 'two'],
      ['QUEUE_DEPARTMENTS', 'astrology=Z'],
      ['QUEUE_DEPARTMENTS', 'cardiology=A'],
      ['QUEUE_GRACE_MINUTES', '-1'],
      ['CHANNEL_PUSH_BUDGETS', 'line:500'],
    ] as const) {
      expect(() => loadConfig({ [variable]: value })).toThrow(ConfigError);
      expect(() => loadConfig({ [variable]: value })).toThrow(`Invalid setting ${variable}:`);
    }
    expect(parseNotifyAhead('')).toBeUndefined();
    expect(parseDepartmentRules('cardiology=b')).toBeUndefined();
    expect(parsePushBudgets('line=')).toBeUndefined();
  });

  it('labels tickets with the prefix and three digits at least', () => {
    expect(ticketLabel('B', 23)).toBe('B-023');
    expect(ticketLabel('A', 1234)).toBe('A-1234');
  });

  it('takes check-in from 60 minutes before to 15 after the start', () => {
    const start = Date.parse('2026-12-03T03:00:00Z');
    const window = { beforeMinutes: 60, afterMinutes: 15 };
    expect(checkInTiming(start, start - 61 * MIN, window)).toEqual({
      open: false,
      reason: 'too_early',
      opensAt: start - 60 * MIN,
    });
    expect(checkInTiming(start, start - 60 * MIN, window)).toEqual({ open: true });
    expect(checkInTiming(start, start + 15 * MIN, window)).toEqual({ open: true });
    expect(checkInTiming(start, start + 16 * MIN, window)).toEqual({
      open: false,
      reason: 'too_late',
      closedAt: start + 15 * MIN,
    });
  });
});

describe('the calling order', () => {
  const now = Date.parse('2026-12-03T02:00:00Z');
  const rules = { now, graceMs: 10 * MIN, walkInEvery: 3, appointmentsSinceWalkIn: 0 };
  const appointment = (id: string, inMinutes: number, acuity?: number): QueuedEntry => ({
    id,
    kind: 'appointment',
    sortAt: now + inMinutes * MIN,
    acuity,
  });
  const walkIn = (id: string, minutesAgo: number, acuity?: number): QueuedEntry => ({
    id,
    kind: 'walk_in',
    sortAt: now - minutesAgo * MIN,
    acuity,
  });
  const ids = (entries: QueuedEntry[]) => entries.map((entry) => entry.id);

  it('calls appointments by time, and a more urgent one within the grace window first', () => {
    const order = callingOrder(
      [
        appointment('late', 30),
        appointment('urgent', 8, 2),
        appointment('first', 0, 4),
        appointment('after', 20, 1),
      ],
      rules,
    );
    // "after" is acuity 1 but 20 minutes behind: outside the window of the first ticket.
    expect(ids(order)).toEqual(['urgent', 'first', 'after', 'late']);
  });

  it('interleaves one walk-in after every QUEUE_WALK_IN_EVERY appointments while appointments are due', () => {
    const waiting = [
      appointment('a1', -5),
      appointment('a2', 0),
      appointment('a3', 2),
      appointment('a4', 4),
      appointment('a5', 6),
      walkIn('w1', 30),
      walkIn('w2', 20),
    ];
    expect(ids(callingOrder(waiting, rules))).toEqual(['a1', 'a2', 'a3', 'w1', 'a4', 'a5', 'w2']);
    // Two appointments were called since the last walk-in: the walk-in comes after one more.
    expect(ids(callingOrder(waiting, { ...rules, appointmentsSinceWalkIn: 2 })).slice(0, 2)).toEqual([
      'a1',
      'w1',
    ]);
    expect(appointmentsSinceWalkIn(['appointment', 'appointment', 'walk_in', 'appointment'])).toBe(2);
    expect(appointmentsSinceWalkIn(['appointment'])).toBe(1);
  });

  it('calls walk-ins when no appointment is due, and orders two tickets of one moment by number', () => {
    const waiting = [appointment('later', 45), walkIn('w2', 5), walkIn('w1', 5)];
    waiting[1]!.number = 2;
    waiting[2]!.number = 1;
    expect(ids(callingOrder(waiting, rules))).toEqual(['w1', 'w2', 'later']);
  });

  it('keeps 2,000 tickets in order quickly', () => {
    const many = Array.from({ length: 2000 }, (_, n) =>
      n % 3 ? appointment(`a${n}`, n % 90, (n % 5) + 1) : walkIn(`w${n}`, n % 60),
    );
    const started = performance.now();
    const order = callingOrder(many, rules);
    expect(order).toHaveLength(2000);
    expect(new Set(ids(order)).size).toBe(2000);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('waiting times and thresholds', () => {
  it('averages the real service times, the default filling in until three are known', () => {
    expect(averageServiceMinutes([], 5)).toBe(5);
    expect(averageServiceMinutes([11 * MIN], 5)).toBe(7);
    expect(averageServiceMinutes([2 * MIN, 4 * MIN, 6 * MIN, 8 * MIN], 5)).toBe(5);
    // Only the 20 most recent count.
    expect(
      averageServiceMinutes([...Array<number>(20).fill(3 * MIN), ...Array<number>(20).fill(60 * MIN)], 5),
    ).toBe(3);
  });

  it('spreads the wait over the rooms that called in the last hour', () => {
    const now = Date.parse('2026-12-03T05:00:00Z');
    const calls = [
      { room: '4', calledAt: now - 5 * MIN },
      { room: '5', calledAt: now - 30 * MIN },
      { room: '6', calledAt: now - 90 * MIN },
    ];
    expect(activeRooms(calls, now)).toBe(2);
    expect(activeRooms([], now)).toBe(1);
    expect(etaMinutes(5, 5, 1)).toBe(25);
    expect(etaMinutes(5, 5, 2)).toBe(13);
    expect(etaMinutes(0, 5, 1)).toBe(0);
  });

  it('tells a ticket once for the nearest threshold it crossed moving forward', () => {
    expect(crossedThreshold(6, 5, [5, 2])).toBe(5);
    expect(crossedThreshold(5, 4, [5, 2])).toBeUndefined();
    expect(crossedThreshold(3, 2, [5, 2])).toBe(2);
    expect(crossedThreshold(7, 1, [5, 2])).toBe(2);
    expect(crossedThreshold(2, 5, [5, 2])).toBeUndefined();
    expect(crossedThreshold(undefined, 2, [5, 2])).toBeUndefined();
  });
});

describe('check-in links', () => {
  const clock = new ManualClock(Date.parse('2026-12-03T10:00:00Z'));
  const tokens = new CheckInTokens(Buffer.alloc(32, 7), 'https://h.example', 'Asia/Ho_Chi_Minh', clock);

  it('open one appointment until the end of its day in the hospital zone, and cannot be forged', () => {
    const start = Date.parse('2026-12-03T09:30:00Z'); // 16:30 in Hanoi
    const url = tokens.checkInUrl('appt-1', start);
    expect(url).toMatch(/^https:\/\/h\.example\/checkin\/[\w-]+\.[\w-]+$/);
    const token = url.slice('https://h.example/checkin/'.length);
    expect(tokens.verify('checkin', token)).toBe('appt-1');
    expect(tokens.verify('ticket', token)).toBeUndefined();
    const other = new CheckInTokens(Buffer.alloc(32, 8), 'https://h.example', 'Asia/Ho_Chi_Minh', clock);
    expect(other.verify('checkin', token)).toBeUndefined();
    const [body] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ p: 'c', id: 'appt-2', e: 9e9 })).toString('base64url');
    expect(tokens.verify('checkin', `${forged}.${token.split('.')[1]}`)).toBeUndefined();
    expect(tokens.verify('checkin', `${body}`)).toBeUndefined();
    // Midnight in Hanoi is 17:00 UTC.
    clock.advance(Date.parse('2026-12-03T16:59:59Z') - clock.now());
    expect(tokens.verify('checkin', token)).toBe('appt-1');
    clock.advance(1000);
    expect(tokens.verify('checkin', token)).toBeUndefined();
  });
});
