// The payment story of one consultation, exactly once: a checkout holds the slot until it is
// paid (the appointment is booked, a receipt goes to the patient) or expires (the slot is
// released, the patient may try again); cancellations refund by the policy table. This is the
// desk staff and the provider's notices come to; each job has its own module: checkout.ts
// opens checkouts, provider-notices.ts acts on what the provider says, settlement.ts books or
// releases, checkout-expiry.ts settles what the provider never reported (when the
// conversation's timer asks), refunds.ts gives money back.
import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import type { CheckoutSettlement, PaidBooker, SlotHolder } from '../../domain/paid-booking.ts';
import type { PaymentWithPatient } from '../../domain/payments.ts';
import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { JobQueue } from '../../jobs/job-queue.ts';
import type { PaymentGateway, PaymentNotice } from './checkout-gateway.ts';
import { CheckoutExpiry } from './checkout-expiry.ts';
import {
  addressOf,
  findPayment,
  isPaymentId,
  withPatientOf,
  type PaymentMessenger,
} from './payment-record.ts';
import { ProviderNotices } from './provider-notices.ts';
import type { Refunds } from './refunds.ts';
import { Settlement } from './settlement.ts';

export type { PaymentMessenger } from './payment-record.ts';

const WITH_PATIENT = { patient: { select: { fullName: true } } } as const;

export interface PaymentsDependencies {
  prisma: PrismaClient;
  gateway: PaymentGateway;
  jobs: JobQueue;
  /** Books the slot once it is paid, and cancels it when the hospital does. */
  booker: PaidBooker;
  /** Keeps the slot while the payment may still arrive. */
  holds: SlotHolder;
  refunds: Refunds;
  clock: Clock;
  logger: Logger;
  /** Tells the patient's conversation what happened. */
  tell: PaymentMessenger;
}

export class Payments implements CheckoutSettlement {
  private readonly prisma: PrismaClient;
  private readonly booker: PaidBooker;
  private readonly refunds: Refunds;
  private readonly tell: PaymentMessenger;
  private readonly notices: ProviderNotices;
  private readonly expiry: CheckoutExpiry;

  constructor(deps: PaymentsDependencies) {
    this.prisma = deps.prisma;
    this.booker = deps.booker;
    this.refunds = deps.refunds;
    this.tell = deps.tell;
    const settlement = new Settlement(
      deps.prisma,
      deps.booker,
      deps.holds,
      deps.refunds,
      deps.clock,
      deps.tell,
    );
    this.notices = new ProviderNotices(
      deps.prisma,
      deps.gateway,
      deps.jobs,
      settlement,
      deps.logger,
      deps.tell,
    );
    this.expiry = new CheckoutExpiry(deps.prisma, deps.gateway, deps.jobs, settlement);
  }

  /** Queues a provider notice; a notice already queued or handled is not queued again. */
  accept(notice: PaymentNotice): Promise<'accepted' | 'duplicate'> {
    return this.notices.accept(notice);
  }

  /**
   * What the conversation's timer at the session's end asks for (payments.settleCheckout):
   * settle an open payment by asking the provider. A settled one is left as it is.
   */
  settle(paymentId: string): Promise<void> {
    return this.expiry.settle(paymentId);
  }

  /** An operator refunds what is left of a payment; the patient is told. */
  async refundByOperator(paymentId: string): Promise<PaymentWithPatient | undefined> {
    await this.refunds.refundByOperator(paymentId);
    return this.find(paymentId);
  }

  /**
   * The hospital cancels a paid appointment (an operator's decision in the console): cancelled
   * at the hospital, refunded in full whatever the policy says, and the patient told.
   */
  async cancelByHospital(paymentId: string): Promise<PaymentWithPatient | undefined> {
    const payment = await findPayment(this.prisma, paymentId);
    if (payment?.status !== 'paid' || !payment.appointmentId || !payment.appointmentStart) return undefined;
    await this.booker.cancelAppointment(payment.appointmentId);
    const refund = await this.refunds.refundOnCancel(payment.appointmentId, 'hospital');
    if (refund) {
      await this.tell(
        addressOf(payment),
        {
          kind: 'system',
          name: 'payment.hospitalCancelled',
          data: {
            start: payment.appointmentStart.toISOString(),
            appointmentId: payment.appointmentId,
            amountMinor: refund.amountMinor,
            currency: payment.currency,
          },
        },
        `payment-hospital-cancel:${payment.id}`,
      );
    }
    return this.find(paymentId);
  }

  /** Recent payments, newest first, for the console. */
  async list(limit = 100): Promise<PaymentWithPatient[]> {
    const rows = await this.prisma.payment.findMany({
      orderBy: { createdAt: 'desc' },
      take: limit,
      include: WITH_PATIENT,
    });
    return rows.map(withPatientOf);
  }

  /** A payment by our id; undefined for an unknown or malformed one. */
  async find(paymentId: string): Promise<PaymentWithPatient | undefined> {
    if (!isPaymentId(paymentId)) return undefined;
    const found = await this.prisma.payment.findUnique({ where: { id: paymentId }, include: WITH_PATIENT });
    return found ? withPatientOf(found) : undefined;
  }
}
