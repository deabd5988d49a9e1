// Appointment reminders, as the flows decide them: a booked (or moved) appointment sets a timer
// for each reminder, a cancelled one clears them, and a timer that comes due asks the hospital
// whether the appointment still stands before the patient hears of it (booking.checkReminder),
// so an appointment cancelled on the hospital's side gets no reminder either.
import type { ConversationState, Effect, SystemEventOf } from '../../conversation/flow.ts';
import type { AppointmentView } from '../../domain/booking.ts';
import { REMINDER_OFFSETS_HOURS, reminderSchedule, reminderTimerId } from '../../domain/deadlines.ts';
import type { Outcome } from '../kit.ts';
import './effects.ts';

/** The timers of an appointment's reminders still ahead of `now`. */
export function reminderTimers(appointment: Pick<AppointmentView, 'id' | 'start'>, now: number): Effect[] {
  return reminderSchedule(new Date(appointment.start), now).map(({ hours, at }) => ({
    type: 'schedule',
    id: reminderTimerId(appointment.id, hours),
    at,
    event: { kind: 'system', name: 'booking.reminderDue', data: { appointmentId: appointment.id, hours } },
  }));
}

/** Clears every reminder of an appointment (those already sent or never set too: no harm). */
export function cancelReminders(appointmentId: string): Effect[] {
  return REMINDER_OFFSETS_HOURS.map((hours) => ({
    type: 'cancelSchedule',
    id: reminderTimerId(appointmentId, hours),
  }));
}

/** A reminder's time came: the hospital is asked first (its answer is "booking.reminder"). */
export function reminderDue(
  state: ConversationState,
  { data }: SystemEventOf<'booking.reminderDue'>,
): Outcome {
  return { state, effects: [{ type: 'booking.checkReminder', ...data }] };
}
