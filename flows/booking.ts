// Booking and "My appointments": department (suggested by triage), doctor or anyone, free
// times by day, confirm. The hospital is asked through `booking` effects; its answers come
// back as the system event "booking" while the step waits. Triage limits what may be booked:
// level 1 is sent to the emergency number, "same-day" offers only today, review-before-booking
// books as pending until a nurse confirms.
import type { ConversationState, Effect, FlowEvent, StepContext } from '../src/conversation/flow.ts';
import type { OutboundMessage } from '../src/conversation/message.ts';
import {
  bookingLimits,
  nameIn,
  type AppointmentView,
  type BookingResult,
  type DoctorOption,
  type SlotOption,
} from '../src/domain/booking.ts';
import { emergencyNumberFor } from '../src/domain/red-flags.ts';
import { addDays, zonedDate } from '../src/domain/time-zone.ts';
import { DEPARTMENTS, type Department } from '../src/domain/triage.ts';
import { dayName, departmentName, describe, when } from './appointment-text.ts';
import { choices, pressed, send, stay, type Flow, type Outcome, type StepDefinition } from './kit.ts';
import { checkoutMessage, feeLine, payable, refundPreviewText, refundText } from './payment.ts';

const BOOKABLE = DEPARTMENTS.filter((department) => department !== 'emergency');
const isBookable = (value: string | undefined): value is Department =>
  (BOOKABLE as readonly string[]).includes(value ?? '');

/** The hospital's answer, when `event` is one. */
export function bookingResult(event: FlowEvent): BookingResult | undefined {
  if (event.kind !== 'system' || event.name !== 'booking' || typeof event.data.result !== 'string')
    return undefined;
  return JSON.parse(event.data.result) as BookingResult;
}

const parse = <T>(raw: string | undefined, fallback: T): T => (raw ? (JSON.parse(raw) as T) : fallback);

/** Asks the hospital, says "one moment", and waits on `step` for the answer. */
function ask(
  state: ConversationState,
  context: StepContext,
  request: Extract<Effect, { type: 'booking' }>['request'],
  step: string,
  draft: Record<string, string> = {},
): Outcome {
  return {
    state: { ...state, draft: { ...state.draft, ...draft, waiting: request.kind } },
    effects: [
      { type: 'booking', patientId: state.patientId ?? '', request },
      send({ text: context.text(state.locale)('booking:loading') }),
    ],
    to: step,
  };
}

function askSlots(
  state: ConversationState,
  context: StepContext,
  day: string,
  draft: Record<string, string> = {},
): Outcome {
  const department = (draft.department ?? state.draft.department) as Department;
  const scheduleId = draft.scheduleId ?? state.draft.scheduleId;
  const after = draft.after ?? state.draft.after;
  return ask(
    state,
    context,
    {
      kind: 'slots',
      department,
      ...(scheduleId ? { scheduleId } : {}),
      day,
      sameDayOnly: bookingLimits(state.triage).sameDayOnly,
      ...(after ? { after } : {}),
    },
    'booking.slot',
    { ...draft, day },
  );
}

/** Someone else got the slot: say so and show what is free now. */
function slotTaken(
  state: ConversationState,
  context: StepContext,
  key = 'booking:taken',
  values = {},
): Outcome {
  const next = askSlots(state, context, state.draft.day ?? today(context));
  return {
    ...next,
    effects: [
      send({ text: context.text(state.locale)(key, values) }),
      ...next.effects.filter((effect) => effect.type !== 'send'),
    ],
  };
}

const today = (context: StepContext) => zonedDate(new Date(context.now), context.settings.hospitalTimeZone);

/** While the hospital has not answered, anything the patient says gets "one moment". */
function waitingFor(state: ConversationState, context: StepContext): Outcome {
  return { state, effects: [send({ text: context.text(state.locale)('booking:loading') })] };
}

function failed(state: ConversationState, context: StepContext): Outcome {
  return {
    state: { ...state, draft: {} },
    effects: [send({ text: context.text(state.locale)('booking:failed') })],
    to: 'menu.main',
  };
}

const useButtons = (state: ConversationState, context: StepContext) =>
  stay(state, send({ text: context.text(state.locale)('triage:intake.useButtons') }));

