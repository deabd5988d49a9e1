// The timers a hospital's answer sets, wherever in the conversation it arrives: a booking sets
// its reminders (a move clears the old appointment's), a cancellation clears them, and a
// checkout sets the timer that settles it if the provider never reports. The answer's own step
// says what happened; this makes sure the timers never depend on the patient still being there
// (they may have gone to the menu, or started another booking, while the hospital answered).
import type { Effect, FlowEvent } from '../../conversation/flow.ts';
import type { Flow, StepDefinition } from '../kit.ts';
import { checkoutTimer } from '../payments/steps.ts';
import { bookingResult } from './ask.ts';
import { cancelReminders, reminderTimers } from './reminders.ts';

/** The timers `event` sets or clears, when it is an answer that does. */
export function answerTimers(event: FlowEvent, now: number): Effect[] {
  const result = bookingResult(event);
  switch (result?.kind) {
    case 'booked': {
      const { appointment, replaces } = result;
      // A move that kept the appointment's id replaces its timers by setting them again.
      const old = replaces && replaces !== appointment.id ? cancelReminders(replaces) : [];
      return [...old, ...reminderTimers(appointment, now)];
    }
    case 'cancelled':
      return cancelReminders(result.appointment.id);
    case 'checkout':
      return [checkoutTimer(result)];
    default:
      return [];
  }
}

/** `flow` with every step adding the timers of an answer it receives. */
export function settingAnswerTimers(flow: Flow): Flow {
  const steps = Object.fromEntries(
    Object.entries(flow.steps).map(([name, step]): [string, StepDefinition] => [
      name,
      {
        ...step,
        handle: (state, event, context) => {
          const outcome = step.handle(state, event, context);
          const timers = answerTimers(event, context.now);
          return timers.length > 0 ? { ...outcome, effects: [...outcome.effects, ...timers] } : outcome;
        },
      },
    ]),
  );
  return { ...flow, steps };
}
