// The patient's side of the queue as pure reactions: "Check in / my ticket", what is asked of
// the desk, the ticket message, the news as the queue moves and the check-in code, with the
// desk's answers scripted; every text in all six languages.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Effect, FlowEvent, StepContext, SystemEvent } from '../../src/conversation/flow.ts';
import type { OutboundMessage } from '../../src/conversation/message.ts';
import type { AppointmentView } from '../../src/domain/booking.ts';
import type { TicketView } from '../../src/domain/queue.ts';
import { ManualClock } from '../../src/clock.ts';
import { SUPPORTED_LOCALES } from '../../src/i18n/locales.ts';
import { CheckInTokens } from '../../src/security/checkin-token.ts';
import { button, flowContext, patientAtMenu, runFlow, sent, text } from '../support/flow-harness.ts';

let context: StepContext;
// 2026-11-24 10:00 in Hanoi (UTC+7).
const NOW = Date.UTC(2026, 10, 24, 3, 0);
// The real signer, so the links the chat hands out are checked as the pages will check them.
const links = new CheckInTokens(
  Buffer.alloc(32, 7),
  'https://h.example',
  'Asia/Ho_Chi_Minh',
  new ManualClock(NOW),
);
const checkInToken = (url: string) => /\/checkin\/([^/?]+)(\?|$)/.exec(url)?.[1] ?? '';
beforeAll(async () => {
  const base = await flowContext(NOW);
  context = {
    ...base,
    settings: { ...base.settings, queue: { links, walkInDepartments: ['emergency', 'general_medicine'] } },
  };
});

const event = (name: SystemEvent['name'], data: unknown): FlowEvent =>
  ({ kind: 'system', name, data }) as FlowEvent;
const messages = (effects: Effect[]): OutboundMessage[] =>
  effects.flatMap((effect) => (effect.type === 'send' ? [effect.message] : []));
/** What was asked of the desk, as { type, ...request }. */
const asked = (effects: Effect[]) => effects.filter((effect) => effect.type.startsWith('queue.'));

const ticket = (overrides: Partial<TicketView> = {}): TicketView => ({
  id: 't-1',
  label: 'B-023',
  department: 'cardiology',
  status: 'waiting',
  ahead: 5,
  etaMinutes: 25,
  canRequeue: true,
  ...overrides,
});
const at = (day: number, hour: number) => new Date(Date.UTC(2026, 10, day, hour - 7, 0)).toISOString();
const appointment = (overrides: Partial<AppointmentView> = {}): AppointmentView => ({
  id: 'ap-1',
  start: at(24, 10),
  department: 'cardiology',
  status: 'booked',
  ...overrides,
});

describe('check in / my ticket', () => {
  it('is in the menu and asks the desk for the patient’s ticket or day', () => {
    const menu = messages(runFlow(context, [text('menu')], patientAtMenu()).effects).at(-1)!;
    expect(menu.choices).toContainEqual({ data: 'menu|queue', label: 'Check in / my ticket' });
    const { state, effects } = runFlow(context, [button('menu|queue')], patientAtMenu());
    expect(asked(effects)).toEqual([{ type: 'queue.mine', patientId: 'p-1' }]);
    expect(sent(effects)).toEqual(["One moment, I am asking the hospital's queue…"]);
    expect(state.step).toBe('queue.asked');
    // The answer puts the patient back at the menu, without asking it again.
    const back = runFlow(context, [event('queue.shown', { why: 'refresh' })], state);
    expect(back.state.step).toBe('menu.main');
    expect(sent(back.effects)).toEqual(["That ticket is no longer in today's queue."]);
  });

  it('asks an unregistered patient to finish registering first, asking the desk nothing', () => {
    const { effects } = runFlow(
      context,
      [button('menu|queue')],
      patientAtMenu('en', { patientId: undefined }),
    );
    expect(asked(effects)).toEqual([]);
    expect(sent(effects)[0]).toBe("Let's finish getting to know each other first.");
  });

  it('offers "I\'m here" for today\'s booked appointments only, and walk-ins where allowed (never emergency)', () => {
    const { effects } = runFlow(
      context,
      [
        event('queue.today', {
          appointments: [
            appointment(),
            appointment({ id: 'ap-2', start: at(25, 9) }),
            appointment({ id: 'ap-3', start: at(24, 15), status: 'pending' }),
          ],
        }),
      ],
      patientAtMenu(),
    );
    const [message] = messages(effects);
    expect(message!.text).toBe(
      "Your appointments today:\n• 10:00 · Cardiology\n\nPress “I'm here” when you arrive at the hospital, or show your check-in code at reception.\n\nYou can take a walk-in ticket for:",
    );
    expect(message!.choices).toEqual([
      { data: 'queue|here:ap-1', label: "I'm here · 10:00" },
      { data: 'queue|walkin:general_medicine', label: 'Walk-in · General medicine' },
      { data: 'queue|back', label: 'Back' },
    ]);
  });

  it('says so when there is neither an appointment today nor a walk-in department', () => {
    const { effects } = runFlow(
      { ...context, settings: { ...context.settings, queue: { links, walkInDepartments: [] } } },
      [event('queue.today', { appointments: [appointment({ start: at(26, 9) })] })],
      patientAtMenu(),
    );
    // Not a dead end: the menu it names follows.
    expect(sent(effects)).toEqual([
      'You have no appointment today. Book one from the menu.',
      'What would you like to do?',
    ]);
    expect(messages(effects)[1]!.choices).toContainEqual({ data: 'menu|book', label: 'Book an appointment' });
  });

  it('checks in with the triage acuity, takes walk-ins only for real departments', () => {
    const triaged = patientAtMenu('en', {
      triage: { acuity: 3, department: 'cardiology', reviewRequired: false, bookingUrgency: 'within-24h' },
    });
    expect(asked(runFlow(context, [button('queue|here:ap-1')], triaged).effects)).toEqual([
      { type: 'queue.checkIn', patientId: 'p-1', appointmentId: 'ap-1', acuity: 3 },
    ]);
    expect(
      asked(runFlow(context, [button('queue|walkin:general_medicine')], patientAtMenu()).effects),
    ).toEqual([{ type: 'queue.walkIn', patientId: 'p-1', department: 'general_medicine' }]);
    for (const forged of ['queue|walkin:emergency', 'queue|walkin:nowhere', 'queue|here:'])
      expect(asked(runFlow(context, [button(forged)], patientAtMenu()).effects), forged).toEqual([]);
  });
});

