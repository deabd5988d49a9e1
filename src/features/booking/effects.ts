// The booking feature's effects, one per question to the hospital, and their handlers: each
// asks the booking service and hands its answer back as the system event "booking".
import type { EffectHandlers } from '../../conversation/flow.ts';
import type { BookingChoice, BookingService, CheckoutChoice, SlotQuery } from '../../domain/booking.ts';
import type { Department } from '../../domain/triage.ts';
import './events.ts';

declare module '../../conversation/flow.ts' {
  interface EffectMap {
    'booking.doctors': { patientId: string; department: Department };
    'booking.slots': { patientId: string } & SlotQuery;
    /** Holds the slot for the patient while they confirm. */
    'booking.hold': { patientId: string; slotId: string };
    'booking.book': { patientId: string } & BookingChoice;
    /** A consultation with a fee: a Checkout session; the slot is booked once it is paid. */
    'booking.checkout': { patientId: string } & CheckoutChoice;
    'booking.appointments': { patientId: string };
    'booking.cancel': { patientId: string; appointmentId: string };
    /** The confirmation hold ran out: the slot goes back unless it was booked or is being paid. */
    'booking.releaseHold': { patientId: string; slotId: string };
    /** A reminder is due: sent as "booking.reminder" only if the appointment still stands. */
    'booking.checkReminder': { appointmentId: string; hours: number };
  }
}

export function bookingEffects(booking: BookingService): EffectHandlers {
  return {
    'booking.doctors': async ({ department }, { notify }) =>
      notify({ kind: 'system', name: 'booking', data: await booking.doctors(department) }),
    'booking.slots': async ({ type: _type, patientId, ...query }, { notify }) =>
      notify({ kind: 'system', name: 'booking', data: await booking.slots(patientId, query) }),
    'booking.hold': async ({ patientId, slotId }, { address, notify }) =>
      notify({ kind: 'system', name: 'booking', data: await booking.hold(address, patientId, slotId) }),
    'booking.book': async ({ type: _type, patientId, ...choice }, { address, notify }) =>
      notify({ kind: 'system', name: 'booking', data: await booking.book(address, patientId, choice) }),
    'booking.checkout': async ({ type: _type, patientId, ...choice }, { address, notify }) =>
      notify({ kind: 'system', name: 'booking', data: await booking.checkout(address, patientId, choice) }),
    'booking.appointments': async ({ patientId }, { notify }) =>
      notify({ kind: 'system', name: 'booking', data: await booking.appointments(patientId) }),
    'booking.cancel': async ({ patientId, appointmentId }, { notify }) =>
      notify({ kind: 'system', name: 'booking', data: await booking.cancel(patientId, appointmentId) }),
    'booking.releaseHold': ({ patientId, slotId }) => booking.releaseHold(slotId, patientId),
    'booking.checkReminder': async ({ appointmentId }, { notify }) => {
      const start = await booking.reminderStart(appointmentId);
      if (start) await notify({ kind: 'system', name: 'booking.reminder', data: { appointmentId, start } });
    },
  };
}
