// What the payment provider tells us (Stripe's webhooks, or the local test gateway), acted on
// exactly once: every notice runs as a job keyed by its event id, a handled event id is
// remembered, and each notice re-reads the session or payment before anything moves.
import type { Logger } from 'pino';
import type { JobQueue } from '../../jobs/job-queue.ts';
import type { Payment, PrismaClient } from '../../generated/prisma/client.ts';
import type { PaymentGateway, PaymentNotice } from './checkout-gateway.ts';
import { addressOf, findPayment, tellRefund, type PaymentMessenger } from './payment-record.ts';
import type { Settlement } from './settlement.ts';

const NOTICES = 'payment-notices';

export class ProviderNotices {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly gateway: PaymentGateway,
    private readonly jobs: JobQueue,
    private readonly settlement: Settlement,
    private readonly logger: Logger,
    private readonly tell: PaymentMessenger,
  ) {
    jobs.define<PaymentNotice>(NOTICES, (notice) => this.handle(notice), {
      concurrency: 4,
      attempts: 8,
      backoffMs: 2_000,
    });
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
        await this.settlement.reconcile(payment, await this.gateway.retrieveCheckout(notice.sessionId));
        return payment.id;
      }
      case 'failed': {
        const payment = await this.byIntent(notice.paymentIntentId, notice.paymentId);
        if (payment?.status === 'open') {
          await this.tell(
            addressOf(payment),
            {
              kind: 'system',
              name: 'payment.failed',
              data: {
                until: payment.expiresAt.toISOString(),
                url: payment.checkoutUrl ?? '',
                amountMinor: payment.amountMinor,
                currency: payment.currency,
              },
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
          if (moved.count === 1)
            await tellRefund(this.tell, payment, extra, `payment-refunded:${notice.eventId}`);
        }
        return payment.id;
      }
    }
  }

  private async byIntent(
    paymentIntentId: string,
    paymentId: string | undefined,
  ): Promise<Payment | undefined> {
    const found = await this.prisma.payment.findUnique({ where: { paymentIntentId } });
    return found ?? (paymentId ? findPayment(this.prisma, paymentId) : undefined);
  }
}