export const booking: Flow = {
  name: 'booking',
  steps: {
    department: {
      next: ['booking.doctor', 'menu.main'],
      prompt: (state, context) => {
        const t = context.text(state.locale);
        const suggested = isBookable(state.triage?.department) ? state.triage.department : undefined;
        const order = suggested ? [suggested, ...BOOKABLE.filter((d) => d !== suggested)] : BOOKABLE;
        const intro = suggested
          ? `${t('booking:suggested', { department: departmentName(suggested, context, state.locale) })}\n\n`
          : '';
        return [
          {
            text: `${intro}${t('booking:department')}`,
            choices: choices('booking.department', [
              ...order.map((department): [string, string] => [
                department,
                departmentName(department, context, state.locale),
              ]),
              ['back', t('booking:back')],
            ]),
          },
        ];
      },
      handle: (state, event, context) => {
        const value = pressed(event, 'booking.department');
        if (value === 'back') return { state: { ...state, draft: {} }, effects: [], to: 'menu.main' };
        if (!isBookable(value)) return useButtons(state, context);
        return ask(state, context, { kind: 'doctors', department: value }, 'booking.doctor', {
          department: value,
        });
      },
    },

    doctor: {
      next: ['booking.department', 'booking.slot', 'menu.main'],
      prompt: (state, context) => {
        if (state.draft.waiting) return [];
        const t = context.text(state.locale);
        const doctors = parse<DoctorOption[]>(state.draft.doctors, []);
        return [
          {
            text: t('booking:doctor'),
            choices: choices('booking.doctor', [
              ['any', t('booking:anyone')],
              ...doctors.map((doctor): [string, string] => [
                doctor.scheduleId,
                nameIn(doctor.names, state.locale),
              ]),
              ['back', t('booking:back')],
            ]),
          },
        ];
      },
      handle: (state, event, context) => {
        const result = bookingResult(event);
        if (result?.kind === 'doctors') {
          const { waiting: _done, ...draft } = state.draft;
          return {
            state: { ...state, draft: { ...draft, doctors: JSON.stringify(result.doctors) } },
            effects: [],
            to: 'booking.doctor',
          };
        }
        if (result?.kind === 'failed') return failed(state, context);
        if (state.draft.waiting) return waitingFor(state, context);
        const value = pressed(event, 'booking.doctor');
        if (value === 'back')
          return { state: { ...state, draft: {} }, effects: [], to: 'booking.department' };
        const doctors = parse<DoctorOption[]>(state.draft.doctors, []);
        if (value !== 'any' && !doctors.some((doctor) => doctor.scheduleId === value))
          return useButtons(state, context);
        return askSlots(state, context, today(context), {
          scheduleId: value === 'any' ? '' : (value ?? ''),
          after: '',
          pages: '',
        });
      },
    },

    slot: {
      next: ['booking.doctor', 'booking.confirm', 'booking.slot', 'menu.main'],
      prompt: (state, context) => {
        if (state.draft.waiting) return [];
        const t = context.text(state.locale);
        const slots = parse<SlotOption[]>(state.draft.slots, []);
        const day = dayName(
          state.draft.day ?? today(context),
          state.locale,
          context.settings.hospitalTimeZone,
        );
        const sameDayOnly = bookingLimits(state.triage).sameDayOnly;
        return [
          {
            text: slots.length > 0 ? t('booking:slots', { day }) : t('booking:none', { day }),
            choices: choices('booking.slot', [
              ...slots.map((slot): [string, string] => {
                const at = when(slot.start, state.locale, context.settings.hospitalTimeZone);
                const doctor = state.draft.scheduleId ? '' : ` · ${nameIn(slot.doctor, state.locale)}`;
                return [slot.id, `${at.time}${doctor}`];
              }),
              ...(parse<string[]>(state.draft.pages, []).length > 0
                ? [['earlier', t('booking:earlierTimes')] as [string, string]]
                : []),
              ...(state.draft.more === 'yes' ? [['later', t('booking:laterTimes')] as [string, string]] : []),
              ...(sameDayOnly ? [] : [['next', t('booking:nextDay')] as [string, string]]),
              ['back', t('booking:back')],
            ]),
          } satisfies OutboundMessage,
        ];
      },
      handle: (state, event, context) => {
        const t = context.text(state.locale);
        const result = bookingResult(event);
        if (result?.kind === 'slots') {
          const { waiting: _done, ...draft } = state.draft;
          if (result.slots.length === 0 && bookingLimits(state.triage).sameDayOnly) {
            const number = emergencyNumberFor(
              state.country,
              context.settings.emergencyNumbers,
              context.settings.hospitalCountry,
            );
            return {
              state: { ...state, draft: {} },
              effects: [send({ text: t('booking:sameDayNone', { number }), urgent: true })],
              to: 'menu.main',
            };
          }
          return {
            state: {
              ...state,
              draft: { ...draft, slots: JSON.stringify(result.slots), more: result.more ? 'yes' : '' },
            },
            effects: [],
            to: 'booking.slot',
          };
        }
        if (result?.kind === 'failed') return failed(state, context);
        if (state.draft.waiting) return waitingFor(state, context);
        const value = pressed(event, 'booking.slot');
        if (value === 'back')
          return {
            state: { ...state, draft: { ...state.draft, slots: '' } },
            effects: [],
            to: 'booking.doctor',
          };
        if (value === 'next' && !bookingLimits(state.triage).sameDayOnly)
          return askSlots(state, context, addDays(state.draft.day ?? today(context), 1), {
            after: '',
            pages: '',
          });
        // Paging through the day: each page starts after the last time of the one before.
        const pages = parse<string[]>(state.draft.pages, []);
        const shown = parse<SlotOption[]>(state.draft.slots, []);
        if (value === 'later' && state.draft.more === 'yes' && shown.length > 0)
          return askSlots(state, context, state.draft.day ?? today(context), {
            after: shown.at(-1)!.start,
            pages: JSON.stringify([...pages, state.draft.after ?? '']),
          });
        if (value === 'earlier' && pages.length > 0)
          return askSlots(state, context, state.draft.day ?? today(context), {
            after: pages.at(-1)!,
            pages: pages.length > 1 ? JSON.stringify(pages.slice(0, -1)) : '',
          });
        const slot = parse<SlotOption[]>(state.draft.slots, []).find((option) => option.id === value);
        if (!slot) return useButtons(state, context);
        // Held for this patient while they decide, so nobody else takes it meanwhile.
        return ask(state, context, { kind: 'hold', slotId: slot.id }, 'booking.confirm', {
          slot: JSON.stringify(slot),
        });
      },
    },

    confirm: {
      next: ['booking.slot', 'booking.booking', 'booking.checkout', 'booking.confirm', 'menu.main'],
      prompt: (state, context) => {
        const t = context.text(state.locale);
        const slot = parse<SlotOption | undefined>(state.draft.slot, undefined);
        if (!slot || state.draft.waiting) return [];
        return [
          {
            text: `${t('booking:confirm', describe(slot, state, context))}${feeLine(state, context)}`,
            choices: choices('booking.confirm', [
              ['yes', t(payable(state, context) > 0 ? 'payment:confirmPay' : 'booking:confirmYes')],
              ['other', t('booking:otherTime')],
            ]),
          },
        ];
      },
      handle: (state, event, context) => {
        const result = bookingResult(event);
        if (result?.kind === 'held') {
          const { waiting: _done, ...draft } = state.draft;
          return { state: { ...state, draft }, effects: [], to: 'booking.confirm' };
        }
        if (result?.kind === 'taken') return slotTaken(state, context);
        if (result?.kind === 'failed') return failed(state, context);
        if (state.draft.waiting) return waitingFor(state, context);
        const value = pressed(event, 'booking.confirm');
        const slot = parse<SlotOption | undefined>(state.draft.slot, undefined);
        if (value === 'other' || !slot) return { state, effects: [], to: 'booking.slot' };
        if (value !== 'yes') return useButtons(state, context);
        const chosen = {
          slotId: slot.id,
          department: state.draft.department as Department,
          pending: bookingLimits(state.triage).pending,
        };
        if (payable(state, context) > 0) {
          return ask(
            state,
            context,
            { kind: 'checkout', ...chosen, start: slot.start, locale: state.locale },
            'booking.checkout',
          );
        }
        return ask(
          state,
          context,
          {
            kind: 'book',
            ...chosen,
            // The same confirmation retried books once; another slot is another booking.
            bookingKey: `${state.patientId ?? ''}:${slot.id}`,
            ...(state.draft.replaces ? { replaces: state.draft.replaces } : {}),
          },
          'booking.booking',
        );
      },
    },

    checkout: {
      next: ['booking.slot', 'menu.main'],
      prompt: () => [],
      handle: (state, event, context) => {
        const result = bookingResult(event);
        if (result?.kind === 'checkout') {
          return {
            state: { ...state, draft: {} },
            effects: [send(checkoutMessage(state, result, context))],
            to: 'menu.main',
          };
        }
        if (result?.kind === 'taken') return slotTaken(state, context);
        if (result?.kind === 'failed') return failed(state, context);
        return waitingFor(state, context);
      },
    },

    booking: {
      next: ['booking.slot', 'menu.main'],
      prompt: () => [],
      handle: (state, event, context) => {
        const t = context.text(state.locale);
        const result = bookingResult(event);
        if (result?.kind === 'booked') {
          const key = state.draft.replaces
            ? 'booking:moved'
            : result.appointment.status === 'pending'
              ? 'booking:pending'
              : 'booking:booked';
          return {
            state: { ...state, draft: {} },
            effects: [send({ text: t(key, describe(result.appointment, state, context)) })],
            to: 'menu.main',
          };
        }
        if (result?.kind === 'taken') return slotTaken(state, context);
        if (result?.kind === 'failed') return failed(state, context);
        return waitingFor(state, context);
      },
    },
  },
};

