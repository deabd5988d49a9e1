// The booking feature's system events (members of the SystemEvent union).
import type { BookingResult } from '../../domain/booking.ts';

declare module '../../conversation/flow.ts' {
  interface SystemEventMap {
    /** The hospital's answer to one of the booking effects. */
    booking: BookingResult;
    /** A nurse confirmed a booking that waited for review. */
    'booking.approved': { start: string };
    /** The time has come to remind the patient (the hospital is asked whether it still stands). */
    'booking.reminderDue': { appointmentId: string; hours: number };
    /** A reminder of an appointment that still stands, at `start`. */
    'booking.reminder': { appointmentId: string; start: string };
    /** The patient did not confirm the held slot in time. */
    'booking.holdExpired': { slotId: string };
  }
}

export {};
