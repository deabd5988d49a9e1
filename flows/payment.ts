// Paying for a consultation, as the patient sees it: the fee before confirming, the payment
// button while the slot is held, then the receipt, the release, a failed card or a refund —
// each told in the patient's language whatever step they are in when it happens.
import type { ConversationState, Effect, StepContext } from '../src/conversation/flow.ts';
import type { OutboundMessage } from '../src/conversation/message.ts';
import type { AppointmentView, BookingResult, RefundNote } from '../src/domain/booking.ts';
import { feeFor, formatMoney } from '../src/domain/payments.ts';
import { describe, when } from './appointment-text.ts';
import { choices, send } from './kit.ts';

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
  name: string,
  data: Record<string, unknown>,
  context: StepContext,
): Told {
  const t = context.text(state.locale);
  const field = (key: string) => (typeof data[key] === 'string' ? data[key] : '');
  const amount = money(
    Number(field('amountMinor')),
    field('currency') || context.settings.fees.currency,
    state,
  );
  switch (name) {
    case 'payment.confirmed': {
      const appointment = JSON.parse(field('appointment') || '{}') as AppointmentView;
      if (!appointment.start) return { state, effects: [] };
      const paid = when(new Date(context.now).toISOString(), state.locale, context.settings.hospitalTimeZone);
      const booked = t(
        appointment.status === 'pending' ? 'booking:pending' : 'booking:booked',
        describe(appointment, state, context),
      );
      const receipt = t('payment:receipt', {
        receipt: field('receipt'),
        amount,
        paidAt: `${paid.day} ${paid.time}`,
      });
      return { state, effects: [send({ text: `${booked}\n\n${t('payment:received')}\n${receipt}` })] };
    }
    case 'payment.expired':
      return {
        state,
        effects: [
          send({
            text: t('payment:expired'),
            choices: choices('menu', [['book', t('payment:bookAgain')]]),
          }),
        ],
      };
    case 'payment.failed': {
      const until = when(field('until'), state.locale, context.settings.hospitalTimeZone).time;
      const url = field('url');
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
      const at = when(field('start'), state.locale, context.settings.hospitalTimeZone);
      const refund = refundText(
        { amountMinor: Number(field('amountMinor')), currency: field('currency'), percent: 100 },
        state,
        context,
      );
      return { state, effects: [send({ text: `${t('payment:hospitalCancelled', at)}\n${refund}` })] };
    }
    case 'payment.refunded':
      return { state, effects: [send({ text: t('payment:refunded', { amount }) })] };
    default:
      return { state, effects: [] };
  }
}