export const appointments: Flow = {
  name: 'appointments',
  steps: {
    list: {
      next: ['menu.main', 'appointments.list', 'appointments.cancel', 'booking.doctor'],
      prompt: (state, context) => {
        if (state.draft.waiting) return [];
        const t = context.text(state.locale);
        const list = parse<AppointmentView[]>(state.draft.appointments, []);
        if (list.length === 0) return [];
        const lines = list.map((view) => {
          const at = describe(view, state, context);
          const doctor = at.doctor ? ` · ${at.doctor}` : '';
          // Not yet firm: said so, so the patient does not think they have nothing booked.
          const status =
            view.status === 'pending'
              ? ` — ${t('booking:statusPendingReview')}`
              : view.status === 'awaitingPayment'
                ? ` — ${t('booking:statusAwaitingPayment')}`
                : '';
          return `• ${at.day} ${at.time}${doctor} (${at.department})${status}`;
        });
        const payLinks = list.flatMap((view) =>
          view.payUrl
            ? [
                {
                  label: t(
                    'booking:payNow',
                    when(view.start, state.locale, context.settings.hospitalTimeZone),
                  ),
                  url: view.payUrl,
                },
              ]
            : [],
        );
        return [
          {
            text: `${t('booking:list')}\n${lines.join('\n')}`,
            ...(payLinks.length > 0 ? { links: payLinks } : {}),
            choices: choices('appointments.list', [
              ...list
                .filter((view) => view.status !== 'awaitingPayment')
                .flatMap((view): [string, string][] => {
                  const at = when(view.start, state.locale, context.settings.hospitalTimeZone);
                  return [
                    [`move:${view.id}`, t('booking:move', at)],
                    [`cancel:${view.id}`, t('booking:cancel', at)],
                  ];
                }),
              ['back', t('booking:back')],
            ]),
          },
        ];
      },
      handle: (state, event, context) => {
        const t = context.text(state.locale);
        const result = bookingResult(event);
        if (result?.kind === 'appointments') {
          if (result.appointments.length === 0)
            return {
              state: { ...state, draft: {} },
              effects: [send({ text: t('booking:listEmpty') })],
              to: 'menu.main',
            };
          return {
            state: { ...state, draft: { appointments: JSON.stringify(result.appointments) } },
            effects: [],
            to: 'appointments.list',
          };
        }
        if (result?.kind === 'cancelled') {
          const cancelled = t(
            'booking:cancelled',
            when(result.appointment.start, state.locale, context.settings.hospitalTimeZone),
          );
          const refund = result.refund ? `\n${refundText(result.refund, state, context)}` : '';
          return {
            state: { ...state, draft: {} },
            effects: [send({ text: `${cancelled}${refund}` })],
            to: 'menu.main',
          };
        }
        if (result?.kind === 'failed') return failed(state, context);
        if (state.draft.waiting) return waitingFor(state, context);
        const value = pressed(event, 'appointments.list') ?? '';
        if (value === 'back') return { state: { ...state, draft: {} }, effects: [], to: 'menu.main' };
        const [action, id] = value.split(':');
        const view = parse<AppointmentView[]>(state.draft.appointments, []).find(
          (option) => option.id === id,
        );
        if (!view || view.status === 'awaitingPayment' || (action !== 'move' && action !== 'cancel'))
          return useButtons(state, context);
        // A paid appointment is cancelled only once the patient has read what they get back.
        if (action === 'cancel' && view.refundIfCancelled)
          return {
            state: { ...state, draft: { ...state.draft, cancelling: view.id } },
            effects: [],
            to: 'appointments.cancel',
          };
        if (action === 'cancel')
          return ask(state, context, { kind: 'cancel', appointmentId: view.id }, 'appointments.list');
        // Moving keeps the department and asks for a new doctor and time; the old one is let go
        // only once the new one is booked.
        const department =
          view.department && isBookable(view.department) ? view.department : 'general_medicine';
        return ask({ ...state, draft: {} }, context, { kind: 'doctors', department }, 'booking.doctor', {
          department,
          replaces: view.id,
        });
      },
    },
  },
};

