// Opening a checkout for a chosen slot: the fee for its department, a Payment row and the slot
// held for the patient until the session ends. The timer that settles it if the provider never
// says how it ended is the conversation's to set, from the answer (payments' checkoutTimer).
import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import type { ConversationAddress } from '../../conversation/message.ts';
import type { BookingResult } from '../../domain/booking.ts';
import type { AwaitedPayment, PaymentCheckout, SlotHolder } from '../../domain/paid-booking.ts';
import { feeFor, type FeeTable } from '../../domain/payments.ts';
import type { Department } from '../../domain/triage.ts';
import type { Locale } from '../../i18n/locales.ts';
import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { CheckoutSession, PaymentGateway } from './checkout-gateway.ts';
import { CHECKOUT_EXPIRY_GRACE_MS } from '../../domain/deadlines.ts';

const STRIPE_CLOCK_MARGIN_MS = 60_000;

export interface CheckoutSettings {
  fees: FeeTable;
  holdMs: number;
  publicBaseUrl: string;
}

export class Checkouts implements PaymentCheckout {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly gateway: PaymentGateway,
    private readonly holds: SlotHolder,
    private readonly settings: CheckoutSettings,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** The fee for a department in minor units; 0 means no payment step. */
  feeFor(department: Department): number {
    return feeFor(this.settings.fees, department);
  }

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
    const held = await this.holds.holdForPayment(
      request.slotId,
      patientId,
      payment.id,
      // Past the settling timer, so the slot is still held when it asks the provider.
      payment.expiresAt.getTime() + CHECKOUT_EXPIRY_GRACE_MS * 2,
    );
    if (!held) {
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
      await this.holds.releasePayment(request.slotId, patientId, payment.id);
      return { kind: 'failed' };
    }
    await this.prisma.payment.update({
      where: { id: payment.id },
      data: { checkoutSessionId: session.id, checkoutUrl: session.url ?? null },
    });
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

  async awaitingPayment(patientId: string): Promise<AwaitedPayment[]> {
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
}
