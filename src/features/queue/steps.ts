// The patient's side of the queue: "Check in / my ticket" (today's appointments with "I'm
// here", walk-in tickets), the ticket message with its buttons, and what is said as the queue
// moves (thresholds, "your turn", a missed turn, a transfer), wherever the patient is.
import type { ConversationState, StepContext, SystemEventOf } from '../../conversation/flow.ts';
import type { OutboundMessage } from '../../conversation/message.ts';
import type { AppointmentView } from '../../domain/booking.ts';
import type { CheckInRefusal, TicketView } from '../../domain/queue.ts';
import { zonedDate } from '../../domain/time-zone.ts';
import { DEPARTMENTS, type Department } from '../../domain/triage.ts';
import { departmentName, when } from '../booking/appointment-text.ts';
import { choices, send, type Flow, type Outcome } from '../kit.ts';
import type { TicketShown } from './events.ts';
import { inLanguage, qrUrlOf } from './settings.ts';

declare module '../../conversation/flow.ts' {
  interface ConversationState {
    /** The ticket whose missed turn the patient may re-queue (only their own). */
    queue?: { missed?: string };
  }
}

/** Buttons of the queue's messages: "queue|<action>[:<value>]", answered from any step. */
const BUTTONS = 'queue';

const told = (state: ConversationState, ...messages: OutboundMessage[]): Outcome => ({
  state,
  effects: messages.map(send),
});

/** "B-023 · Cardiology · 5 ahead · ~25 min", or the ticket's turn, or how it ended. */
export function ticketLine(ticket: TicketView, state: ConversationState, context: StepContext): string {
  const t = context.text(state.locale);
  const values = {
    label: ticket.label,
    department: departmentName(ticket.department, context, state.locale),
    ahead: ticket.ahead ?? 0,
    minutes: ticket.etaMinutes ?? 0,
    room: ticket.room ?? '',
  };
  switch (ticket.status) {
    case 'called':
      return t('queue:ticket.called', values);
    case 'done':
      return t('queue:ticket.finished', values);
    case 'no_show':
      return t('queue:ticket.missed', values);
    case 'left':
      return t('queue:ticket.left', values);
    case 'waiting':
      if (!ticket.ahead) return t('queue:ticket.next', values);
      return t(
        ticket.etaMinutes === undefined ? 'queue:ticket.waitingNoEta' : 'queue:ticket.waiting',
        values,
      );
  }
}

/** The ticket with "Refresh", "Leave the queue" and the live page, while it is in line. */
export function ticketMessage(
  ticket: TicketView,
  state: ConversationState,
  context: StepContext,
  intro?: string,
): OutboundMessage {
  const t = context.text(state.locale);
  const signed = context.settings.queue?.links.ticketUrl(ticket.id);
  const liveUrl = signed && inLanguage(signed, state.locale);
  const line = ticketLine(ticket, state, context);
  const live = ticket.status === 'waiting' || ticket.status === 'called';
  return {
    text: intro ? `${intro}\n${line}` : line,
    ...(live
      ? {
          choices: choices(BUTTONS, [
            ['refresh', t('queue:ticket.refresh')],
            // The label only names the ticket in the question; leaving acts on the patient's own.
            [`leave:${ticket.label}`, t('queue:ticket.leave')],
          ]),
        }
      : {}),
    ...(live && liveUrl ? { links: [{ label: t('queue:ticket.live'), url: liveUrl }] } : {}),
  };
}

/**
 * While the desk answers "Check in / my ticket": nothing is asked (the answer comes as news,
 * which puts the patient back at the menu); anything else said meanwhile gets the menu.
 */
export const queue: Flow = {
  name: 'queue',
  steps: {
    asked: {
      next: ['menu.main'],
      prompt: () => [],
      handle: (state) => ({ state, effects: [], to: 'menu.main' }),
    },
  },
};

/** "Check in / my ticket" from the menu: the desk is asked for the patient's ticket or day. */
export function startQueue(state: ConversationState, context: StepContext): Outcome {
  return {
    state: { ...state, draft: {} },
    effects: [
      { type: 'queue.mine', patientId: state.patientId ?? '' },
      send({ text: context.text(state.locale)('queue:loading') }),
    ],
    to: 'queue.asked',
  };
}

/** The answer to "Check in / my ticket" arrived: the patient is at the menu again, unasked. */
const answered = (state: ConversationState): ConversationState =>
  state.step === 'queue.asked' ? { ...state, step: 'menu.main' } : state;

/** Today's booked appointments (in the hospital's zone), the ones "I'm here" is for. */
export function todays(appointments: AppointmentView[], context: StepContext): AppointmentView[] {
  const zone = context.settings.hospitalTimeZone;
  const today = zonedDate(new Date(context.now), zone);
  return appointments.filter(
    (view) => view.status === 'booked' && zonedDate(new Date(view.start), zone) === today,
  );
}