/** The confirmation before cancelling a paid appointment, naming the refund. */
const cancelPaid: StepDefinition = {
  next: ['appointments.list'],
  prompt: (state, context) => {
    const t = context.text(state.locale);
    const view = parse<AppointmentView[]>(state.draft.appointments, []).find(
      (option) => option.id === state.draft.cancelling,
    );
    if (!view?.refundIfCancelled) return [];
    const at = when(view.start, state.locale, context.settings.hospitalTimeZone);
    return [
      {
        text: `${t('booking:cancelConfirm', at)}\n${refundPreviewText(view.refundIfCancelled, state, context)}`,
        choices: choices('appointments.cancel', [
          ['yes', t('booking:cancelYes')],
          ['no', t('booking:cancelNo')],
        ]),
      },
    ];
  },
  handle: (state, event, context) => {
    const value = pressed(event, 'appointments.cancel');
    const { cancelling = '', ...draft } = state.draft;
    if (value === 'yes' && cancelling)
      return ask(
        { ...state, draft },
        context,
        { kind: 'cancel', appointmentId: cancelling },
        'appointments.list',
      );
    if (value === 'no' || !cancelling)
      return { state: { ...state, draft }, effects: [], to: 'appointments.list' };
    return useButtons(state, context);
  },
};
appointments.steps.cancel = cancelPaid;

