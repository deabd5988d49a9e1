// Paying for a consultation: the fee, the payment link, and the payment story told to the
// patient wherever they are (the Checkout itself is opened by booking's confirmation).
import type { SystemEventOf } from '../../conversation/flow.ts';
import type { Feature, Reaction } from '../feature.ts';
import type { PaymentEventName } from './events.ts';
import { paymentEvent } from './steps.ts';
import { paymentsConsole } from './console.ts';

/** News that needs no answer is followed by the menu, so the next step is one tap away. */
const told: Reaction<[event: SystemEventOf<PaymentEventName>]> = (state, event, context) => {
  const news = paymentEvent(state, event, context);
  const plain = news.effects.every(
    (effect) => effect.type === 'send' && !effect.message.choices && !effect.message.links,
  );
  return state.step === 'menu.main' && plain && news.effects.length > 0 ? { ...news, to: state.step } : news;
};

export const paymentsFeature: Feature = {
  name: 'payments',
  console: paymentsConsole,
  flows: [],
  events: {
    'payment.confirmed': told,
    'payment.expired': told,
    'payment.failed': told,
    'payment.void': told,
    'payment.hospitalCancelled': told,
    'payment.refunded': told,
  },
};
