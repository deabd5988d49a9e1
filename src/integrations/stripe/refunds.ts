// Money back: by the refund policy when an appointment is cancelled (all of it when the
// hospital cancelled), what is left when an operator refunds, and in full when a payment came
// too late for its slot. The row moves before the provider is asked, so a provider event
// arriving meanwhile sees the refund as ours.
import type { Clock } from '../../clock.ts';
import type { AppointmentView, RefundNote } from '../../domain/booking.ts';
import type { CancellationRefund, PaymentRefunds } from '../../domain/paid-booking.ts';
import { refundFor, type Canceller, type RefundRule } from '../../domain/payments.ts';
import type { Payment, Prisma, PrismaClient } from '../../generated/prisma/client.ts';
import type { PaymentGateway } from './checkout-gateway.ts';
import { findPayment, tellRefund, type PaymentMessenger } from './payment-record.ts';

/** The refund to ask the provider for once the row has moved. */
export interface RefundCall {
  paymentIntentId: string;
  amountMinor: number;
  /** Makes a retried call refund once. */
  key: string;
}

export class Refunds implements PaymentRefunds {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly gateway: PaymentGateway,
    private readonly policy: RefundRule[],
    private readonly clock: Clock,
    private readonly tell: PaymentMessenger,
  ) {}

  async refundOnCancel(appointmentId: string, by: Canceller): Promise<CancellationRefund | undefined> {
    const payment = await this.prisma.payment.findFirst({ where: { appointmentId, status: 'paid' } });
    if (!payment?.appointmentStart || !payment.paymentIntentId) return undefined;
    const decision = this.decide(payment, payment.appointmentStart, by);
    const claimed = await this.claimThenRefund(
      { id: payment.id, status: 'paid' },
      { status: 'cancelled', refundedMinor: payment.refundedMinor + decision.amountMinor },
      { status: 'paid', refundedMinor: payment.refundedMinor },
      decision.amountMinor > 0
        ? {
            paymentIntentId: payment.paymentIntentId,
            amountMinor: decision.amountMinor,
            key: `refund:${payment.id}:cancel`,
          }
        : undefined,
    );
    if (!claimed) return undefined;
    return { ...decision, currency: payment.currency, policyHours: this.policyHours() };
  }

  async refundPreview(appointmentId: string): Promise<RefundNote | undefined> {
    const payment = await this.prisma.payment.findFirst({ where: { appointmentId, status: 'paid' } });
    if (!payment?.appointmentStart) return undefined;
    const decision = this.decide(payment, payment.appointmentStart, 'patient');
    return {
      amountMinor: decision.amountMinor,
      currency: payment.currency,
      percent: decision.percent,
      policyHours: this.policyHours(),
    };
  }

  /** An operator refunds what is left of a payment; the patient is told. False when nothing was refunded now. */
  async refundByOperator(paymentId: string): Promise<boolean> {
    const payment = await findPayment(this.prisma, paymentId);
    if (!payment?.paymentIntentId || !['paid', 'cancelled'].includes(payment.status)) return false;
    const amount = payment.amountMinor - payment.refundedMinor;
    if (amount <= 0) return false;
    const claimed = await this.claimThenRefund(
      { id: payment.id, refundedMinor: payment.refundedMinor },
      { refundedMinor: payment.amountMinor },
      { refundedMinor: payment.refundedMinor },
      {
        paymentIntentId: payment.paymentIntentId,
        amountMinor: amount,
        key: `refund:${payment.id}:operator:${payment.refundedMinor}`,
      },
    );
    if (claimed) await tellRefund(this.tell, payment, amount, `payment-refunded:${payment.id}:operator`);
    return claimed;
  }

  async moveAppointment(fromId: string, to: AppointmentView): Promise<void> {
    await this.prisma.payment.updateMany({
      where: { appointmentId: fromId, status: 'paid' },
      data: { appointmentId: to.id, appointmentStart: new Date(to.start) },
    });
  }

  /**
   * Moves the row first (so a provider event arriving meanwhile sees the refund as ours), then
   * asks for the refund; a failed call puts the row back, so the retry refunds again. False
   * when the row was not in the state `where` expects.
   */
  async claimThenRefund(
    where: Prisma.PaymentWhereInput & { id: string },
    claim: Prisma.PaymentUpdateManyMutationInput,
    undo: Prisma.PaymentUpdateManyMutationInput,
    refund: RefundCall | undefined,
  ): Promise<boolean> {
    const claimed = await this.prisma.payment.updateMany({ where, data: claim });
    if (claimed.count !== 1) return false;
    if (!refund) return true;
    try {
      await this.gateway.refund(refund.paymentIntentId, refund.amountMinor, refund.key);
    } catch (error) {
      await this.prisma.payment.updateMany({ where: { id: where.id }, data: undo });
      throw error;
    }
    return true;
  }

  private decide(payment: Payment, appointmentStart: Date, by: Canceller) {
    return refundFor(
      this.policy,
      { paidMinor: payment.amountMinor, refundedMinor: payment.refundedMinor, appointmentStart },
      new Date(this.clock.now()),
      by,
    );
  }

  /** The policy's notice period that gives money back, for explaining "none". */
  private policyHours(): number | undefined {
    return this.policy.find((rule) => rule.percent > 0)?.hoursBefore;
  }
}
