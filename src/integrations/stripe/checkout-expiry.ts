// The timer at a checkout session's end: when no notice from the provider has settled the
// payment by then, we ask the provider ourselves (ending the session if it is still open) and
// act on what it says, paid or not.
import type { JobQueue } from '../../jobs/job-queue.ts';
import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { PaymentGateway } from './checkout-gateway.ts';
import type { Settlement } from './settlement.ts';

export const EXPIRY_QUEUE = 'payment-expiry';
/** Stripe sends "expired" within moments of expires_at; after this we ask ourselves. */
export const EXPIRY_GRACE_MS = 2 * 60_000;

export interface ExpiryJob {
  paymentId: string;
}

export class CheckoutExpiry {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly gateway: PaymentGateway,
    jobs: JobQueue,
    private readonly settlement: Settlement,
  ) {
    jobs.define<ExpiryJob>(EXPIRY_QUEUE, (job) => this.settle(job.paymentId), {
      concurrency: 2,
      attempts: 8,
      backoffMs: 5_000,
    });
  }

  /** Settles an open payment by what the provider says of its session now. */
  async settle(paymentId: string): Promise<void> {
    const payment = await this.prisma.payment.findUnique({ where: { id: paymentId } });
    if (payment?.status !== 'open' || !payment.checkoutSessionId) return;
    await this.settlement.reconcile(payment, await this.gateway.expireCheckout(payment.checkoutSessionId));
  }
}
