// The payment provider port: Checkout sessions and refunds. Stripe in production; a local test
// gateway with its own clearly labelled page when no STRIPE_SECRET_KEY is set. Both report
// what happened through the same PaymentNotice, so one code path confirms, releases and refunds.

export interface CheckoutRequest {
  /** Our Payment id: the only thing the provider learns about the patient or the visit. */
  paymentId: string;
  amountMinor: number;
  currency: string;
  /** The slot hold's end: the session expires with it. */
  expiresAt: Date;
  /** The patient's language, for the payment page. */
  locale: string;
  successUrl: string;
  cancelUrl: string;
}

export interface CheckoutSession {
  id: string;
  url: string | undefined;
  status: 'open' | 'complete' | 'expired';
  /** True once the money is taken (complete with payment_status "paid"). */
  paid: boolean;
  paymentIntentId: string | undefined;
  /** Our Payment id, from the session's metadata. */
  paymentId: string | undefined;
}

/** What the provider told us, reduced to what we act on; `eventId` dedupes redeliveries. */
export type PaymentNotice =
  /** A Checkout session changed (completed, expired): its current state is re-read. */
  | { kind: 'checkout'; eventId: string; sessionId: string }
  | { kind: 'failed'; eventId: string; paymentIntentId: string; paymentId: string | undefined }
  /** `amountRefunded` is the charge's running total, so late or repeated events are harmless. */
  | {
      kind: 'refunded';
      eventId: string;
      paymentIntentId: string;
      paymentId: string | undefined;
      amountRefunded: number;
    };

export interface PaymentGateway {
  readonly kind: 'stripe' | 'test';
  createCheckout(request: CheckoutRequest): Promise<CheckoutSession>;
  retrieveCheckout(sessionId: string): Promise<CheckoutSession>;
  /** Ends an open session now; a session already complete or expired is returned as it is. */
  expireCheckout(sessionId: string): Promise<CheckoutSession>;
  /** Refunds `amountMinor` of the payment; `key` makes a retried call refund once. */
  refund(paymentIntentId: string, amountMinor: number, key: string): Promise<void>;
}
