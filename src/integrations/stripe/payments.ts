// The payment story of one consultation, exactly once: a Checkout session holds the slot until
// it is paid (the appointment is booked, a receipt goes to the patient) or expires (the slot is
// released, the patient may try again); cancellations refund by the policy table. Every notice
// from the provider runs as a job keyed by its event id, and every step re-reads the session and
// moves the Payment row only from the state it expects, so redeliveries and any order of
// events end in the state the real world implies.
import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import type { ConversationAddress } from '../../conversation/message.ts';
import type { AppointmentView, BookingResult, RefundNote } from '../../domain/booking.ts';
import {
  feeFor,
  refundFor,
  type Canceller,
  type FeeTable,
  type RefundDecision,
  type RefundRule,
} from '../../domain/payments.ts';
import type { Department } from '../../domain/triage.ts';
import type { Locale } from '../../i18n/locales.ts';
import type { JobQueue } from '../../jobs/job-queue.ts';
import type { Payment, Prisma, PrismaClient } from '../../generated/prisma/client.ts';
import type { SlotHolds } from '../fhir/slot-holds.ts';
import { SlotTaken } from '../fhir/hospital.ts';
import type { CheckoutSession, PaymentGateway, PaymentNotice } from './checkout-gateway.ts';

const NOTICES = 'payment-notices';
const WITH_PATIENT = { patient: { select: { fullName: true } } } as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EXPIRY = 'payment-expiry';
/** Stripe sends "expired" within moments of expires_at; after this we ask ourselves. */
const EXPIRY_GRACE_MS = 2 * 60_000;
const STRIPE_CLOCK_MARGIN_MS = 60_000;

/** Books a paid slot at the hospital (idempotent on `bookingKey`); throws SlotTaken when it is gone. */
export interface PaidBooker {
  bookPaid(
    address: ConversationAddress,
    patientId: string,
    booking: { slotId: string; department: Department; pending: boolean; bookingKey: string },
  ): Promise<AppointmentView>;
  /** Cancels an appointment at the hospital (and its reminders); idempotent. */
  cancelAppointment(appointmentId: string): Promise<void>;
}

/** Tells the patient's conversation what happened (a system event). */
export type PaymentMessenger = (
  address: ConversationAddress,
  name: string,
  data: Record<string, string>,
  dedupeKey: string,
) => Promise<void>;

export interface PaymentSettings {
  fees: FeeTable;
  refundPolicy: RefundRule[];
  holdMs: number;
  publicBaseUrl: string;
}

/** A payment as the console lists it: with who paid. */
export type PaymentWithPatient = Payment & { patient: { fullName: string | null } };

export class Payments {
  booker?: PaidBooker;
  holds?: SlotHolds;

  constructor(
    private readonly prisma: PrismaClient,
    readonly gateway: PaymentGateway,
    private readonly jobs: JobQueue,
    private readonly settings: PaymentSettings,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly tell: PaymentMessenger,
  ) {
    jobs.define<PaymentNotice>(NOTICES, (notice) => this.handle(notice), {
      concurrency: 4,
      attempts: 8,
      backoffMs: 2_000,
    });
    jobs.define<{ paymentId: string }>(EXPIRY, (job) => this.settle(job.paymentId), {
      concurrency: 2,
      attempts: 8,
      backoffMs: 5_000,
    });
  }

  /** The fee for a department in minor units; 0 means no payment step. */
  feeFor(department: Department): number {
    return feeFor(this.settings.fees, department);
  }

