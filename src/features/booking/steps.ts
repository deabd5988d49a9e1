// Booking: department (suggested by triage), doctor or anyone, free times by day, confirm. The
// hospital is asked through booking effects; its answers come back as the system event
// "booking" while the step waits. Triage limits what may be booked: level 1 is sent to the
// emergency number, "same-day" offers only today, review-before-booking books as pending until
// a nurse confirms.
import type { ConversationState, Effect, StepContext, SystemEventOf } from '../../conversation/flow.ts';
import type { OutboundMessage } from '../../conversation/message.ts';
import { bookingLimits, nameIn } from '../../domain/booking.ts';
import { emergencyNumberFor } from '../../domain/red-flags.ts';
import { addDays } from '../../domain/time-zone.ts';
import { type Department } from '../../domain/triage.ts';
import { dayName, departmentName, describe, when } from './appointment-text.ts';
import { choices, emergencyMessage, pressed, send, stay, type Flow, type Outcome } from '../kit.ts';
import { checkoutMessage, feeLine, payable } from '../payments/steps.ts';
import { checkInCodes } from '../queue/steps.ts';

import {
  BOOKABLE,
  ask,
  askSlots,
  bookingResult,
  failed,
  isBookable,
  withLists,
  patient,
  slotTaken,
  today,
  useButtons,
  waitingFor,
} from './ask.ts';

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
        return ask(
          state,
          context,
          { type: 'booking.doctors', patientId: patient(state), department: value },
          'booking.doctor',
          {
            department: value,
          },
        );
      },
    },

    doctor: {
      next: ['booking.department', 'booking.slot', 'menu.main'],
      prompt: (state, context) => {
        if (state.draft.waiting) return [];
        const t = context.text(state.locale);
        const doctors = state.booking?.doctors ?? [];
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
            state: withLists({ ...state, draft }, { doctors: result.doctors }),
            effects: [],
            to: 'booking.doctor',
          };
        }
        if (result?.kind === 'failed') return failed(state, context);
        if (state.draft.waiting) return waitingFor(state, context);
        const value = pressed(event, 'booking.doctor');
        if (value === 'back')
          return { state: { ...state, draft: {} }, effects: [], to: 'booking.department' };
        const doctors = state.booking?.doctors ?? [];
        if (value !== 'any' && !doctors.some((doctor) => doctor.scheduleId === value))
          return useButtons(state, context);
        return askSlots(
          state,
          context,
          today(context),
          { scheduleId: value === 'any' ? '' : (value ?? ''), after: '' },
          [],
        );
      },
    },

    slot: {
      next: ['booking.doctor', 'booking.confirm', 'booking.slot', 'menu.main'],
      prompt: (state, context) => {
        if (state.draft.waiting) return [];
        const t = context.text(state.locale);
        const slots = state.booking?.slots ?? [];
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
              ...((state.booking?.pages ?? []).length > 0
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
            state: withLists(
              { ...state, draft: { ...draft, more: result.more ? 'yes' : '' } },
              { slots: result.slots },
            ),
            effects: [],
            to: 'booking.slot',
          };
        }
        if (result?.kind === 'failed') return failed(state, context);
        if (state.draft.waiting) return waitingFor(state, context);
        const value = pressed(event, 'booking.slot');
        if (value === 'back')
          return {
            state: withLists(state, { slots: [] }),
            effects: [],
            to: 'booking.doctor',
          };
        if (value === 'next' && !bookingLimits(state.triage).sameDayOnly)
          return askSlots(state, context, addDays(state.draft.day ?? today(context), 1), { after: '' }, []);
        // Paging through the day: each page starts after the last time of the one before.
        const pages = state.booking?.pages ?? [];
        const shown = state.booking?.slots ?? [];
        if (value === 'later' && state.draft.more === 'yes' && shown.length > 0)
          return askSlots(state, context, state.draft.day ?? today(context), { after: shown.at(-1)!.start }, [
            ...pages,
            state.draft.after ?? '',
          ]);
        if (value === 'earlier' && pages.length > 0)
          return askSlots(
            state,
            context,
            state.draft.day ?? today(context),
            { after: pages.at(-1)! },
            pages.slice(0, -1),
          );
        const slot = shown.find((option) => option.id === value);
        if (!slot) return useButtons(state, context);
        // Held for this patient while they decide, so nobody else takes it meanwhile.
        return ask(
          withLists(state, { slot }),
          context,
          { type: 'booking.hold', patientId: patient(state), slotId: slot.id },
          'booking.confirm',
        );
      },
    },

    confirm: {
      next: ['booking.slot', 'booking.booking', 'booking.checkout', 'booking.confirm', 'menu.main'],
      prompt: (state, context) => {
        const t = context.text(state.locale);
        const slot = state.booking?.slot;
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
          // Not confirmed in time, the slot goes back to everyone (holdExpired below).
          const expiry: Effect = {
            type: 'schedule',
            id: holdTimer(result.slotId),
            at: context.now + context.settings.bookingHoldMinutes * 60_000,
            event: { kind: 'system', name: 'booking.holdExpired', data: { slotId: result.slotId } },
          };
          return { state: { ...state, draft }, effects: [expiry], to: 'booking.confirm' };
        }
        if (result?.kind === 'taken') return slotTaken(state, context);
        if (result?.kind === 'failed') return failed(state, context);
        if (state.draft.waiting) return waitingFor(state, context);
        const value = pressed(event, 'booking.confirm');
        const slot = state.booking?.slot;
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
            {
              type: 'booking.checkout',
              patientId: patient(state),
              ...chosen,
              start: slot.start,
              locale: state.locale,
            },
            'booking.checkout',
          );
        }
        return ask(
          state,
          context,
          {
            type: 'booking.book',
            patientId: patient(state),
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
            // A booked (not pending) appointment comes with its check-in code.
            effects: [
              send({ text: t(key, describe(result.appointment, state, context)) }),
              ...checkInCodes([result.appointment], state, context).map(send),
            ],
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

/** Entering booking from the menu: level 1 is told to call, everyone else chooses a department. */
export function startBooking(state: ConversationState, context: StepContext): Outcome {
  if (bookingLimits(state.triage).emergency) {
    // With the call buttons every emergency answer has.
    const t = context.text(state.locale);
    return stay(
      state,
      send(emergencyMessage(state, context, (number) => t('booking:emergencyFirst', { number }))),
    );
  }
  return { state: { ...state, draft: {} }, effects: [], to: 'booking.department' };
}

const holdTimer = (slotId: string) => `hold:${slotId}`;

/**
 * A hold's time ran out: it is let go unless it became a booking or a payment's hold (the
 * release spares those). A patient still confirming that slot is told, and sees the free times.
 */
export function holdExpired(
  state: ConversationState,
  { data }: SystemEventOf<'booking.holdExpired'>,
  context: StepContext,
): Outcome {
  const release: Effect = { type: 'booking.releaseHold', patientId: patient(state), slotId: data.slotId };
  const slot = state.booking?.slot;
  if (state.step !== 'booking.confirm' || !slot || slot.id !== data.slotId || state.draft.waiting) {
    return { state, effects: [release] };
  }
  const at = when(slot.start, state.locale, context.settings.hospitalTimeZone);
  const told = slotTaken(state, context, 'booking:holdExpired', {
    time: `${at.day} ${at.time}`,
    minutes: context.settings.bookingHoldMinutes,
  });
  return { ...told, effects: [release, ...told.effects] };
}
