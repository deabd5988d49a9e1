// "My appointments": the list from the hospital, moving and cancelling (a paid one only after
// the patient has read what they get back), and the reminders before an appointment.
import type { ConversationState, StepContext, SystemEventOf } from '../../conversation/flow.ts';
import { describe, when } from './appointment-text.ts';
import { choices, pressed, send, type Flow, type Outcome, type StepDefinition } from '../kit.ts';
import { refundPreviewText, refundText } from '../payments/steps.ts';
import { checkInCodes, todays } from '../queue/steps.ts';
import { reminderTimers } from './reminders.ts';

import { ask, bookingResult, failed, isBookable, withLists, patient, useButtons, waitingFor } from './ask.ts';

export const appointments: Flow = {
  name: 'appointments',
  steps: {
    list: {
      next: ['menu.main', 'appointments.list', 'appointments.cancel', 'booking.doctor'],
      prompt: (state, context) => {
        if (state.draft.waiting) return [];
        const t = context.text(state.locale);
        const list = state.booking?.appointments ?? [];
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
          // Today's check-in codes follow the list (later ones come with their confirmation).
          return {
            state: withLists({ ...state, draft: {} }, { appointments: result.appointments }),
            effects: checkInCodes(todays(result.appointments, context), state, context).map(send),
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
        const view = (state.booking?.appointments ?? []).find((option) => option.id === id);
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
          return ask(
            state,
            context,
            { type: 'booking.cancel', patientId: patient(state), appointmentId: view.id },
            'appointments.list',
          );
        // Moving keeps the department and asks for a new doctor and time; the old one is let go
        // only once the new one is booked.
        const department =
          view.department && isBookable(view.department) ? view.department : 'general_medicine';
        return ask(
          { ...state, draft: {} },
          context,
          { type: 'booking.doctors', patientId: patient(state), department },
          'booking.doctor',
          {
            department,
            replaces: view.id,
          },
        );
      },
    },
  },
};

/** The confirmation before cancelling a paid appointment, naming the refund. */
const cancelPaid: StepDefinition = {
  next: ['appointments.list'],
  prompt: (state, context) => {
    const t = context.text(state.locale);
    const view = (state.booking?.appointments ?? []).find((option) => option.id === state.draft.cancelling);
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
        { type: 'booking.cancel', patientId: patient(state), appointmentId: cancelling },
        'appointments.list',
      );
    if (value === 'no' || !cancelling)
      return { state: { ...state, draft }, effects: [], to: 'appointments.list' };
    return useButtons(state, context);
  },
};
appointments.steps.cancel = cancelPaid;

/** Entering "My appointments": the list is asked of the hospital. */
export function startAppointments(state: ConversationState, context: StepContext): Outcome {
  return ask(
    { ...state, draft: {} },
    context,
    { type: 'booking.appointments', patientId: patient(state) },
    'appointments.list',
  );
}

/**
 * A nurse confirmed a booking that waited for review: the patient is told, wherever they are,
 * with its check-in code (as a booked confirmation has it); at the menu, the menu follows.
 */
export function appointmentApproved(
  state: ConversationState,
  { data }: SystemEventOf<'booking.approved'>,
  context: StepContext,
): Outcome {
  const at = when(data.start, state.locale, context.settings.hospitalTimeZone);
  const { appointmentId, department, start } = data;
  const codes = appointmentId
    ? checkInCodes(
        [{ id: appointmentId, start, status: 'booked', ...(department ? { department } : {}) }],
        state,
        context,
      )
    : [];
  return {
    state,
    effects: [
      send({ text: context.text(state.locale)('booking:approved', at) }),
      ...codes.map(send),
      // Set when it was booked pending as well; setting them again (same ids) costs nothing and
      // holds for an appointment booked before reminders were the conversation's timers.
      ...(appointmentId ? reminderTimers({ id: appointmentId, start }, context.now) : []),
    ],
    ...(state.step === 'menu.main' ? { to: state.step } : {}),
  };
}

/** A reminder before an appointment, with the answers that matter: coming, or cancel. */
export function appointmentReminder(
  state: ConversationState,
  { data }: SystemEventOf<'booking.reminder'>,
  context: StepContext,
): Outcome {
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
      { type: 'booking.cancel', patientId: patient(state), appointmentId: value.slice(7) },
      'appointments.list',
    );
  }
  return { state, effects: [send({ text: context.text(state.locale)('booking:reminderThanks') })] };
}
