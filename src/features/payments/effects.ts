// The payments feature's effect and its handler: a checkout whose timer ran out is settled by
// what the provider says of it now (paid after all: booked; not: the slot goes back). Stripe's
// checkout.session.expired webhook is the usual path; both settle a payment once.
import type { EffectHandlers } from '../../conversation/flow.ts';
import type { CheckoutSettlement } from '../../domain/paid-booking.ts';
import './events.ts';

declare module '../../conversation/flow.ts' {
  interface EffectMap {
    /** Ends an open checkout at the provider and acts on how it ended (no-op once settled). */
    'payments.settleCheckout': { paymentId: string };
  }
}

export function paymentsEffects(payments: CheckoutSettlement): EffectHandlers {
  return {
    'payments.settleCheckout': ({ paymentId }) => payments.settle(paymentId),
  };
}
