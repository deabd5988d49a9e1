// Booking as a pure flow: what it asks the hospital, how it reads the answers, and how triage
// limits it (emergency, same-day only, pending review), with the hospital's answers scripted.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ConversationState, Effect, FlowEvent, StepContext } from '../../src/conversation/flow.ts';
import type { AppointmentView, BookingResult, SlotOption } from '../../src/domain/booking.ts';
import { reminderSchedule } from '../../src/domain/deadlines.ts';
import { button, flowContext, patientAtMenu, runFlow, sent, text } from '../support/flow-harness.ts';

let context: StepContext;
// 2026-11-24 10:00 in Hanoi (UTC+7).
const NOW = Date.UTC(2026, 10, 24, 3, 0);
beforeAll(async () => {
  context = await flowContext(NOW);
});

const answer = (result: BookingResult): FlowEvent => ({ kind: 'system', name: 'booking', data: result });
/** The questions asked of the hospital, as { kind, ...what was asked }. */
const requests = (effects: Effect[]) =>
  effects.flatMap((effect) => {
    if (!effect.type.startsWith('booking.')) return [];
    const { type, ...asked } = effect;
    const { patientId: _patient, ...request } = { patientId: '', ...asked };
    return [{ kind: type.slice('booking.'.length), ...request }];
  });

const doctor = { default: 'Dr Mai', en: 'Dr Mai', vi: 'BS. Mai' };
const slot = (id: string, hour: number): SlotOption => ({
  id,
  start: new Date(Date.UTC(2026, 10, 24, hour - 7, 0)).toISOString(),
  scheduleId: 's-1',
  doctor,
});
const triaged = (acuity: 1 | 2 | 3 | 4, overrides: Partial<ConversationState> = {}) =>
  patientAtMenu('en', {
    triage: {
      acuity,
      department: acuity === 1 ? 'emergency' : 'neurology',
      reviewRequired: acuity <= 3,
      bookingUrgency: ({ 1: 'emergency', 2: 'same-day', 3: 'within-24h', 4: 'within-7d' } as const)[acuity],
    },
    ...overrides,
  });

/** Runs to the slot list with doctors and slots answered. */
function toSlots(state: ConversationState, slots: SlotOption[]) {
  return runFlow(
    context,
    [
      button('menu|book'),
      button('booking.department|neurology'),
      answer({ kind: 'doctors', doctors: [{ scheduleId: 's-1', names: doctor }] }),
      button('booking.doctor|any'),
      answer({ kind: 'slots', day: '2026-11-24', slots }),
    ],
    state,
  );
}

