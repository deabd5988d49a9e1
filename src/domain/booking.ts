// Booking as the conversation sees it: the answers the hospital gives, as plain data that
// travels in system events, and how triage limits what may be booked.
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
  | { kind: 'booked'; appointment: AppointmentView }
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