/** Entering booking from the menu: level 1 is told to call, everyone else chooses a department. */
export function startBooking(state: ConversationState, context: StepContext): Outcome {
  if (bookingLimits(state.triage).emergency) {
    const number = emergencyNumberFor(
      state.country,
      context.settings.emergencyNumbers,
      context.settings.hospitalCountry,
    );
    return stay(
      state,
      send({ text: context.text(state.locale)('booking:emergencyFirst', { number }), urgent: true }),
    );
  }
  return { state: { ...state, draft: {} }, effects: [], to: 'booking.department' };
}

/** Entering "My appointments": the list is asked of the hospital. */
export function startAppointments(state: ConversationState, context: StepContext): Outcome {
  return ask({ ...state, draft: {} }, context, { kind: 'appointments' }, 'appointments.list');
}

/** A nurse confirmed a booking that waited for review: the patient is told, wherever they are. */
export function appointmentApproved(
  state: ConversationState,
  data: Record<string, unknown>,
  context: StepContext,
): { state: ConversationState; effects: Effect[] } {
  if (typeof data.start !== 'string') return { state, effects: [] };
  const at = when(data.start, state.locale, context.settings.hospitalTimeZone);
  return { state, effects: [send({ text: context.text(state.locale)('booking:approved', at) })] };
}

/** A reminder before an appointment, with the answers that matter: coming, or cancel. */
export function appointmentReminder(
  state: ConversationState,
  data: Record<string, unknown>,
  context: StepContext,
): { state: ConversationState; effects: Effect[] } {
  if (typeof data.start !== 'string' || typeof data.appointmentId !== 'string') return { state, effects: [] };
  const t = context.text(state.locale);
  return {
    state,
    effects: [
      send({
        text: t('booking:reminder', when(data.start, state.locale, context.settings.hospitalTimeZone)),
        choices: choices('remind', [
          ['coming', t('booking:reminderYes')],
          [`cancel:${data.appointmentId}`, t('booking:reminderCancel')],
        ]),
      }),
    ],
  };
}

/** The patient answered a reminder: thanks for coming, or the appointment is cancelled. */
export function reminderAnswer(state: ConversationState, value: string, context: StepContext): Outcome {
  if (value.startsWith('cancel:')) {
    return ask(
      { ...state, draft: {} },
      context,
      { kind: 'cancel', appointmentId: value.slice(7) },
      'appointments.list',
    );
  }
  return { state, effects: [send({ text: context.text(state.locale)('booking:reminderThanks') })] };
}

/** The patient did not confirm in time: the held slot went back, and the free times are shown. */
export function holdExpired(
  state: ConversationState,
  data: Record<string, unknown>,
  context: StepContext,
): Outcome {
  const slot = parse<SlotOption | undefined>(state.draft.slot, undefined);
  if (state.step !== 'booking.confirm' || !slot || slot.id !== data.slotId || state.draft.waiting) {
    return { state, effects: [] };
  }
  const at = when(slot.start, state.locale, context.settings.hospitalTimeZone);
  return slotTaken(state, context, 'booking:holdExpired', {
    time: `${at.day} ${at.time}`,
    minutes: context.settings.bookingHoldMinutes,
  });
}