/** No live ticket: today's appointments with "I'm here", and the walk-in departments. */
export function today(
  state: ConversationState,
  { data }: SystemEventOf<'queue.today'>,
  context: StepContext,
): Outcome {
  state = answered(state);
  const t = context.text(state.locale);
  const zone = context.settings.hospitalTimeZone;
  const booked = todays(data.appointments, context);
  const lines = booked.map((view) =>
    t('queue:today.line', {
      time: when(view.start, state.locale, zone).time,
      department: departmentName(view.department, context, state.locale),
    }),
  );
  // An emergency is never a ticket from the chat: the emergency guidance says where to go.
  const walkIn = (context.settings.queue?.walkInDepartments ?? []).filter(
    (department) => department !== 'emergency' && (DEPARTMENTS as readonly string[]).includes(department),
  );
  if (booked.length === 0 && walkIn.length === 0)
    return atTheMenu(told(state, { text: t('queue:today.none') }));
  const text = [
    ...(booked.length > 0 ? [`${t('queue:today.list')}\n${lines.join('\n')}`, t('queue:today.hint')] : []),
    ...(booked.length === 0 ? [t('queue:today.none')] : []),
    ...(walkIn.length > 0 ? [t('queue:today.walkInIntro')] : []),
  ].join('\n\n');
  return told(state, {
    text,
    choices: choices(BUTTONS, [
      ...booked.map((view): [string, string] => [
        `here:${view.id}`,
        t('queue:today.here', { time: when(view.start, state.locale, zone).time }),
      ]),
      ...walkIn.map((department): [string, string] => [
        `walkin:${department}`,
        t('queue:today.walkIn', { department: departmentName(department, context, state.locale) }),
      ]),
      ['back', t('queue:today.back')],
    ]),
  });
}

/** A check-in, a walk-in or the desk itself refused. */
export function refused(
  state: ConversationState,
  { data }: SystemEventOf<'queue.refused'>,
  context: StepContext,
): Outcome {
  return atTheMenu(told(answered(state), { text: refusalText(data, state, context) }));
}

/**
 * An answer that leaves nothing to press is followed by the menu when the patient is at it
 * (payments' rule), so a refusal is never a dead end; elsewhere they stay where they were.
 */
const atTheMenu = (outcome: Outcome): Outcome =>
  outcome.state.step === 'menu.main' ? { ...outcome, to: 'menu.main' } : outcome;

/** Why a check-in or walk-in was refused, and when it can be done. */
export function refusalText(refusal: CheckInRefusal, state: ConversationState, context: StepContext): string {
  const t = context.text(state.locale);
  const zone = context.settings.hospitalTimeZone;
  switch (refusal.reason) {
    case 'too_early':
      return t('queue:refused.tooEarly', when(new Date(refusal.opensAt).toISOString(), state.locale, zone));
    case 'too_late':
      return t('queue:refused.tooLate', when(new Date(refusal.closedAt).toISOString(), state.locale, zone));
    case 'no_appointment':
      return t('queue:refused.noAppointment');
    case 'walk_in_not_allowed':
      return t('queue:refused.walkInNotAllowed', {
        department: departmentName(refusal.department, context, state.locale),
      });
    case 'hospital_unavailable':
      return t('queue:refused.unavailable');
  }
}

const INTRO: Record<TicketShown, string | undefined> = {
  checkedIn: 'queue:ticket.checkedIn',
  requeued: 'queue:requeued',
  refresh: undefined,
  left: undefined,
};

/** A ticket the chat asked the desk for, shown with why. */
export function shown(
  state: ConversationState,
  { data }: SystemEventOf<'queue.shown'>,
  context: StepContext,
): Outcome {
  state = answered(state);
  const t = context.text(state.locale);
  const { ticket, why } = data;
  if (!ticket) return told(state, { text: t('queue:ticket.gone') });
  if (why === 'left') return told(state, { text: t('queue:leave.done', { label: ticket.label }) });
  const intro = INTRO[why] && t(INTRO[why]);
  const message = ticketMessage(ticket, state, context, intro);
  // Told once, when the ticket is new: the queue's messages come by themselves.
  if (why === 'checkedIn' && ticket.status === 'waiting')
    message.text = `${message.text}\n\n${t('queue:ticket.follow')}`;
  const { missed: _requeued, ...queue } = state.queue ?? {};
  return told(why === 'requeued' ? { ...state, queue } : state, message);
}

/** The desk issued a ticket outside the chat (the check-in page, reception's scanner, a kiosk). */
export function issued(
  state: ConversationState,
  { data }: SystemEventOf<'queue.ticket'>,
  context: StepContext,
): Outcome {
  return shown(
    state,
    { kind: 'system', name: 'queue.shown', data: { ticket: data.ticket, why: 'checkedIn' } },
    context,
  );
}

function values(ticket: TicketView, state: ConversationState, context: StepContext) {
  return {
    label: ticket.label,
    department: departmentName(ticket.department, context, state.locale),
    ahead: ticket.ahead ?? 0,
    minutes: ticket.etaMinutes ?? 0,
    room: ticket.room ?? '',
  };
}

