// Paying for a consultation, as the patient sees it: the fee before confirming, the payment
// button while the slot is held, then the receipt, the release, a failed card or a refund —
// each told in the patient's language whatever step they are in when it happens.
import type { ConversationState, Effect, StepContext, SystemEventOf } from '../../conversation/flow.ts';
import type { OutboundMessage } from '../../conversation/message.ts';
import type { BookingResult, RefundNote } from '../../domain/booking.ts';
import { CHECKOUT_EXPIRY_GRACE_MS, checkoutTimerId } from '../../domain/deadlines.ts';
import { feeFor, formatMoney } from '../../domain/payments.ts';
import { describe, when } from '../booking/appointment-text.ts';
import { choices, send } from '../kit.ts';
import { checkInCodes } from '../queue/steps.ts';
import type { PaymentEventName } from './events.ts';

type Checkout = Extract<BookingResult, { kind: 'checkout' }>;
type Told = { state: ConversationState; effects: Effect[] };

const money = (amountMinor: number, currency: string, state: ConversationState) =>
  formatMoney(amountMinor, currency, state.locale);

/** The fee for the department being booked; 0 (free) skips paying. A move never charges again. */
export function payable(state: ConversationState, context: StepContext): number {
  if (state.draft.replaces) return 0;
  return feeFor(context.settings.fees, state.draft.department);
}

/** "Consultation fee: …" under the confirmation question, when there is one. */
export function feeLine(state: ConversationState, context: StepContext): string {
  const fee = payable(state, context);
  if (fee === 0) return '';
  const amount = money(fee, context.settings.fees.currency, state);
  return `\n\n${context.text(state.locale)('payment:fee', { amount })}`;
}

/** The held time and the button that opens the payment page. */
export function checkoutMessage(
  state: ConversationState,
  checkout: Checkout,
  context: StepContext,
): OutboundMessage {
  const t = context.text(state.locale);
  const amount = money(checkout.amountMinor, checkout.currency, state);
  const at = when(checkout.start, state.locale, context.settings.hospitalTimeZone);
  const until = when(checkout.expiresAt, state.locale, context.settings.hospitalTimeZone).time;
  return {
    text: t('payment:pay', { ...at, until, amount }),
    links: [{ label: t('payment:payButton', { amount }), url: checkout.url }],
  };
}

/**
 * The timer at the checkout's end: if by then (and Stripe's grace for its "expired" webhook) no
 * notice has settled the payment, it is settled by asking the provider.
 */
export function checkoutTimer(checkout: Checkout): Effect {
  return {
    type: 'schedule',
    id: checkoutTimerId(checkout.paymentId),
    at: Date.parse(checkout.expiresAt) + CHECKOUT_EXPIRY_GRACE_MS,
    event: { kind: 'system', name: 'payments.checkoutExpired', data: { paymentId: checkout.paymentId } },
  };
}

/** What a cancellation gave back, and why, in one sentence. */
export function refundText(refund: RefundNote, state: ConversationState, context: StepContext): string {
  const t = context.text(state.locale);
  const amount = money(refund.amountMinor, refund.currency, state);
  if (refund.amountMinor === 0) return t('payment:refundNone', { hours: refund.policyHours ?? 24 });
  if (refund.percent >= 100) return t('payment:refundFull', { amount });
  return t('payment:refundPart', { amount, percent: refund.percent });
}

/** What cancelling would give back, said before the patient confirms (per REFUND_POLICY). */
export function refundPreviewText(
  refund: RefundNote,
  state: ConversationState,
  context: StepContext,
): string {
  const t = context.text(state.locale);
  const amount = money(refund.amountMinor, refund.currency, state);
  if (refund.amountMinor === 0) return t('payment:refundWouldBeNone', { hours: refund.policyHours ?? 24 });
  if (refund.percent >= 100) return t('payment:refundWouldBeFull', { amount });
  return t('payment:refundWouldBePart', { amount, percent: refund.percent });
}

/** The system events of the payment story ("payment.*"), told wherever the patient is. */
export function paymentEvent(
  state: ConversationState,
  event: SystemEventOf<PaymentEventName>,
  context: StepContext,
): Told {
  const t = context.text(state.locale);
  const zone = context.settings.hospitalTimeZone;
  if (event.name === 'payment.expired')
    return {
      state,
      effects: [
        send({ text: t('payment:expired'), choices: choices('menu', [['book', t('payment:bookAgain')]]) }),
      ],
    };
  const { amountMinor, currency } = event.data;
  const amount = money(amountMinor, currency || context.settings.fees.currency, state);
  switch (event.name) {
    case 'payment.confirmed': {
      const { appointment } = event.data;
      if (!appointment.start) return { state, effects: [] };
      const paid = when(new Date(context.now).toISOString(), state.locale, zone);
      const booked = t(
        appointment.status === 'pending' ? 'booking:pending' : 'booking:booked',
        describe(appointment, state, context),
      );
      const receipt = t('payment:receipt', {
        receipt: event.data.receipt,
        amount,
        paidAt: `${paid.day} ${paid.time}`,
      });
      return {
        state,
        effects: [
          send({ text: `${booked}\n\n${t('payment:received')}\n${receipt}` }),
          ...checkInCodes([appointment], state, context).map(send),
        ],
      };
    }
    case 'payment.failed': {
      const until = when(event.data.until, state.locale, zone).time;
      const { url } = event.data;
      return {
        state,
        effects: [
          send({
            text: t('payment:failed', { until }),
            ...(url ? { links: [{ label: t('payment:payButton', { amount }), url }] } : {}),
          }),
        ],
      };
    }
    case 'payment.void':
      return {
        state,
        effects: [
          send({
            text: t('payment:void', { amount }),
            choices: choices('menu', [['book', t('payment:bookAgain')]]),
          }),
        ],
      };
    case 'payment.hospitalCancelled': {
      const at = when(event.data.start, state.locale, zone);
      const refund = refundText({ amountMinor, currency, percent: 100 }, state, context);
      return { state, effects: [send({ text: `${t('payment:hospitalCancelled', at)}\n${refund}` })] };
    }
    case 'payment.refunded':
      return { state, effects: [send({ text: t('payment:refunded', { amount }) })] };
  }
}