describe('the ticket in the chat', () => {
  it('reads "B-023 · Cardiology · 5 ahead · ~25 min" with Refresh, Leave and the live page', () => {
    const { effects } = runFlow(
      context,
      [event('queue.shown', { ticket: ticket(), why: 'checkedIn' })],
      patientAtMenu(),
    );
    const [message] = messages(effects);
    expect(message!.text).toBe(
      '✅ You are checked in. Your ticket:\nB-023 · Cardiology · 5 ahead · ~25 min\n\nI will message you as your turn comes near. You can also follow the queue live on your ticket page.',
    );
    expect(message!.choices).toEqual([
      { data: 'queue|refresh', label: 'Refresh' },
      { data: 'queue|leave:B-023', label: 'Leave the queue' },
    ]);
    // In the conversation's language; the signed token itself is unchanged.
    expect(message!.links).toEqual([{ label: 'Live ticket', url: `${links.ticketUrl('t-1')}?lang=en` }]);
    const token = new URL(message!.links![0]!.url).pathname.split('/ticket/')[1]!;
    expect(links.verify('ticket', token)).toBe('t-1');
  });

  it.each([
    [{ ahead: 0 }, 'B-023 · Cardiology · you are next'],
    [{ etaMinutes: undefined }, 'B-023 · Cardiology · 5 ahead'],
    [{ status: 'called', ahead: undefined, room: '4' }, 'B-023 · Cardiology · your turn — room 4'],
    [{ status: 'done' }, 'Ticket B-023 is finished. Thank you for your visit.'],
  ] as const)('refreshed %j reads %s', (overrides, line) => {
    const { effects } = runFlow(
      context,
      [event('queue.shown', { ticket: ticket(overrides), why: 'refresh' })],
      patientAtMenu(),
    );
    expect(sent(effects)).toEqual([line]);
  });

  it('refreshes and leaves only the patient’s own ticket, after asking', () => {
    expect(asked(runFlow(context, [button('queue|refresh')], patientAtMenu()).effects)).toEqual([
      { type: 'queue.show', why: 'refresh' },
    ]);
    const asking = runFlow(context, [button('queue|leave:B-023')], patientAtMenu());
    expect(asked(asking.effects)).toEqual([]);
    expect(messages(asking.effects)[0]).toMatchObject({
      text: 'Leave the queue? Ticket B-023 will be cancelled and you will lose your place.',
      choices: [
        { data: 'queue|leaveYes', label: 'Yes, leave' },
        { data: 'queue|stay', label: 'Stay in line' },
      ],
    });
    expect(asked(runFlow(context, [button('queue|leaveYes')], patientAtMenu()).effects)).toEqual([
      { type: 'queue.leave', patientId: 'p-1' },
    ]);
    expect(sent(runFlow(context, [button('queue|stay')], patientAtMenu()).effects)).toEqual([
      'You keep your place in line.',
    ]);
    const left = runFlow(
      context,
      [event('queue.shown', { ticket: ticket({ status: 'left' }), why: 'left' })],
      patientAtMenu(),
    );
    expect(sent(left.effects)).toEqual(['You have left the queue. Ticket B-023 is cancelled.']);
    // A label that is not one is never echoed back.
    expect(sent(runFlow(context, [button('queue|leave:<b>hi</b>')], patientAtMenu()).effects)).toEqual([
      'Sorry, I did not understand. Please choose one of the buttons.',
    ]);
  });

  it('shows a ticket the desk issued (the check-in page, reception) as checked in, with its links', () => {
    const { effects } = runFlow(context, [event('queue.ticket', { ticket: ticket() })], patientAtMenu());
    expect(messages(effects)).toEqual([
      expect.objectContaining({
        text: expect.stringMatching(
          /^✅ You are checked in\. Your ticket:\nB-023 · Cardiology · 5 ahead/,
        ) as unknown,
        links: [{ label: 'Live ticket', url: `${links.ticketUrl('t-1')}?lang=en` }],
      }),
    ]);
  });

  it('says when a check-in opens, in the hospital’s zone, and why others are refused', () => {
    const refused = (data: unknown) =>
      sent(runFlow(context, [event('queue.refused', data)], patientAtMenu()).effects)[0];
    expect(refused({ reason: 'too_early', opensAt: Date.UTC(2026, 10, 25, 2, 0) })).toBe(
      'It is too early to check in for this appointment: you can check in from 09:00 on Wednesday, November 25.',
    );
    expect(refused({ reason: 'too_late', closedAt: Date.UTC(2026, 10, 24, 2, 15) })).toContain(
      'closed at 09:15',
    );
    expect(refused({ reason: 'walk_in_not_allowed', department: 'cardiology' })).toBe(
      'Cardiology does not take walk-in patients. Please book an appointment.',
    );
    expect(refused({ reason: 'hospital_unavailable' })).toContain('nothing has changed');
    // Never a dead end: the menu follows at the menu; elsewhere the patient stays where they were.
    const tooEarly = event('queue.refused', { reason: 'too_early', opensAt: Date.UTC(2026, 10, 25, 2, 0) });
    const atMenu = runFlow(context, [tooEarly], patientAtMenu());
    expect(atMenu.state.step).toBe('menu.main');
    expect(messages(atMenu.effects).at(-1)).toMatchObject({
      text: 'What would you like to do?',
      choices: expect.arrayContaining([{ data: 'menu|queue', label: 'Check in / my ticket' }]) as unknown,
    });
    const asking = runFlow(context, [button('menu|queue'), tooEarly], patientAtMenu());
    expect(asking.state.step).toBe('menu.main');
    expect(sent(asking.effects).at(-1)).toBe('What would you like to do?');
    const inBooking = runFlow(context, [tooEarly], patientAtMenu('en', { step: 'booking.department' }));
    expect(inBooking.state.step).toBe('booking.department');
    expect(sent(inBooking.effects)).toHaveLength(1);
  });
});

