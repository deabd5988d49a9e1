// The payments feature's system events (members of the SystemEvent union): the payment story
// told to the patient wherever they are. Amounts are in minor units of `currency`.
import type { SystemEventName } from '../../conversation/flow.ts';
import type { AppointmentView } from '../../domain/booking.ts';

interface Amount {
  amountMinor: number;
  currency: string;
}

declare module '../../conversation/flow.ts' {
  interface SystemEventMap {
    /** Paid and booked: the appointment, and the receipt number. */
    'payment.confirmed': Amount & { appointment: AppointmentView; receipt: string };
    /** Not paid in time: the slot went back. */
    'payment.expired': { slotId: string; department: string };
    /** The card was refused; the link works until `until` (ISO). */
    'payment.failed': Amount & { until: string; url: string };
    /** Paid, but the slot was gone: the payment is refunded in full. */
    'payment.void': Amount;
    /**
     * The hospital cancelled a paid appointment at `start` (ISO): refunded in full. Events
     * queued by versions before `appointmentId` came lack it.
     */
    'payment.hospitalCancelled': Amount & { start: string; appointmentId?: string };
    'payment.refunded': Amount;
    /** A checkout's timer ran out and no notice from the provider had settled it: settle it now. */
    'payments.checkoutExpired': { paymentId: string };
  }
}

/** The payment events, by name. */
export type PaymentEventName = Extract<SystemEventName, `payment.${string}`>;
