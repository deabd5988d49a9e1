// Where booking and payments meet, as ports: payments ask the hospital side to hold and book a
// slot, booking asks the payment side to open a checkout and to refund. Each side is given the
// other's port in its constructor, so neither imports the other and a missing one does not
// compile (it used to be assigned afterwards, and a missing hold quietly counted as held).
import type { ConversationAddress } from '../conversation/message.ts';
import type { Locale } from '../i18n/locales.ts';
import type { AppointmentView, BookingResult, RefundNote } from './booking.ts';
import type { Canceller, RefundDecision } from './payments.ts';
import type { Department } from './triage.ts';

/** The slot was taken by someone else first. */
export class SlotTaken extends Error {
  constructor(readonly slotId: string) {
    super(`slot ${slotId} is no longer free`);
    this.name = 'SlotTaken';
  }
}

/** Keeps a slot for a patient for as long as their payment may still arrive. */
export interface SlotHolder {
  /**
   * Turns the patient's hold into one until `untilMs` for this payment. False when someone
   * else has the slot: the patient is told it is taken, never sent to pay for it.
   */
  holdForPayment(slotId: string, holder: string, paymentId: string, untilMs: number): Promise<boolean>;
  /** The payment ended (paid and booked, or expired): its hold goes. */
  releasePayment(slotId: string, holder: string, paymentId: string): Promise<void>;
}

/** A paid slot as booking hands it to the hospital. */
export interface PaidSlot {
  slotId: string;
  department: Department;
  /** A nurse must still approve (triage asked for review). */
  pending: boolean;
  /** Booking again with the same key gives the same appointment. */
  bookingKey: string;
}

/** Books paid slots at the hospital. */
export interface PaidBooker {
  /** Idempotent on `bookingKey`; throws SlotTaken when the slot is gone. */
  bookPaid(patientId: string, booking: PaidSlot): Promise<AppointmentView>;
  /** Cancels an appointment at the hospital; idempotent (its reminders check it still stands). */
  cancelAppointment(appointmentId: string): Promise<void>;
}

/** A time held while its payment is awaited, for "My appointments". */
export interface AwaitedPayment {
  id: string;
  start: Date;
  department: string;
  url?: string;
}

/** Opening payments for chosen slots. */
export interface PaymentCheckout {
  /**
   * Opens (or, for a repeated request, finds) the checkout for a chosen slot and holds the slot
   * until it ends: `checkout`, or `taken` when someone else holds it, `failed` when the
   * provider refused.
   */
  startCheckout(
    address: ConversationAddress,
    patientId: string,
    locale: Locale,
    request: { slotId: string; start: string; department: Department; pending: boolean },
  ): Promise<BookingResult>;
  /** The patient's held times still waiting for payment. */
  awaitingPayment(patientId: string): Promise<AwaitedPayment[]>;
}

/** Settles checkouts the provider never reported on (their timer ran out). */
export interface CheckoutSettlement {
  /** Ends the payment's session if it is still open and acts on how it ended; idempotent. */
  settle(paymentId: string): Promise<void>;
}

/** What a cancellation refunded, with the policy behind it. */
export type CancellationRefund = RefundDecision & { currency: string; policyHours?: number };

/** Refunds by the policy, and payments that follow their appointment. */
export interface PaymentRefunds {
  /** What cancelling now would give back; undefined when not paid through us. Nothing changes. */
  refundPreview(appointmentId: string): Promise<RefundNote | undefined>;
  /** Refunds what the policy gives (all when the hospital cancelled); undefined when not paid through us. */
  refundOnCancel(appointmentId: string, by: Canceller): Promise<CancellationRefund | undefined>;
  /** A paid appointment moved to another time: its payment follows it. */
  moveAppointment(fromId: string, to: AppointmentView): Promise<void>;
}
