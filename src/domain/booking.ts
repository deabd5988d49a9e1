// Booking as the conversation sees it: the answers the hospital gives, as plain data that
// travels in system events, and how triage limits what may be booked.
import type { ConversationAddress } from '../conversation/message.ts';
import type { Locale } from '../i18n/locales.ts';
import type { Department, TriageResult } from './triage.ts';

/** A text in each language the hospital gave it; `default` when a language is missing. */
export type Names = Partial<Record<Locale, string>> & { default: string };

export interface DoctorOption {
  scheduleId: string;
  names: Names;
}

export interface SlotOption {
  id: string;
  /** ISO instant. */
  start: string;
  scheduleId: string;
  doctor: Names;
}

export interface AppointmentView {
  id: string;
  start: string;
  department?: Department;
  doctor?: Names;
  /** booked · pending (awaiting nurse review) · awaitingPayment (held while the patient pays). */
  status: string;
  /** Where to pay, for a time awaiting payment. */
  payUrl?: string;
  /** Paid through us: what cancelling it now would give back, to ask before cancelling. */
  refundIfCancelled?: RefundNote;
}

/** The hospital's answer to a BookingRequest, back in the conversation. */
export type BookingResult =
  | { kind: 'doctors'; doctors: DoctorOption[] }
  /** One page of the day's free times; `more` when later ones exist that day. */
  | { kind: 'slots'; day: string; slots: SlotOption[]; more?: boolean }
  /** The slot is held for this patient while they confirm. */
  | { kind: 'held'; slotId: string }
  /** Booked; `replaces` is the appointment it was moved from, if it was a move. */
  | { kind: 'booked'; appointment: AppointmentView; replaces?: string }
  /** Someone else got the slot first. */
  | { kind: 'taken' }
  /** The hospital failed (timeout, error); nothing was booked or changed. */
  | { kind: 'failed' }
  | { kind: 'appointments'; appointments: AppointmentView[] }
  /** A paid appointment's cancellation says what the refund policy gave back. */
  | { kind: 'cancelled'; appointment: AppointmentView; refund?: RefundNote }
  /** The slot is held until `expiresAt` while the patient pays at `url`. */
  | {
      kind: 'checkout';
      paymentId: string;
      /** The held slot's time. */
      start: string;
      url: string;
      amountMinor: number;
      currency: string;
      expiresAt: string;
    };

/** Where a new slot may be found: a department's day, one doctor or anyone, after a time. */
export interface SlotQuery {
  department: Department;
  scheduleId?: string;
  day: string;
  sameDayOnly: boolean;
  /** Paging through the day: only times after this instant (ISO). */
  after?: string;
}

/** A chosen slot to book (or to move an appointment to). */
export interface BookingChoice {
  slotId: string;
  department: Department;
  /** The same confirmation retried books once; another slot is another booking. */
  bookingKey: string;
  pending: boolean;
  /** Moving an appointment: this one is cancelled once the new one is booked. */
  replaces?: string;
}

/** A chosen slot with a fee: a Checkout session opens, and the slot is booked once paid. */
export interface CheckoutChoice {
  slotId: string;
  /** The slot's time, echoed in the answer so the payment message can name it anywhere. */
  start: string;
  department: Department;
  pending: boolean;
  locale: Locale;
}

/**
 * What booking asks of the hospital, one question per method. Each answers with the result
 * the conversation reads; a hospital that failed is "failed", a slot someone got is "taken".
 */
export interface BookingService {
  doctors(department: Department): Promise<BookingResult>;
  slots(patientId: string, query: SlotQuery): Promise<BookingResult>;
  hold(address: ConversationAddress, patientId: string, slotId: string): Promise<BookingResult>;
  book(address: ConversationAddress, patientId: string, choice: BookingChoice): Promise<BookingResult>;
  checkout(address: ConversationAddress, patientId: string, choice: CheckoutChoice): Promise<BookingResult>;
  appointments(patientId: string): Promise<BookingResult>;
  cancel(patientId: string, appointmentId: string): Promise<BookingResult>;
  /** Lets the slot go if this patient's confirmation hold still has it (not booked, not paying). */
  releaseHold(slotId: string, patientId: string): Promise<void>;
  /** The appointment's time if it still stands and lies ahead: a reminder for it makes sense. */
  reminderStart(appointmentId: string): Promise<string | undefined>;
}

/** What a cancellation refunded, for telling the patient. */
export interface RefundNote {
  amountMinor: number;
  currency: string;
  percent: number;
  /** The policy's notice period (hours) that gives money back, for explaining "none". */
  policyHours?: number;
}

export function nameIn(names: Names | undefined, locale: Locale): string {
  return names?.[locale] ?? names?.en ?? names?.default ?? '';
}

/** What triage allows: level 1 does not book (emergency), "same-day" only books today. */
export function bookingLimits(
  triage: Pick<TriageResult, 'acuity' | 'bookingUrgency' | 'reviewRequired'> | undefined,
): {
  emergency: boolean;
  sameDayOnly: boolean;
  pending: boolean;
} {
  return {
    emergency: triage?.acuity === 1,
    sameDayOnly: triage?.bookingUrgency === 'same-day',
    pending: Boolean(triage?.reviewRequired),
  };
}