  /**
   * Opens (or, for a repeated request, finds) the Checkout session for a chosen slot and holds the
   * slot until the session ends.
   */
  async startCheckout(
    address: ConversationAddress,
    patientId: string,
    locale: Locale,
    request: { slotId: string; start: string; department: Department; pending: boolean },
  ): Promise<BookingResult> {
    const now = this.clock.now();
    const open = await this.prisma.payment.findFirst({
      where: { patientId, slotId: request.slotId, status: 'open', expiresAt: { gt: new Date(now) } },
    });
    const payment =
      open ??
      (await this.prisma.payment.create({
        data: {
          patientId,
          channel: address.channel,
          channelUserId: address.channelUserId,
          locale,
          slotId: request.slotId,
          // The held time, so "My appointments" can list it while it awaits payment.
          appointmentStart: new Date(request.start),
          department: request.department,
          pendingReview: request.pending,
          amountMinor: this.feeFor(request.department),
          currency: this.settings.fees.currency,
          // Stripe wants whole seconds and at least 30 minutes from when its request arrives;
          // a minute's margin keeps the shortest hold valid across the round trip.
          expiresAt: new Date(Math.ceil((now + this.settings.holdMs + STRIPE_CLOCK_MARGIN_MS) / 1000) * 1000),
        },
      }));
    const held = await this.holds?.holdForPayment(
      request.slotId,
      patientId,
      payment.id,
      payment.expiresAt.getTime() + EXPIRY_GRACE_MS * 2,
    );
    if (held === false) {
      await this.prisma.payment.updateMany({
        where: { id: payment.id, status: 'open' },
        data: { status: 'expired' },
      });
      return { kind: 'taken' };
    }
    let session: CheckoutSession;
    try {
      const pages = `${this.settings.publicBaseUrl}/pay`;
      session = await this.gateway.createCheckout({
        paymentId: payment.id,
        amountMinor: payment.amountMinor,
        currency: payment.currency,
        expiresAt: payment.expiresAt,
        locale,
        successUrl: `${pages}/done?lang=${locale}`,
        cancelUrl: `${pages}/cancelled?lang=${locale}`,
      });
    } catch (error) {
      this.logger.warn({ err: error, paymentId: payment.id }, 'payment provider refused the checkout');
      await this.prisma.payment.updateMany({
        where: { id: payment.id, status: 'open' },
        data: { status: 'expired' },
      });
      await this.holds?.releasePayment(request.slotId, patientId, payment.id);
      return { kind: 'failed' };
    }
    await this.prisma.payment.update({
      where: { id: payment.id },
      data: { checkoutSessionId: session.id, checkoutUrl: session.url ?? null },
    });
    await this.jobs.add(
      EXPIRY,
      { paymentId: payment.id },
      {
        jobId: `payment-expiry:${payment.id}`,
        delayMs: payment.expiresAt.getTime() + EXPIRY_GRACE_MS - now,
      },
    );
    return {
      kind: 'checkout',
      paymentId: payment.id,
      start: request.start,
      url: session.url ?? '',
      amountMinor: payment.amountMinor,
      currency: payment.currency,
      expiresAt: payment.expiresAt.toISOString(),
    };
  }

  /** Queues a provider notice; a notice already queued or handled is not queued again. */
  async accept(notice: PaymentNotice): Promise<'accepted' | 'duplicate'> {
    if (await this.prisma.paymentEvent.findUnique({ where: { id: notice.eventId } })) return 'duplicate';
    await this.jobs.add(NOTICES, notice, { jobId: `payment-notice:${notice.eventId}` });
    return 'accepted';
  }

  /** Acts on one notice, once (a handled event id is remembered). */
  async handle(notice: PaymentNotice): Promise<void> {
    if (await this.prisma.paymentEvent.findUnique({ where: { id: notice.eventId } })) return;
    const paymentId = await this.act(notice);
    await this.prisma.paymentEvent.createMany({
      data: [{ id: notice.eventId, type: notice.kind, paymentId: paymentId ?? null }],
      skipDuplicates: true,
    });
  }

  private async act(notice: PaymentNotice): Promise<string | undefined> {
    switch (notice.kind) {
      case 'checkout': {
        const payment = await this.prisma.payment.findUnique({
          where: { checkoutSessionId: notice.sessionId },
        });
        if (!payment) {
          this.logger.warn({ sessionId: notice.sessionId }, 'checkout event for a session we did not open');
          return undefined;
        }
        await this.reconcile(payment, await this.gateway.retrieveCheckout(notice.sessionId));
        return payment.id;
      }
      case 'failed': {
        const payment = await this.byIntent(notice.paymentIntentId, notice.paymentId);
        if (payment?.status === 'open') {
          await this.tell(
            this.address(payment),
            'payment.failed',
            {
              until: payment.expiresAt.toISOString(),
              url: payment.checkoutUrl ?? '',
              amountMinor: String(payment.amountMinor),
              currency: payment.currency,
            },
            `payment-failed:${notice.eventId}`,
          );
        }
        return payment?.id;
      }
      case 'refunded': {
        const payment = await this.byIntent(notice.paymentIntentId, notice.paymentId);
        if (!payment) return undefined;
        await this.prisma.payment.updateMany({
          where: { id: payment.id, refundSettledMinor: { lt: notice.amountRefunded } },
          data: { refundSettledMinor: notice.amountRefunded },
        });
        // A refund made outside Frontdoor (e.g. in the Stripe dashboard) is news to the patient.
        const extra = notice.amountRefunded - payment.refundedMinor;
        if (extra > 0) {
          const moved = await this.prisma.payment.updateMany({
            where: { id: payment.id, refundedMinor: payment.refundedMinor },
            data: { refundedMinor: notice.amountRefunded },
          });
          if (moved.count === 1) await this.tellRefund(payment, extra, `payment-refunded:${notice.eventId}`);
        }
        return payment.id;
      }
    }
  }