describe('as the queue moves', () => {
  it('tells the thresholds, the turn and a transfer wherever the patient is', () => {
    const inBooking = patientAtMenu('en', { step: 'booking.department' });
    const { state, effects } = runFlow(
      context,
      [
        event('queue.ahead', { ticket: ticket({ ahead: 2, etaMinutes: 10 }) }),
        event('queue.called', { ticket: ticket({ status: 'called', ahead: undefined, room: '4' }) }),
        event('queue.transferred', {
          ticket: ticket({ department: 'neurology', room: '7', label: 'N-004' }),
        }),
      ],
      inBooking,
    );
    expect(sent(effects)).toEqual([
      'Ticket B-023: 2 ahead of you now (~10 min). Please stay close to Cardiology.',
      '🔔 Your turn — room 4. Ticket B-023, Cardiology.',
      'Your ticket N-004 has moved to Neurology, room 7.\nN-004 · Neurology · 5 ahead · ~25 min',
    ]);
    expect(messages(effects)[0]!.choices).toEqual([{ data: 'queue|refresh', label: 'Refresh' }]);
    // The news does not take the patient out of what they were doing.
    expect(state.step).toBe('booking.department');
  });

  it('offers a missed turn back in line once, for that ticket only', () => {
    const missed = runFlow(
      context,
      [event('queue.missed', { ticket: ticket({ status: 'no_show' }) })],
      patientAtMenu(),
    );
    expect(messages(missed.effects)[0]).toEqual({
      text: 'You missed your turn (ticket B-023). You can go back in line once, at the back.',
      choices: [{ data: 'queue|requeue', label: 'Back in line' }],
    });
    const requeue = runFlow(context, [button('queue|requeue')], missed.state);
    expect(asked(requeue.effects)).toEqual([{ type: 'queue.requeue', ticketId: 't-1' }]);
    const back = runFlow(
      context,
      [event('queue.shown', { ticket: ticket({ ahead: 9 }), why: 'requeued' })],
      requeue.state,
    );
    expect(sent(back.effects)[0]).toBe('You are back in line:\nB-023 · Cardiology · 9 ahead · ~25 min');
    expect(back.state.queue?.missed).toBeUndefined();
    // Nothing missed (or already re-queued): the button asks the desk nothing.
    expect(asked(runFlow(context, [button('queue|requeue')], back.state).effects)).toEqual([]);
    const final = runFlow(
      context,
      [event('queue.missed', { ticket: ticket({ status: 'no_show', canRequeue: false }) })],
      patientAtMenu(),
    );
    expect(sent(final.effects)).toEqual([
      'You missed your turn (ticket B-023). Please go to the reception desk.',
    ]);
    expect(final.state.queue?.missed).toBeUndefined();
  });

  it('interrupts with emergency guidance while waiting', () => {
    const waiting = runFlow(
      context,
      [event('queue.shown', { ticket: ticket(), why: 'checkedIn' })],
      patientAtMenu(),
    );
    const { effects } = runFlow(context, [text("I can't breathe")], waiting.state);
    expect(messages(effects).at(-1)).toMatchObject({ urgent: true, calls: [{ number: '115' }] });
    expect(asked(effects)).toEqual([]);
  });
});

