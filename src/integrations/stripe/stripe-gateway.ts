// The payment port on Stripe's SDK: Checkout sessions with expires_at, metadata holding only our
// opaque payment id, one neutral line item, and an idempotency key on every call that changes
// anything. STRIPE_API_BASE_URL points the SDK elsewhere (tests use a local fake).
import Stripe from 'stripe';
import type { CheckoutRequest, CheckoutSession, PaymentGateway } from './checkout-gateway.ts';

/** Stripe Checkout's own languages for ours (zh-CN is "zh" there). */
const CHECKOUT_LOCALE: Record<string, Stripe.Checkout.SessionCreateParams.Locale> = {
  en: 'en',
  vi: 'vi',
  'zh-CN': 'zh',
  fr: 'fr',
  th: 'th',
  ja: 'ja',
};

export function stripeClient(secretKey: string, baseUrl: string): Stripe {
  const url = new URL(baseUrl);
  return new Stripe(secretKey, {
    host: url.hostname,
    port: url.port || (url.protocol === 'https:' ? 443 : 80),
    protocol: url.protocol === 'https:' ? 'https' : 'http',
    maxNetworkRetries: 2,
    timeout: 15_000,
    appInfo: { name: 'Frontdoor' },
  });
}

function toSession(session: Stripe.Checkout.Session): CheckoutSession {
  const intent = session.payment_intent;
  return {
    id: session.id,
    url: session.url ?? undefined,
    status: session.status === 'complete' ? 'complete' : session.status === 'expired' ? 'expired' : 'open',
    paid: session.status === 'complete' && session.payment_status !== 'unpaid',
    paymentIntentId: typeof intent === 'string' ? intent : (intent?.id ?? undefined),
    paymentId: session.metadata?.paymentId ?? session.client_reference_id ?? undefined,
  };
}

export class StripeGateway implements PaymentGateway {
  readonly kind = 'stripe';

  constructor(private readonly stripe: Stripe) {}

  async createCheckout(request: CheckoutRequest): Promise<CheckoutSession> {
    const metadata = { paymentId: request.paymentId };
    const session = await this.stripe.checkout.sessions.create(
      {
        mode: 'payment',
        // The line item is the only thing the payer's statement and Stripe's records show:
        // never the department, doctor or reason for the visit.
        line_items: [
          {
            quantity: 1,
            price_data: {
              currency: request.currency.toLowerCase(),
              unit_amount: request.amountMinor,
              product_data: { name: 'Consultation' },
            },
          },
        ],
        expires_at: Math.floor(request.expiresAt.getTime() / 1000),
        client_reference_id: request.paymentId,
        metadata,
        payment_intent_data: { metadata },
        locale: CHECKOUT_LOCALE[request.locale] ?? 'auto',
        success_url: request.successUrl,
        cancel_url: request.cancelUrl,
      },
      { idempotencyKey: `checkout:${request.paymentId}` },
    );
    return toSession(session);
  }

  async retrieveCheckout(sessionId: string): Promise<CheckoutSession> {
    return toSession(await this.stripe.checkout.sessions.retrieve(sessionId));
  }

  async expireCheckout(sessionId: string): Promise<CheckoutSession> {
    const current = await this.retrieveCheckout(sessionId);
    if (current.status !== 'open') return current;
    try {
      return toSession(
        await this.stripe.checkout.sessions.expire(sessionId, {}, { idempotencyKey: `expire:${sessionId}` }),
      );
    } catch (error) {
      // Paid (or expired by Stripe) between our read and the call: the current state wins.
      if (error instanceof Stripe.errors.StripeInvalidRequestError) return this.retrieveCheckout(sessionId);
      throw error;
    }
  }

  async refund(paymentIntentId: string, amountMinor: number, key: string): Promise<void> {
    await this.stripe.refunds.create(
      { payment_intent: paymentIntentId, amount: amountMinor, reason: 'requested_by_customer' },
      { idempotencyKey: key },
    );
  }
}