/** A QUEUE_NOTIFY_AHEAD threshold: how many are ahead now. */
export function ahead(
  state: ConversationState,
  { data }: SystemEventOf<'queue.ahead'>,
  context: StepContext,
) {
  const t = context.text(state.locale);
  const key = data.ticket.etaMinutes === undefined ? 'queue:aheadNoEta' : 'queue:ahead';
  return told(state, {
    text: t(key, values(data.ticket, state, context)),
    choices: choices(BUTTONS, [['refresh', t('queue:ticket.refresh')]]),
  });
}

/** "Your turn — room 4" (and again at each recall). */
export function called(
  state: ConversationState,
  { data }: SystemEventOf<'queue.called'>,
  context: StepContext,
) {
  return told(state, {
    text: context.text(state.locale)('queue:called', values(data.ticket, state, context)),
  });
}

/** A missed turn: back in line once (the button works for this ticket only), else reception. */
export function missed(
  state: ConversationState,
  { data }: SystemEventOf<'queue.missed'>,
  context: StepContext,
) {
  const t = context.text(state.locale);
  const { ticket } = data;
  if (!ticket.canRequeue)
    return told(state, { text: t('queue:missedFinal', values(ticket, state, context)) });
  return told(
    { ...state, queue: { ...state.queue, missed: ticket.id } },
    {
      text: t('queue:missed', values(ticket, state, context)),
      choices: choices(BUTTONS, [['requeue', t('queue:requeue')]]),
    },
  );
}

/** Staff moved the ticket to another department or room. */
export function transferred(
  state: ConversationState,
  { data }: SystemEventOf<'queue.transferred'>,
  context: StepContext,
) {
  const t = context.text(state.locale);
  const { ticket } = data;
  const text = t(ticket.room ? 'queue:transferredRoom' : 'queue:transferred', values(ticket, state, context));
  return told(state, { ...ticketMessage(ticket, state, context, text) });
}

/**
 * A booked appointment's check-in code: the QR image, with the link to the check-in page (in
 * the confirmation's message, and in "My appointments" for today's). None for a time not yet
 * firm (pending review, awaiting payment) or where the queue is not set up.
 */
export function checkInCodes(
  appointments: AppointmentView[],
  state: ConversationState,
  context: StepContext,
): OutboundMessage[] {
  const links = context.settings.queue?.links;
  if (!links) return [];
  const t = context.text(state.locale);
  return appointments
    .filter((view) => view.status === 'booked')
    .map((view) => {
      const at = {
        ...when(view.start, state.locale, context.settings.hospitalTimeZone),
        department: departmentName(view.department, context, state.locale),
      };
      const url = links.checkInUrl(view.id, Date.parse(view.start));
      // The QR code holds the bare link: whoever scans it (reception, a kiosk) reads the page
      // in their own browser's language; the link the patient taps is in theirs.
      return {
        text: t('queue:code.text', at),
        image: { url: qrUrlOf(url), alt: t('queue:code.alt', at) },
        links: [{ label: t('queue:code.button'), url: inLanguage(url, state.locale) }],
      };
    });
}

/** The queue's buttons, from any message: "I'm here", walk-in, refresh, leave, re-queue. */
export function queueButton(state: ConversationState, value: string, context: StepContext): Outcome {
  const t = context.text(state.locale);
  const [action = '', argument = ''] = value.split(':');
  const patientId = state.patientId ?? '';
  const acuity = state.triage?.acuity;
  const loading = send({ text: t('queue:loading') });
  switch (action) {
    case 'here':
      if (!patientId || !argument) break;
      return {
        state,
        effects: [
          { type: 'queue.checkIn', patientId, appointmentId: argument, ...(acuity ? { acuity } : {}) },
          loading,
        ],
      };
    case 'walkin':
      if (!patientId || argument === 'emergency' || !(DEPARTMENTS as readonly string[]).includes(argument))
        break;
      return {
        state,
        effects: [
          {
            type: 'queue.walkIn',
            patientId,
            department: argument as Department,
            ...(acuity ? { acuity } : {}),
          },
          loading,
        ],
      };
    case 'refresh':
      return { state, effects: [{ type: 'queue.show', why: 'refresh' }] };
    case 'leave':
      // The label comes back from the button, so it is shown only if it looks like one.
      if (!/^[\p{Lu}\d]{1,4}-\d{1,5}$/u.test(argument)) break;
      return told(state, {
        text: t('queue:leave.confirm', { label: argument }),
        choices: choices(BUTTONS, [
          ['leaveYes', t('queue:leave.yes')],
          ['stay', t('queue:leave.no')],
        ]),
      });
    case 'leaveYes':
      return { state, effects: [{ type: 'queue.leave', patientId }] };
    case 'stay':
      return told(state, { text: t('queue:leave.stayed') });
    case 'requeue':
      if (!state.queue?.missed) return told(state, { text: t('queue:ticket.gone') });
      return { state, effects: [{ type: 'queue.requeue', ticketId: state.queue.missed }, loading] };
    case 'back':
      return { state: { ...state, draft: {} }, effects: [], to: 'menu.main' };
  }
  return told(state, { text: t('menu.notUnderstood') });
}
