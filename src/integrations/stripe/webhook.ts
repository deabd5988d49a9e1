// POST /webhooks/stripe: the signature is checked on the raw body with the SDK (its default
// five-minute tolerance) in the shared signed-webhook route, then the event becomes a
// PaymentNotice queued under its event id.
// Stripe retries anything but a 2xx, so only a bad signature or body is refused; event types
// we do not act on are acknowledged and left alone.
import type { FastifyInstance } from 'fastify';
import type Stripe from 'stripe';
import { z } from 'zod';
import { errors } from '../../server/errors.ts';
import { registerSignedWebhook } from '../../server/signed-webhook.ts';
import { parseInput, safeId } from '../../server/validation.ts';
import type { PaymentNotice } from './checkout-gateway.ts';
import type { Payments } from './payments.ts';

// The part of a Stripe event we read; the signature proves who sent it, not that it has these.
const stripeObject = z.object({ id: safeId(255) });
// Our own payment id travels in metadata; anything else there is not ours and is ignored.
const metadata = z.object({ paymentId: z.uuid().optional().catch(undefined) }).nullish();
const stripeEvent = z.object({ id: safeId(255), type: z.string().max(255) });
const checkoutEvent = z.object({ data: z.object({ object: stripeObject }) });
const failedEvent = z.object({ data: z.object({ object: stripeObject.extend({ metadata }) }) });
const refundEvent = z.object({
  data: z.object({
    object: z.object({
      payment_intent: z.union([safeId(255), z.object({ id: safeId(255) })]).nullish(),
      metadata,
      amount_refunded: z.int().min(0),
    }),
  }),
});

/**
 * The notice an event means for us, or undefined for types we do not act on. Throws a 400
 * AppError when a field we read is missing or of the wrong type.
 */
export function noticeFor(raw: unknown): PaymentNotice | undefined {
  const event = parseInput(stripeEvent, raw);
  switch (event.type) {
    case 'checkout.session.completed':
    case 'checkout.session.expired':
    case 'checkout.session.async_payment_succeeded':
    case 'checkout.session.async_payment_failed': {
      const { data } = parseInput(checkoutEvent, raw);
      return { kind: 'checkout', eventId: event.id, sessionId: data.object.id };
    }
    case 'payment_intent.payment_failed': {
      const { data } = parseInput(failedEvent, raw);
      return {
        kind: 'failed',
        eventId: event.id,
        paymentIntentId: data.object.id,
        paymentId: data.object.metadata?.paymentId,
      };
    }
    case 'charge.refunded': {
      const charge = parseInput(refundEvent, raw).data.object;
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
  await registerSignedWebhook(app, {
    path: '/webhooks/stripe',
    proof: {
      kind: 'custom',
      header: 'stripe-signature',
      verify: (raw, signature) => {
        try {
          return stripe.webhooks.signature?.verifyHeader(raw, signature, webhookSecret) ?? false;
        } catch {
          return false;
        }
      },
    },
    refusal: () => errors.badRequest('bad or missing Stripe-Signature, or a stale timestamp'),
    handle: async (event, _request, reply) => {
      // Signed, but its shape is still checked before anything is queued.
      const notice = noticeFor(event);
      if (!notice) return reply.code(200).send({ received: true, handled: false });
      const outcome = await payments.accept(notice);
      return reply.code(200).send({ received: true, handled: true, duplicate: outcome === 'duplicate' });
    },
  });
}