describe('booking', () => {
  it('sends a level-1 patient to the emergency number instead of booking', () => {
    const { state, effects } = runFlow(context, [button('menu|book')], triaged(1, { country: 'VN' }));
    expect(state.step).toBe('menu.main');
    expect(effects[0]).toMatchObject({
      type: 'send',
      message: {
        urgent: true,
        text: expect.stringContaining('call 115') as unknown,
        // A tap-to-call button, as every emergency answer has.
        calls: [{ number: '115', label: expect.stringContaining('115') as unknown }],
      },
    });
    expect(requests(effects)).toEqual([]);
  });

  it('asks the hospital for doctors and times, saying "one moment" while it waits', () => {
    const { state, effects } = runFlow(
      context,
      [button('menu|book'), button('booking.department|neurology'), text('hello?')],
      triaged(4),
    );
    expect(requests(effects)).toEqual([{ kind: 'doctors', department: 'neurology' }]);
    expect(sent(effects).slice(-2)).toEqual([
      'One moment, I am asking the hospital…',
      'One moment, I am asking the hospital…',
    ]);
    expect(state).toMatchObject({ step: 'booking.doctor', draft: { waiting: 'doctors' } });

    const next = runFlow(
      context,
      [
        answer({ kind: 'doctors', doctors: [{ scheduleId: 's-1', names: doctor }] }),
        button('booking.doctor|s-1'),
      ],
      state,
    );
    // Today in the hospital's zone, and any day onwards for a within-7-days booking.
    expect(requests(next.effects)).toEqual([
      { kind: 'slots', department: 'neurology', scheduleId: 's-1', day: '2026-11-24', sameDayOnly: false },
    ]);
  });

  it('shows times in the hospital zone and the patient language, and books as pending when a nurse must review', () => {
    const { state, effects } = toSlots(triaged(3), [slot('a', 14), slot('b', 15)]);
    const list = effects.at(-1);
    expect(list?.type === 'send' && list.message.choices?.map((c) => c.label)).toEqual([
      '14:00 · Dr Mai',
      '15:00 · Dr Mai',
      'Next day',
      'Back',
    ]);
    const confirmed = runFlow(
      context,
      [button('booking.slot|a'), answer({ kind: 'held', slotId: 'a' }), button('booking.confirm|yes')],
      state,
    );
    expect(requests(confirmed.effects)[0]).toEqual({ kind: 'hold', slotId: 'a' });
    expect(sent(confirmed.effects)[1]).toBe('Book Tuesday, November 24 at 14:00 with Dr Mai (Neurology)?');
    expect(requests(confirmed.effects).slice(1)).toEqual([
      { kind: 'book', slotId: 'a', department: 'neurology', bookingKey: 'p-1:a', pending: true },
    ]);
    const done = runFlow(
      context,
      [
        answer({
          kind: 'booked',
          appointment: {
            id: 'ap-1',
            start: slot('a', 14).start,
            department: 'neurology',
            doctor,
            status: 'pending',
          },
        }),
      ],
      confirmed.state,
    );
    expect(sent(done.effects)[0]).toBe(
      'Your appointment on Tuesday, November 24 at 14:00 with Dr Mai (Neurology) is reserved. A nurse will review your answers and confirm it here.',
    );
    expect(done.state).toMatchObject({ step: 'menu.main', draft: {} });
  });

  it('offers only today for a same-day triage, and the emergency advice when today is full', () => {
    const { state, effects } = toSlots(triaged(2, { country: 'VN' }), []);
    expect(requests(effects).at(-1)).toMatchObject({ kind: 'slots', sameDayOnly: true });
    expect(state.step).toBe('menu.main');
    expect(effects.find((e) => e.type === 'send' && e.message.urgent)).toMatchObject({
      message: { text: expect.stringContaining('115') as unknown },
    });

    const withSlots = toSlots(triaged(2), [slot('a', 14)]);
    const list = withSlots.effects.at(-1);
    expect(list?.type === 'send' && list.message.choices?.map((c) => c.label)).toEqual([
      '14:00 · Dr Mai',
      'Back',
    ]);
  });

  it('offers the free times again when someone else took the slot first', () => {
    const { state } = toSlots(triaged(4), [slot('a', 14)]);
    const { state: after, effects } = runFlow(
      context,
      [
        button('booking.slot|a'),
        answer({ kind: 'held', slotId: 'a' }),
        button('booking.confirm|yes'),
        answer({ kind: 'taken' }),
      ],
      state,
    );
    expect(sent(effects)).toContain('Sorry, someone has just taken that time. Here are the free times now:');
    expect(requests(effects).at(-1)).toMatchObject({ kind: 'slots', day: '2026-11-24' });
    expect(after).toMatchObject({ step: 'booking.slot', draft: { waiting: 'slots' } });
  });

  it('tells the patient kindly when the hospital fails, and keeps nothing of the booking', () => {
    const { state } = toSlots(triaged(4), [slot('a', 14)]);
    const { state: after, effects } = runFlow(
      context,
      [
        button('booking.slot|a'),
        answer({ kind: 'held', slotId: 'a' }),
        button('booking.confirm|yes'),
        answer({ kind: 'failed' }),
      ],
      state,
    );
    expect(sent(effects)).toContain(
      'Sorry, the hospital system did not answer. Nothing was booked or changed; please try again in a few minutes.',
    );
    expect(after).toMatchObject({ step: 'menu.main', draft: {} });
  });

  it('holds the chosen slot; someone else holding it means the free times again', () => {
    const { state } = toSlots(triaged(4), [slot('a', 14), slot('b', 15)]);
    const taken = runFlow(context, [button('booking.slot|b'), answer({ kind: 'taken' })], state);
    expect(sent(taken.effects)).toContain(
      'Sorry, someone has just taken that time. Here are the free times now:',
    );
    expect(taken.state).toMatchObject({ step: 'booking.slot', draft: { waiting: 'slots' } });
  });

  it('lets a hold run out: the patient is told and sees the free times', () => {
    const { state } = toSlots(triaged(4), [slot('a', 14)]);
    const held = runFlow(context, [button('booking.slot|a'), answer({ kind: 'held', slotId: 'a' })], state);
    expect(held.state.step).toBe('booking.confirm');
    // The flow decides when the hold runs out: a timer that brings the event back.
    expect(held.effects).toContainEqual({
      type: 'schedule',
      id: 'hold:a',
      at: NOW + 10 * 60_000,
      event: { kind: 'system', name: 'booking.holdExpired', data: { slotId: 'a' } },
    });
    const other = runFlow(
      context,
      [{ kind: 'system', name: 'booking.holdExpired', data: { slotId: 'zz' } }],
      held.state,
    );
    // Another slot's hold is let go (unless booked or being paid) and nothing is said.
    expect(other.effects).toEqual([{ type: 'booking.releaseHold', patientId: 'p-1', slotId: 'zz' }]);
    const expired = runFlow(
      context,
      [{ kind: 'system', name: 'booking.holdExpired', data: { slotId: 'a' } }],
      held.state,
    );
    expect(sent(expired.effects)).toEqual([
      'The time I was holding for you (Tuesday, November 24 14:00) is released because it was not confirmed within 10 minutes. Here are the free times now:',
    ]);
    expect(requests(expired.effects)).toEqual([
      { kind: 'releaseHold', slotId: 'a' },
      { kind: 'slots', department: 'neurology', day: '2026-11-24', sameDayOnly: false },
    ]);
    expect(expired.state.step).toBe('booking.slot');
  });

  it('ignores an answer that arrives after the patient moved on', () => {
    const before = triaged(4);
    const { state, effects } = runFlow(context, [answer({ kind: 'taken' })], before);
    expect(state).toEqual(before);
    expect(effects).toEqual([]);
  });

  it('reminds with the answers that matter, and cancels from the reminder', () => {
    const start = slot('a', 14).start;
    const reminded = runFlow(
      context,
      [{ kind: 'system', name: 'booking.reminder', data: { appointmentId: 'ap-9', start } }],
      triaged(4),
    );
    const message = reminded.effects[0];
    expect(message?.type === 'send' && message.message).toEqual({
      text: '⏰ Reminder: you have an appointment on Tuesday, November 24 at 14:00. Will you come?',
      choices: [
        { data: 'remind|coming', label: 'I will come' },
        { data: 'remind|cancel:ap-9', label: 'Cancel it' },
      ],
    });
    expect(reminded.state.step).toBe('menu.main');
    const coming = runFlow(context, [button('remind|coming')], reminded.state);
    expect(sent(coming.effects)).toEqual(['Thank you. See you then!']);
    const cancel = runFlow(context, [button('remind|cancel:ap-9')], reminded.state);
    expect(requests(cancel.effects)).toEqual([{ kind: 'cancel', appointmentId: 'ap-9' }]);
    const done = runFlow(
      context,
      [answer({ kind: 'cancelled', appointment: { id: 'ap-9', start, status: 'cancelled' } })],
      cancel.state,
    );
    expect(sent(done.effects)[0]).toBe('Your appointment on Tuesday, November 24 at 14:00 is cancelled.');
  });
});

