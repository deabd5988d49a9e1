// Settling a checkout at its end: when no notice from the provider has settled the payment by
// then, we ask the provider ourselves (ending the session if it is still open) and act on what
// it says, paid or not. The conversation's timer (payments.checkoutExpired) asks for it; the
// queue below still runs the timers versions before that one set here, until none is left.
import type { JobQueue } from '../../jobs/job-queue.ts';
import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { PaymentGateway } from './checkout-gateway.ts';
import type { Settlement } from './settlement.ts';

/**
 * Where earlier versions set a checkout's timer (job `payment-expiry:<paymentId>`, a row in
 * ScheduledTimer). No new job is added; remove this queue once
 * `SELECT count(*) FROM "ScheduledTimer" WHERE queue = 'payment-expiry'` is 0 everywhere
 * (an hour or so after the upgrade: a checkout lasts PAYMENT_HOLD_MINUTES).
 */
const LEGACY_EXPIRY_QUEUE = 'payment-expiry';

interface LegacyExpiryJob {
  paymentId: string;
}

export class CheckoutExpiry {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly gateway: PaymentGateway,
    jobs: JobQueue,
    private readonly settlement: Settlement,
  ) {
    jobs.define<LegacyExpiryJob>(LEGACY_EXPIRY_QUEUE, (job) => this.settle(job.paymentId), {
      concurrency: 2,
      attempts: 8,
      backoffMs: 5_000,
    });
  }

  /** Settles an open payment by what the provider says of its session now; once settled, a no-op. */
  async settle(paymentId: string): Promise<void> {
    const payment = await this.prisma.payment.findUnique({ where: { id: paymentId } });
    if (payment?.status !== 'open' || !payment.checkoutSessionId) return;
    await this.settlement.reconcile(payment, await this.gateway.expireCheckout(payment.checkoutSessionId));
  }
}