describe('the check-in code', () => {
  const url = links.checkInUrl('ap-1', Date.parse(at(24, 10)));
  const code = {
    text: 'Check-in code for Tuesday, November 24 at 10:00 (Cardiology): show this QR code at reception, or open the link when you arrive.',
    image: { url: `${url}/qr.png`, alt: 'Check-in QR code for Tuesday, November 24 at 10:00' },
    links: [{ label: 'Check in', url: `${url}?lang=en` }],
  };

  it('links to a signed check-in page for that appointment', () => {
    expect(url).toMatch(/^https:\/\/h\.example\/checkin\/[\w-]+\.[\w-]+$/);
    expect(links.verify('checkin', checkInToken(url))).toBe('ap-1');
  });

  it('hands the links out in the conversation’s language, the QR code holding the bare link', () => {
    const vi = patientAtMenu('vi');
    const [code] = messages(
      runFlow(context, [event('booking.approved', { start: at(24, 10), appointmentId: 'ap-1' })], vi).effects,
    ).filter((message) => message.image);
    expect(code!.links).toEqual([{ label: expect.any(String) as unknown, url: `${url}?lang=vi` }]);
    expect(code!.image!.url).toBe(`${url}/qr.png`);
    expect(links.verify('checkin', checkInToken(code!.links![0]!.url))).toBe('ap-1');
    const [ticketMessage] = messages(
      runFlow(context, [event('queue.shown', { ticket: ticket(), why: 'refresh' })], vi).effects,
    );
    expect(ticketMessage!.links![0]!.url).toBe(`${links.ticketUrl('t-1')}?lang=vi`);
  });

  it('comes with a booked appointment’s confirmation, in the same message, not with a pending one', () => {
    const booking = patientAtMenu('en', {
      step: 'booking.booking',
      draft: { waiting: 'book', department: 'cardiology' },
    });
    const booked = (status: string) =>
      messages(
        runFlow(
          context,
          [event('booking', { kind: 'booked', appointment: appointment({ status }) })],
          booking,
        ).effects,
      );
    // Before the menu, so the engine sends the confirmation and the code as one message.
    const [confirmation, qr, menu] = booked('booked');
    expect(confirmation!.text).toMatch(/^✅ Your appointment is booked: Tuesday, November 24 at 10:00/);
    expect(qr).toEqual(code);
    expect(menu!.text).toBe('What would you like to do?');
    expect(booked('pending').some((message) => message.image)).toBe(false);
  });

  it('comes with a paid appointment’s receipt', () => {
    const paid = runFlow(
      context,
      [
        event('payment.confirmed', {
          appointment: appointment(),
          receipt: 'R-1',
          amountMinor: 200_000,
          currency: 'VND',
        }),
      ],
      patientAtMenu(),
    );
    expect(messages(paid.effects).find((message) => message.image)).toMatchObject({
      image: code.image,
      links: code.links,
    });
    // News that needs no answer: the menu follows, one tap away.
    expect(messages(paid.effects).at(-1)!.text).toBe('What would you like to do?');
  });

  it('comes with a nurse’s approval of a pending booking, then the menu', () => {
    const approved = runFlow(
      context,
      [event('booking.approved', { start: at(24, 10), appointmentId: 'ap-1', department: 'cardiology' })],
      patientAtMenu(),
    );
    const [told, qr, menu] = messages(approved.effects);
    expect(told!.text).toBe('✅ A nurse has confirmed your appointment on Tuesday, November 24 at 10:00.');
    expect(qr).toEqual(code);
    expect(links.verify('checkin', checkInToken(qr!.links![0]!.url))).toBe('ap-1');
    expect(menu!.text).toBe('What would you like to do?');
    // Its reminders are (again) the conversation's timers: none for a time already here, both
    // for one two days ahead.
    const timers = (effects: Effect[]) =>
      effects.flatMap((effect) => (effect.type === 'schedule' ? [effect.id] : []));
    expect(timers(approved.effects)).toEqual([]);
    const ahead = runFlow(
      context,
      [event('booking.approved', { start: at(26, 10), appointmentId: 'ap-1' })],
      patientAtMenu(),
    );
    expect(timers(ahead.effects)).toEqual(['reminder:ap-1:24h', 'reminder:ap-1:2h']);
    // Elsewhere in the chat the patient is told without being moved out of what they do.
    const inBooking = runFlow(
      context,
      [event('booking.approved', { start: at(24, 10), appointmentId: 'ap-1', department: 'cardiology' })],
      patientAtMenu('en', { step: 'booking.department' }),
    );
    expect(inBooking.state.step).toBe('booking.department');
    expect(messages(inBooking.effects).filter((message) => message.image)).toEqual([code]);
  });

  it('is under "My appointments" for today’s appointments only', () => {
    const list = runFlow(
      context,
      [
        button('menu|appointments'),
        event('booking', {
          kind: 'appointments',
          appointments: [appointment(), appointment({ id: 'ap-2', start: at(30, 9) })],
        }),
      ],
      patientAtMenu(),
    );
    const shown = messages(list.effects).filter((message) => message.image);
    expect(shown).toEqual([code]);
    expect(messages(list.effects).at(-1)!.text).toMatch(/^Your appointments:/);
  });

  it('is not given where the queue is not set up', () => {
    const bare = { ...context, settings: { ...context.settings, queue: undefined } };
    const list = runFlow(
      bare,
      [
        button('menu|appointments'),
        event('booking', { kind: 'appointments', appointments: [appointment()] }),
      ],
      patientAtMenu(),
    );
    expect(messages(list.effects).some((message) => message.image)).toBe(false);
  });
});