describe('reminders as timers the flow sets', () => {
  const HOUR = 3_600_000;
  // Two days ahead: both reminders lie in the future.
  const start = new Date(Date.UTC(2026, 10, 26, 2, 0)).toISOString();
  const appointment: AppointmentView = { id: 'ap-1', start, department: 'neurology', status: 'booked' };
  const timers = (effects: Effect[]) =>
    effects.filter((effect) => effect.type === 'schedule' || effect.type === 'cancelSchedule');
  const reminders = (id: string) =>
    [24, 2].map((hours) => ({
      type: 'schedule',
      id: `reminder:${id}:${hours}h`,
      at: Date.parse(start) - hours * HOUR,
      event: { kind: 'system', name: 'booking.reminderDue', data: { appointmentId: id, hours } },
    }));
  const cleared = (id: string) =>
    [24, 2].map((hours) => ({ type: 'cancelSchedule', id: `reminder:${id}:${hours}h` }));

  it('sets both reminders when booked, wherever the answer finds the patient', () => {
    const { state } = toSlots(triaged(4), [slot('a', 14)]);
    const confirmed = runFlow(
      context,
      [button('booking.slot|a'), answer({ kind: 'held', slotId: 'a' }), button('booking.confirm|yes')],
      state,
    );
    const booked = runFlow(context, [answer({ kind: 'booked', appointment })], confirmed.state);
    expect(sent(booked.effects)[0]).toMatch(/^✅ Your appointment is booked/);
    expect(timers(booked.effects)).toEqual(reminders('ap-1'));
    // Gone back to the menu, or into another booking, while the hospital answered: the same.
    const atMenu = runFlow(context, [answer({ kind: 'booked', appointment })], triaged(4));
    expect(timers(atMenu.effects)).toEqual(reminders('ap-1'));
    const elsewhere = runFlow(context, [button('menu|book')], triaged(4));
    expect(elsewhere.state.step).toBe('booking.department');
    const there = runFlow(context, [answer({ kind: 'booked', appointment })], elsewhere.state);
    expect(timers(there.effects)).toEqual(reminders('ap-1'));
  });

  it('a move clears the old appointment’s reminders and sets the new one’s; a cancellation clears them', () => {
    const moved = runFlow(context, [answer({ kind: 'booked', appointment, replaces: 'ap-0' })], triaged(4));
    expect(timers(moved.effects)).toEqual([...cleared('ap-0'), ...reminders('ap-1')]);
    // The hospital kept the appointment's id: setting its timers again replaces them.
    const kept = runFlow(context, [answer({ kind: 'booked', appointment, replaces: 'ap-1' })], triaged(4));
    expect(timers(kept.effects)).toEqual(reminders('ap-1'));
    const cancelled = runFlow(
      context,
      [answer({ kind: 'cancelled', appointment: { ...appointment, status: 'cancelled' } })],
      triaged(4),
    );
    expect(timers(cancelled.effects)).toEqual(cleared('ap-1'));
  });

  it('a reminder that comes due asks the hospital whether the appointment stands, saying nothing yet', () => {
    const before = triaged(4);
    const due = runFlow(
      context,
      [{ kind: 'system', name: 'booking.reminderDue', data: { appointmentId: 'ap-1', hours: 24 } }],
      before,
    );
    expect(due.effects).toEqual([{ type: 'booking.checkReminder', appointmentId: 'ap-1', hours: 24 }]);
    expect(due.state).toEqual(before);
  });
});

