// How a checkout ended, acted on once: paid books the held slot and sends the receipt (a slot
// lost meanwhile is refunded in full); expired gives the slot back so the patient may try
// again. Every step moves the Payment row only from the state it expects, so redeliveries and
// any order of events end in the state the real world implies.
import type { Clock } from '../../clock.ts';
import type { AppointmentView } from '../../domain/booking.ts';
import { SlotTaken, type PaidBooker, type SlotHolder } from '../../domain/paid-booking.ts';
import { receiptNumber } from '../../domain/payments.ts';
import type { Department } from '../../domain/triage.ts';
import type { Payment, PrismaClient } from '../../generated/prisma/client.ts';
import type { CheckoutSession } from './checkout-gateway.ts';
import { addressOf, type PaymentMessenger } from './payment-record.ts';
import type { Refunds } from './refunds.ts';

export class Settlement {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly booker: PaidBooker,
    private readonly holds: SlotHolder,
    private readonly refunds: Refunds,
    private readonly clock: Clock,
    private readonly tell: PaymentMessenger,
  ) {}

  /** Brings our Payment in line with the session as the provider has it now. */
  async reconcile(payment: Payment, session: CheckoutSession): Promise<void> {
    if (session.status === 'complete' && session.paid) await this.confirm(payment, session);
    else if (session.status === 'expired') await this.release(payment);
  }

  /** Paid: book the held slot and send the receipt; a slot lost meanwhile is refunded in full. */
  private async confirm(payment: Payment, session: CheckoutSession): Promise<void> {
    if (payment.status === 'paid' || payment.status === 'void') return;
    const address = addressOf(payment);
    let appointment: AppointmentView;
    try {
      appointment = await this.booker.bookPaid(payment.patientId, {
        slotId: payment.slotId,
        department: payment.department as Department,
        pending: payment.pendingReview,
        bookingKey: `payment:${payment.id}`,
      });
    } catch (error) {
      if (!(error instanceof SlotTaken)) throw error;
      await this.voidLatePayment(payment, session);
      return;
    }
    const moved = await this.prisma.payment.updateMany({
      where: { id: payment.id, status: { in: ['open', 'expired'] } },
      data: {
        status: 'paid',
        paidAt: new Date(this.clock.now()),
        paymentIntentId: session.paymentIntentId ?? null,
        appointmentId: appointment.id,
        appointmentStart: new Date(appointment.start),
      },
    });
    await this.holds.releasePayment(payment.slotId, payment.patientId, payment.id);
    if (moved.count === 1) {
      await this.tell(
        address,
        {
          kind: 'system',
          name: 'payment.confirmed',
          data: {
            appointment,
            amountMinor: payment.amountMinor,
            currency: payment.currency,
            receipt: receiptNumber(payment.id),
          },
        },
        `payment-confirmed:${payment.id}`,
      );
    }
  }

  /** Paid after the slot went to someone else: all of it goes back, and the patient is told. */
  private async voidLatePayment(payment: Payment, session: CheckoutSession): Promise<void> {
    const voided =
      session.paymentIntentId !== undefined &&
      (await this.refunds.claimThenRefund(
        { id: payment.id, status: { in: ['open', 'expired'] } },
        {
          status: 'void',
          paidAt: new Date(this.clock.now()),
          paymentIntentId: session.paymentIntentId,
          refundedMinor: payment.amountMinor,
        },
        {
          status: payment.status,
          paidAt: null,
          paymentIntentId: null,
          refundedMinor: payment.refundedMinor,
        },
        {
          paymentIntentId: session.paymentIntentId,
          amountMinor: payment.amountMinor,
          key: `refund:${payment.id}:void`,
        },
      ));
    if (voided) {
      await this.tell(
        addressOf(payment),
        {
          kind: 'system',
          name: 'payment.void',
          data: { amountMinor: payment.amountMinor, currency: payment.currency },
        },
        `payment-void:${payment.id}`,
      );
    }
  }

  /** Not paid in time: the slot goes back and the patient may try again. */
  private async release(payment: Payment): Promise<void> {
    const moved = await this.prisma.payment.updateMany({
      where: { id: payment.id, status: 'open' },
      data: { status: 'expired' },
    });
    if (moved.count !== 1) return;
    await this.holds.releasePayment(payment.slotId, payment.patientId, payment.id);
    await this.tell(
      addressOf(payment),
      {
        kind: 'system',
        name: 'payment.expired',
        data: { slotId: payment.slotId, department: payment.department },
      },
      `payment-expired:${payment.id}`,
    );
  }
}