describe.each(SUPPORTED_LOCALES)('in %s', (locale) => {
  it('every queue message is translated and names the ticket', () => {
    const state = patientAtMenu(locale);
    const { effects } = runFlow(
      context,
      [
        button('menu|queue'),
        event('queue.today', { appointments: [appointment()] }),
        event('queue.shown', { ticket: ticket(), why: 'checkedIn' }),
        event('queue.ahead', { ticket: ticket({ ahead: 2 }) }),
        event('queue.called', { ticket: ticket({ status: 'called', room: '4' }) }),
        event('queue.missed', { ticket: ticket({ status: 'no_show' }) }),
        event('queue.refused', { reason: 'too_early', opensAt: NOW }),
        button('menu|appointments'),
        event('booking', { kind: 'appointments', appointments: [appointment()] }),
      ],
      state,
    );
    const texts = messages(effects).flatMap((m) => [m.text, ...(m.choices ?? []).map((c) => c.label)]);
    for (const line of texts) expect(line).not.toMatch(/queue:|\{\{/);
    expect(texts.filter((line) => line.includes('B-023')).length).toBeGreaterThanOrEqual(4);
    expect(texts.join('\n')).toContain('4');
    if (locale !== 'en') expect(texts).not.toContain('Check in / my ticket');
  });

  it('names check-in in the menu as the check-in page does', () => {
    const t = context.text(locale);
    const item = t('queue:menu');
    expect(item.startsWith(t('queue-pages:checkin.title')), item).toBe(true);
    // No English word in another language's menu (the page says it in the patient's).
    if (locale !== 'en') expect(item).not.toMatch(/check/i);
  });
});