describe('reminder times', () => {
  const start = new Date(Date.UTC(2026, 10, 27, 2, 0));
  it.each([
    ['three days ahead', Date.UTC(2026, 10, 24, 2, 0), [24, 2]],
    ['five hours ahead', Date.UTC(2026, 10, 26, 21, 0), [2]],
    ['one hour ahead', Date.UTC(2026, 10, 27, 1, 0), []],
  ] as const)('booked %s: reminders %j hours before', (_when, now, hours) => {
    const schedule = reminderSchedule(start, now);
    expect(schedule.map((reminder) => reminder.hours)).toEqual(hours);
    for (const reminder of schedule) expect(reminder.at).toBe(start.getTime() - reminder.hours * 3_600_000);
  });
});

describe('paging of times through the whole day', () => {
  const morning = [8, 9, 10, 11, 12, 13, 14, 15].map((hour) => slot(`m-${hour}`, hour));
  const afternoon = [16, 17].map((hour) => slot(`a-${hour}`, hour));
  const lastChoices = (effects: Effect[]) => {
    const last = effects.filter((e) => e.type === 'send').at(-1);
    return last?.type === 'send' ? (last.message.choices ?? []).map((c) => c.data) : [];
  };

  it('offers "Later times" when the day has more, asks for the times after the last one shown, and "Earlier times" goes back', () => {
    const first = runFlow(
      context,
      [
        button('menu|book'),
        button('booking.department|neurology'),
        answer({ kind: 'doctors', doctors: [{ scheduleId: 's-1', names: doctor }] }),
        button('booking.doctor|any'),
        answer({ kind: 'slots', day: '2026-11-24', slots: morning, more: true }),
      ],
      triaged(4),
    );
    expect(lastChoices(first.effects)).toEqual([
      ...morning.map((s) => `booking.slot|${s.id}`),
      'booking.slot|later',
      'booking.slot|next',
      'booking.slot|back',
    ]);

    const later = runFlow(context, [button('booking.slot|later')], first.state);
    expect(requests(later.effects)).toEqual([
      {
        kind: 'slots',
        department: 'neurology',
        day: '2026-11-24',
        sameDayOnly: false,
        after: morning.at(-1)!.start,
      },
    ]);
    const shown = runFlow(
      context,
      [answer({ kind: 'slots', day: '2026-11-24', slots: afternoon, more: false })],
      later.state,
    );
    expect(sent(shown.effects).at(-1)).toBe('Free times on Tuesday, November 24:');
    expect(lastChoices(shown.effects)).toEqual([
      'booking.slot|a-16',
      'booking.slot|a-17',
      'booking.slot|earlier',
      'booking.slot|next',
      'booking.slot|back',
    ]);
    const labels = shown.effects.flatMap((e) => (e.type === 'send' ? (e.message.choices ?? []) : []));
    expect(labels.map((c) => c.label)).toContain('Earlier times');

    // Back to the first page: the times from the start of the day again, with "Later times".
    const earlier = runFlow(context, [button('booking.slot|earlier')], shown.state);
    expect(requests(earlier.effects)).toEqual([
      { kind: 'slots', department: 'neurology', day: '2026-11-24', sameDayOnly: false },
    ]);
    const again = runFlow(
      context,
      [answer({ kind: 'slots', day: '2026-11-24', slots: morning, more: true })],
      earlier.state,
    );
    expect(lastChoices(again.effects)).toContain('booking.slot|later');
    expect(lastChoices(again.effects)).not.toContain('booking.slot|earlier');
  });
});

