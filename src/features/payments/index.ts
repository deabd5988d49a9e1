// Paying for a consultation: the fee, the payment link, and the payment story told to the
// patient wherever they are (the Checkout itself is opened by booking's confirmation).
import type { ConversationState, StepContext, SystemEventOf } from '../../conversation/flow.ts';
import { cancelReminders, reminderTimers } from '../booking/reminders.ts';
import type { Feature } from '../feature.ts';
import type { Outcome } from '../kit.ts';
import { paymentsEffects } from './effects.ts';
import type { PaymentEventName } from './events.ts';
import { paymentEvent } from './steps.ts';
import { paymentsConsole } from './console.ts';

/** News that needs no answer is followed by the menu, so the next step is one tap away. */
const told = (
  state: ConversationState,
  event: SystemEventOf<PaymentEventName>,
  context: StepContext,
): Outcome => {
  const news = paymentEvent(state, event, context);
  const messages = news.effects.filter((effect) => effect.type === 'send');
  // A check-in code (an image with its link) needs no answer either; a payment link does.
  const plain = messages.every(
    (effect) => !effect.message.choices && (!effect.message.links || effect.message.image),
  );
  return state.step === 'menu.main' && plain && messages.length > 0 ? { ...news, to: state.step } : news;
};

export const paymentsFeature: Feature = {
  name: 'payments',
  console: paymentsConsole,
  flows: [],
  effects: ({ payments }) => paymentsEffects(payments),
  events: {
    // Paid means booked: its reminders are set as for any booking.
    'payment.confirmed': (state, event, context) => {
      const news = told(state, event, context);
      return { ...news, effects: [...news.effects, ...reminderTimers(event.data.appointment, context.now)] };
    },
    'payment.expired': told,
    'payment.failed': told,
    'payment.void': told,
    'payment.hospitalCancelled': (state, event, context) => {
      const news = told(state, event, context);
      const { appointmentId } = event.data;
      return appointmentId
        ? { ...news, effects: [...news.effects, ...cancelReminders(appointmentId)] }
        : news;
    },
    'payment.refunded': told,
    'payments.checkoutExpired': (state, { data }) => ({
      state,
      effects: [{ type: 'payments.settleCheckout', paymentId: data.paymentId }],
    }),
  },
};
