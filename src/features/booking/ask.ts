// What booking's steps share: asking the hospital and waiting for its answer (the event
// "booking"), the draft's lists, and the ways a question ends (taken, failed, use the buttons).
import type { BookingState } from './events.ts';
import type { ConversationState, EffectOf, FlowEvent, StepContext } from '../../conversation/flow.ts';
import { bookingLimits, type BookingResult } from '../../domain/booking.ts';
import { zonedDate } from '../../domain/time-zone.ts';
import { DEPARTMENTS, type Department } from '../../domain/triage.ts';
import { send, stay, type Outcome } from '../kit.ts';

export const BOOKABLE = DEPARTMENTS.filter((department) => department !== 'emergency');
export const isBookable = (value: string | undefined): value is Department =>
  (BOOKABLE as readonly string[]).includes(value ?? '');

/** The hospital's answer, when `event` is one. */
export function bookingResult(event: FlowEvent): BookingResult | undefined {
  return event.kind === 'system' && event.name === 'booking' ? event.data : undefined;
}

/** The questions booking asks the hospital; the answer comes back as the event "booking". */
export type Question = EffectOf<
  | 'booking.doctors'
  | 'booking.slots'
  | 'booking.hold'
  | 'booking.book'
  | 'booking.checkout'
  | 'booking.appointments'
  | 'booking.cancel'
>;

export const patient = (state: ConversationState) => state.patientId ?? '';

/** The state with booking's part changed by `lists`. */
export const withLists = (state: ConversationState, lists: BookingState): ConversationState => ({
  ...state,
  booking: { ...state.booking, ...lists },
});

/** Asks the hospital, says "one moment", and waits on `step` for the answer. */
export function ask(
  state: ConversationState,
  context: StepContext,
  question: Question,
  step: string,
  draft: Record<string, string> = {},
): Outcome {
  return {
    state: { ...state, draft: { ...state.draft, ...draft, waiting: question.type.slice('booking.'.length) } },
    effects: [question, send({ text: context.text(state.locale)('booking:loading') })],
    to: step,
  };
}

export function askSlots(
  state: ConversationState,
  context: StepContext,
  day: string,
  draft: Record<string, string> = {},
  pages?: string[],
): Outcome {
  const department = (draft.department ?? state.draft.department) as Department;
  const scheduleId = draft.scheduleId ?? state.draft.scheduleId;
  const after = draft.after ?? state.draft.after;
  return ask(
    pages ? withLists(state, { pages }) : state,
    context,
    {
      type: 'booking.slots',
      patientId: patient(state),
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
export function slotTaken(
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

export const today = (context: StepContext) =>
  zonedDate(new Date(context.now), context.settings.hospitalTimeZone);

/** While the hospital has not answered, anything the patient says gets "one moment". */
export function waitingFor(state: ConversationState, context: StepContext): Outcome {
  return { state, effects: [send({ text: context.text(state.locale)('booking:loading') })] };
}

export function failed(state: ConversationState, context: StepContext): Outcome {
  return {
    state: { ...state, draft: {} },
    effects: [send({ text: context.text(state.locale)('booking:failed') })],
    to: 'menu.main',
  };
}

export const useButtons = (state: ConversationState, context: StepContext) =>
  stay(state, send({ text: context.text(state.locale)('triage:intake.useButtons') }));