describe('my appointments: pending ones and cancelling a paid one', () => {
  const booked = (overrides: Partial<AppointmentView> = {}): AppointmentView => ({
    id: 'a-1',
    start: new Date(Date.UTC(2026, 10, 26, 2, 0)).toISOString(),
    department: 'neurology',
    doctor,
    status: 'booked',
    ...overrides,
  });
  const list = (appointments: AppointmentView[]) =>
    runFlow(
      context,
      [button('menu|appointments'), answer({ kind: 'appointments', appointments })],
      patientAtMenu(),
    );

  it('pending appointments listed as pending (awaiting payment / awaiting nurse review)', () => {
    const { state, effects } = list([
      booked({ id: 'a-1', status: 'pending' }),
      booked({
        id: 'payment:p-1',
        status: 'awaitingPayment',
        start: new Date(Date.UTC(2026, 10, 27, 2, 0)).toISOString(),
        payUrl: 'https://pay.example/c/1',
        doctor: undefined,
      }),
    ]);
    expect(state.step).toBe('appointments.list');
    const last = effects.at(-1);
    const message = last?.type === 'send' ? last.message : undefined;
    expect(message?.text).toContain('— awaiting nurse review');
    expect(message?.text).toContain('— awaiting payment');
    expect(message?.links).toEqual([
      { label: 'Pay for Friday, November 27 09:00', url: 'https://pay.example/c/1' },
    ]);
    // Only a real appointment can be moved or cancelled here.
    expect(message?.choices?.map((c) => c.data)).toEqual([
      'appointments.list|move:a-1',
      'appointments.list|cancel:a-1',
      'appointments.list|back',
    ]);
  });

  it.each([
    [
      { amountMinor: 300_000, currency: 'VND', percent: 100, policyHours: 24 },
      'the full fee of ₫300,000 is refunded.',
    ],
    [
      { amountMinor: 150_000, currency: 'VND', percent: 50, policyHours: 24 },
      '50% of the fee (₫150,000) is refunded.',
    ],
    [{ amountMinor: 0, currency: 'VND', percent: 0, policyHours: 24 }, 'the fee is not refunded'],
  ])('a confirmation before cancelling a paid appointment that names the refund (%o)', (refund, says) => {
    const listed = list([booked({ refundIfCancelled: refund })]);
    const asked = runFlow(context, [button('appointments.list|cancel:a-1')], listed.state);
    expect(requests(asked.effects)).toEqual([]);
    expect(asked.state.step).toBe('appointments.cancel');
    const last = asked.effects.at(-1);
    const message = last?.type === 'send' ? last.message : undefined;
    expect(message?.text).toContain('Cancel your appointment on Thursday, November 26 at 09:00?');
    expect(message?.text).toContain(says);
    expect(message?.choices?.map((c) => c.data)).toEqual([
      'appointments.cancel|yes',
      'appointments.cancel|no',
    ]);

    const kept = runFlow(context, [button('appointments.cancel|no')], asked.state);
    expect(requests(kept.effects)).toEqual([]);
    expect(kept.state.step).toBe('appointments.list');

    const cancelled = runFlow(context, [button('appointments.cancel|yes')], asked.state);
    expect(requests(cancelled.effects)).toEqual([{ kind: 'cancel', appointmentId: 'a-1' }]);
  });
});