  /** Brings our Payment in line with the session as the provider has it now. */
  private async reconcile(payment: Payment, session: CheckoutSession): Promise<void> {
    if (session.status === 'complete' && session.paid) await this.confirm(payment, session);
    else if (session.status === 'expired') await this.release(payment);
  }

  /** Paid: book the held slot and send the receipt; a slot lost meanwhile is refunded in full. */
  private async confirm(payment: Payment, session: CheckoutSession): Promise<void> {
    if (payment.status === 'paid' || payment.status === 'void') return;
    const address = this.address(payment);
    let appointment: AppointmentView;
    try {
      if (!this.booker) throw new Error('payments: no booker');
      appointment = await this.booker.bookPaid(address, payment.patientId, {
        slotId: payment.slotId,
        department: payment.department as Department,
        pending: payment.pendingReview,
        bookingKey: `payment:${payment.id}`,
      });
    } catch (error) {
      if (!(error instanceof SlotTaken)) throw error;
      const paidAt = new Date(this.clock.now());
      const voided =
        session.paymentIntentId !== undefined &&
        (await this.claimThenRefund(
          { id: payment.id, status: { in: ['open', 'expired'] } },
          {
            status: 'void',
            paidAt,
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
          address,
          'payment.void',
          { amountMinor: String(payment.amountMinor), currency: payment.currency },
          `payment-void:${payment.id}`,
        );
      }
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
    await this.holds?.releasePayment(payment.slotId, payment.patientId, payment.id);
    if (moved.count === 1) {
      await this.tell(
        address,
        'payment.confirmed',
        {
          appointment: JSON.stringify(appointment),
          amountMinor: String(payment.amountMinor),
          currency: payment.currency,
          receipt: receiptNumber(payment.id),
        },
        `payment-confirmed:${payment.id}`,
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
    await this.holds?.releasePayment(payment.slotId, payment.patientId, payment.id);
    await this.tell(
      this.address(payment),
      'payment.expired',
      { slotId: payment.slotId, department: payment.department },
      `payment-expired:${payment.id}`,
    );
  }

  /**
   * The timer at the session's end: if no event has settled the payment, ask the provider (end
   * the session if it is still open) and act on what it says, paid or not.
   */
  async settle(paymentId: string): Promise<void> {
    const payment = await this.prisma.payment.findUnique({ where: { id: paymentId } });
    if (payment?.status !== 'open' || !payment.checkoutSessionId) return;
    await this.reconcile(payment, await this.gateway.expireCheckout(payment.checkoutSessionId));
  }

  /**
   * An appointment was cancelled: refund what the policy gives (all of it when the hospital
   * cancelled). Undefined when the appointment was not paid through us.
   */
  async refundOnCancel(
    appointmentId: string,
    by: Canceller,
  ): Promise<(RefundDecision & { currency: string; policyHours?: number }) | undefined> {
    const payment = await this.prisma.payment.findFirst({ where: { appointmentId, status: 'paid' } });
    if (!payment?.appointmentStart || !payment.paymentIntentId) return undefined;
    const decision = refundFor(
      this.settings.refundPolicy,
      {
        paidMinor: payment.amountMinor,
        refundedMinor: payment.refundedMinor,
        appointmentStart: payment.appointmentStart,
      },
      new Date(this.clock.now()),
      by,
    );
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
    return {
      ...decision,
      currency: payment.currency,
      policyHours: this.settings.refundPolicy.find((rule) => rule.percent > 0)?.hoursBefore,
    };
  }

  /**
   * What cancelling a paid appointment now would give back, for asking the patient first.
   * Undefined when it was not paid through us. Nothing changes.
   */
  async refundPreview(appointmentId: string): Promise<RefundNote | undefined> {
    const payment = await this.prisma.payment.findFirst({ where: { appointmentId, status: 'paid' } });
    if (!payment?.appointmentStart) return undefined;
    const decision = refundFor(
      this.settings.refundPolicy,
      {
        paidMinor: payment.amountMinor,
        refundedMinor: payment.refundedMinor,
        appointmentStart: payment.appointmentStart,
      },
      new Date(this.clock.now()),
      'patient',
    );
    return {
      amountMinor: decision.amountMinor,
      currency: payment.currency,
      percent: decision.percent,
      policyHours: this.settings.refundPolicy.find((rule) => rule.percent > 0)?.hoursBefore,
    };
  }

  /** The patient's held times still waiting for payment, for "My appointments". */
  async awaitingPayment(
    patientId: string,
  ): Promise<{ id: string; start: Date; department: string; url?: string }[]> {
    const open = await this.prisma.payment.findMany({
      where: { patientId, status: 'open', expiresAt: { gt: new Date(this.clock.now()) } },
      orderBy: { appointmentStart: 'asc' },
    });
    return open.flatMap((payment) =>
      payment.appointmentStart
        ? [
            {
              id: payment.id,
              start: payment.appointmentStart,
              department: payment.department,
              ...(payment.checkoutUrl ? { url: payment.checkoutUrl } : {}),
            },
          ]
        : [],
    );
  }

  /** An operator refunds what is left of a payment; the patient is told. */
  async refundByOperator(paymentId: string): Promise<Payment | undefined> {
    const payment = await this.find(paymentId);
    if (!payment?.paymentIntentId || !['paid', 'cancelled'].includes(payment.status)) return undefined;
    const amount = payment.amountMinor - payment.refundedMinor;
    if (amount <= 0) return payment;
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
    if (claimed) await this.tellRefund(payment, amount, `payment-refunded:${payment.id}:operator`);
    return this.find(paymentId);
  }

  /**
   * Moves the row first (so a provider event arriving meanwhile sees the refund as ours), then
   * asks for the refund; a failed call puts the row back, so the retry refunds again.
   */
  private async claimThenRefund(
    where: Prisma.PaymentWhereInput,
    claim: Prisma.PaymentUpdateManyMutationInput,
    undo: Prisma.PaymentUpdateManyMutationInput,
    refund: { paymentIntentId: string; amountMinor: number; key: string } | undefined,
  ): Promise<boolean> {
    const claimed = await this.prisma.payment.updateMany({ where, data: claim });
    if (claimed.count !== 1) return false;
    if (!refund) return true;
    try {
      await this.gateway.refund(refund.paymentIntentId, refund.amountMinor, refund.key);
    } catch (error) {
      await this.prisma.payment.updateMany({ where: { id: where.id as string }, data: undo });
      throw error;
    }
    return true;
  }

  /**
   * The hospital cancels a paid appointment (an operator's decision in the console): cancelled
   * at the hospital, refunded in full whatever the policy says, and the patient told.
   */
  async cancelByHospital(paymentId: string): Promise<Payment | undefined> {
    const payment = await this.find(paymentId);
    if (payment?.status !== 'paid' || !payment.appointmentId || !payment.appointmentStart) return undefined;
    if (!this.booker) throw new Error('payments: no booker');
    await this.booker.cancelAppointment(payment.appointmentId);
    const refund = await this.refundOnCancel(payment.appointmentId, 'hospital');
    if (refund) {
      await this.tell(
        this.address(payment),
        'payment.hospitalCancelled',
        {
          start: payment.appointmentStart.toISOString(),
          amountMinor: String(refund.amountMinor),
          currency: payment.currency,
        },
        `payment-hospital-cancel:${payment.id}`,
      );
    }
    return this.find(paymentId);
  }

  /** A paid appointment moved to another time: the payment follows it. */
  async moveAppointment(fromId: string, to: AppointmentView): Promise<void> {
    await this.prisma.payment.updateMany({
      where: { appointmentId: fromId, status: 'paid' },
      data: { appointmentId: to.id, appointmentStart: new Date(to.start) },
    });
  }

  /** Recent payments, newest first, for the console. */
  list(limit = 100): Promise<PaymentWithPatient[]> {
    return this.prisma.payment.findMany({
      orderBy: { createdAt: 'desc' },
      take: limit,
      include: WITH_PATIENT,
    });
  }

  /** A payment by our id; undefined for an unknown or malformed one. */
  async find(paymentId: string): Promise<PaymentWithPatient | undefined> {
    if (!UUID.test(paymentId)) return undefined;
    const found = await this.prisma.payment.findUnique({ where: { id: paymentId }, include: WITH_PATIENT });
    return found ?? undefined;
  }

  private async byIntent(
    paymentIntentId: string,
    paymentId: string | undefined,
  ): Promise<Payment | undefined> {
    const found = await this.prisma.payment.findUnique({ where: { paymentIntentId } });
    return found ?? (paymentId ? this.find(paymentId) : undefined);
  }

  private tellRefund(payment: Payment, amountMinor: number, dedupeKey: string): Promise<void> {
    return this.tell(
      this.address(payment),
      'payment.refunded',
      { amountMinor: String(amountMinor), currency: payment.currency },
      dedupeKey,
    );
  }

  private address(payment: Payment): ConversationAddress {
    return {
      channel: payment.channel as ConversationAddress['channel'],
      channelUserId: payment.channelUserId,
    };
  }
}

/** The number a patient quotes about a payment: short, and meaningless outside Frontdoor. */
export function receiptNumber(paymentId: string): string {
  return `FD-${paymentId.replaceAll('-', '').slice(0, 10).toUpperCase()}`;
}
