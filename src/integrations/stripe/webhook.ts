// POST /webhooks/stripe: the signature is checked on the raw body with the SDK (its default
// five-minute tolerance), then the event becomes a PaymentNotice queued under its event id.
// Stripe retries anything but a 2xx, so only a bad signature or body is refused; event types
// we do not act on are acknowledged and left alone.
import type { FastifyInstance } from 'fastify';
import type Stripe from 'stripe';
import { errors } from '../../server/errors.ts';
import type { PaymentNotice } from './checkout-gateway.ts';
import type { Payments } from './payments.ts';

/** The notice an event means for us, or undefined for types we do not act on. */
export function noticeFor(event: Stripe.Event): PaymentNotice | undefined {
  switch (event.type) {
    case 'checkout.session.completed':
    case 'checkout.session.expired':
    case 'checkout.session.async_payment_succeeded':
    case 'checkout.session.async_payment_failed':
      return { kind: 'checkout', eventId: event.id, sessionId: event.data.object.id };
    case 'payment_intent.payment_failed':
      return {
        kind: 'failed',
        eventId: event.id,
        paymentIntentId: event.data.object.id,
        paymentId: event.data.object.metadata?.paymentId,
      };
    case 'charge.refunded': {
      const charge = event.data.object;
      const intent =
        typeof charge.payment_intent === 'string' ? charge.payment_intent : charge.payment_intent?.id;
      if (!intent) return undefined;
      return {
        kind: 'refunded',
        eventId: event.id,
        paymentIntentId: intent,
        paymentId: charge.metadata?.paymentId,
        amountRefunded: charge.amount_refunded,
      };
    }
    default:
      return undefined;
  }
}

export async function registerStripeWebhook(
  app: FastifyInstance,
  stripe: Stripe,
  webhookSecret: string,
  payments: Payments,
): Promise<void> {
  await app.register(async (scope) => {
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) =>
      done(null, body),
    );
    scope.post('/webhooks/stripe', async (request, reply) => {
      const raw = request.body;
      const signature = request.headers['stripe-signature'];
      if (!Buffer.isBuffer(raw) || typeof signature !== 'string') {
        throw errors.badRequest('missing Stripe-Signature header or body');
      }
      let event: Stripe.Event;
      try {
        event = stripe.webhooks.constructEvent(raw, signature, webhookSecret);
      } catch {
        // Also a body that is not JSON: the signature check parses only after verifying.
        throw errors.badRequest('bad Stripe-Signature, stale timestamp or malformed body');
      }
      const notice = noticeFor(event);
      if (!notice) return reply.code(200).send({ received: true, handled: false });
      const outcome = await payments.accept(notice);
      return reply.code(200).send({ received: true, handled: true, duplicate: outcome === 'duplicate' });
    });
  });
}
