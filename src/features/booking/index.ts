// Booking and "My appointments": free times from the hospital, holds, confirmations, moves,
// cancellations and reminders.
import type { Feature } from '../feature.ts';
import { checkoutMessage } from '../payments/steps.ts';
import { send, stay } from '../kit.ts';
import {
  appointmentApproved,
  appointmentReminder,
  appointments,
  reminderAnswer,
  startAppointments,
} from './appointments.ts';
import { answerTimers, settingAnswerTimers } from './answer-timers.ts';
import { bookingEffects } from './effects.ts';
import { bookingMigrations } from './migrations.ts';
import { reminderDue } from './reminders.ts';
import { booking, holdExpired, startBooking } from './steps.ts';
import { bookingConsole } from './console.ts';

export const bookingFeature: Feature = {
  name: 'booking',
  console: bookingConsole,
  flows: [booking, appointments].map(settingAnswerTimers),
  effects: ({ booking: service }) => bookingEffects(service),
  migrations: bookingMigrations,
  menu: {
    book: { needsPatient: true, run: startBooking },
    appointments: { needsPatient: true, run: startAppointments },
  },
  buttons: {
    remind: (state, value, context) =>
      state.patientId ? reminderAnswer(state, value, context) : stay(state),
  },
  events: {
    'booking.approved': appointmentApproved,
    'booking.reminderDue': reminderDue,
    'booking.reminder': appointmentReminder,
    'booking.holdExpired': holdExpired,
  },
  strayEvents: {
    // The hospital answered after the patient moved on: nothing to say, except the payment
    // link they asked for (the slot is held for them meanwhile); its timers are set all the same.
    booking: (state, event, context) => {
      const timers = answerTimers(event, context.now);
      return event.data.kind === 'checkout'
        ? { state, effects: [send(checkoutMessage(state, event.data, context)), ...timers] }
        : { state, effects: timers };
    },
  },
};
