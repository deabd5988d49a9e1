// The booking feature's system events (members of the SystemEvent union).
import type { Department } from '../../domain/triage.ts';
import type { AppointmentView, BookingResult, DoctorOption, SlotOption } from '../../domain/booking.ts';

/** What booking keeps between its steps: the hospital's lists, as the hospital gave them. */
export interface BookingState {
  doctors?: DoctorOption[];
  /** The page of free times shown. */
  slots?: SlotOption[];
  /** Where each earlier page started (for "Earlier times"). */
  pages?: string[];
  /** The slot held while the patient confirms. */
  slot?: SlotOption;
  appointments?: AppointmentView[];
}

declare module '../../conversation/flow.ts' {
  interface ConversationState {
    /** Booking's part of the state (since version 2; version 1 kept it as JSON in the draft). */
    booking?: BookingState;
  }
  interface SystemEventMap {
    /** The hospital's answer to one of the booking effects. */
    booking: BookingResult;
    /**
     * A nurse confirmed a booking that waited for review. The id and department make its
     * check-in code (absent in events sent before they were added: the message comes without it).
     */
    'booking.approved': { start: string; appointmentId?: string; department?: Department };
    /** The time has come to remind the patient (the hospital is asked whether it still stands). */
    'booking.reminderDue': { appointmentId: string; hours: number };
    /** A reminder of an appointment that still stands, at `start`. */
    'booking.reminder': { appointmentId: string; start: string };
    /** The patient did not confirm the held slot in time. */
    'booking.holdExpired': { slotId: string };
  }
}
