// Fees, currencies and the refund policy as rules, and the payment steps of the booking flow
// with the provider's answers scripted.
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import type {
  Effect,
  FlowEvent,
  StepContext,
  SystemEventName,
  SystemEventOf,
} from '../../src/conversation/flow.ts';
import type { AppointmentView, BookingResult, SlotOption } from '../../src/domain/booking.ts';
import {
  feeFor,
  formatMoney,
  parseFees,
  parseRefundPolicy,
  refundFor,
  toMinorUnits,
} from '../../src/domain/payments.ts';
import { DEPARTMENTS } from '../../src/domain/triage.ts';
import { renderTelegram } from '../../src/channels/telegram/render.ts';
import { button, flowContext, patientAtMenu, runFlow, sent, settings } from '../support/flow-harness.ts';

describe('money', () => {
  it("writes amounts in Stripe's minor units, none for zero-decimal currencies", () => {
    expect(toMinorUnits(200_000, 'VND')).toBe(200_000);
    expect(toMinorUnits(3_000, 'JPY')).toBe(3_000);
    expect(toMinorUnits(25.5, 'EUR')).toBe(2_550);
    expect(toMinorUnits(40, 'USD')).toBe(4_000);
    expect(toMinorUnits(500, 'THB')).toBe(50_000);
    expect(toMinorUnits(50, 'CNY')).toBe(5_000);
    // Float noise does not leak into the integer Stripe receives.
    expect(toMinorUnits(19.99, 'EUR')).toBe(1_999);
  });

  it("shows amounts the way the patient's language writes them", () => {
    expect(formatMoney(200_000, 'VND', 'vi')).toMatch(/^200\.000\s₫$/);
    expect(formatMoney(3_000, 'JPY', 'ja')).toMatch(/^[￥¥]3,000$/);
    expect(formatMoney(2_550, 'EUR', 'fr')).toMatch(/^25,50\s€$/);
    expect(formatMoney(50_000, 'THB', 'th')).toBe('฿500.00');
    expect(formatMoney(5_000, 'CNY', 'zh-CN')).toBe('¥50.00');
    expect(formatMoney(4_000, 'USD', 'en')).toBe('$40.00');
  });

  it('reads a fee table per department, with a default and free departments', () => {
    const table = parseFees('cardiology=500000,general_medicine=0,*=200000', 'VND', DEPARTMENTS)!;
    expect(feeFor(table, 'cardiology')).toBe(500_000);
    expect(feeFor(table, 'general_medicine')).toBe(0);
    expect(feeFor(table, 'neurology')).toBe(200_000);
    expect(feeFor(parseFees('0', 'EUR', DEPARTMENTS)!, 'cardiology')).toBe(0);
    expect(feeFor(parseFees('*=25.50', 'EUR', DEPARTMENTS)!, 'cardiology')).toBe(2_550);
    expect(parseFees('astrology=10', 'VND', DEPARTMENTS)).toBeUndefined();
    // VND has no minor unit: a fraction is a mistake, not a rounding question.
    expect(parseFees('*=1000.5', 'VND', DEPARTMENTS)).toBeUndefined();
    expect(parseFees('cardiology', 'VND', DEPARTMENTS)).toBeUndefined();
  });
});

describe('refund policy', () => {
  const start = new Date('2026-12-01T08:00:00Z');
  const hoursBefore = (hours: number) => new Date(start.getTime() - hours * 3_600_000);
  const paid = { paidMinor: 200_000, refundedMinor: 0, appointmentStart: start };
  const policy = parseRefundPolicy('24=100')!;

  it('refunds in full 24 h or more ahead and nothing after, by default', () => {
    expect(refundFor(policy, paid, hoursBefore(24), 'patient')).toMatchObject({
      amountMinor: 200_000,
      percent: 100,
    });
    expect(refundFor(policy, paid, hoursBefore(23.9), 'patient')).toMatchObject({
      amountMinor: 0,
      percent: 0,
    });
    expect(refundFor(policy, paid, hoursBefore(-1), 'patient').amountMinor).toBe(0);
  });

  it('always refunds in full when the hospital cancels, less what was refunded already', () => {
    expect(refundFor(policy, paid, hoursBefore(1), 'hospital').amountMinor).toBe(200_000);
    expect(
      refundFor(policy, { ...paid, refundedMinor: 50_000 }, hoursBefore(1), 'hospital').amountMinor,
    ).toBe(150_000);
  });

  it('applies the first row whose notice period was met', () => {
    const tiered = parseRefundPolicy('2=50,48=100')!;
    expect(tiered.map((rule) => rule.hoursBefore)).toEqual([48, 2]);
    expect(refundFor(tiered, paid, hoursBefore(72), 'patient').amountMinor).toBe(200_000);
    expect(refundFor(tiered, paid, hoursBefore(10), 'patient')).toMatchObject({
      amountMinor: 100_000,
      percent: 50,
    });
    expect(refundFor(tiered, paid, hoursBefore(1), 'patient').amountMinor).toBe(0);
    expect(parseRefundPolicy('24=150')).toBeUndefined();
    expect(parseRefundPolicy('soon=100')).toBeUndefined();
  });
});

describe('payment settings', () => {
  const base = { FIELD_ENCRYPTION_KEY: undefined };
  const productionKey = { FIELD_ENCRYPTION_KEY: 'k1.aesgcm256.NS_TmtIbY0t9sQXIsZDfif29X36VoIl8t_-sXv5KsLQ=' };

  it("takes the currency and a demo fee from the hospital's country", () => {
    const japan = loadConfig({ ...base, HOSPITAL_COUNTRY: 'JP' });
    expect(japan.HOSPITAL_CURRENCY).toBe('JPY');
    expect(japan.CONSULTATION_FEES).toEqual({ currency: 'JPY', byDepartment: {}, otherwise: 3_000 });
    expect(loadConfig({ ...base, HOSPITAL_COUNTRY: 'FR' }).CONSULTATION_FEES.otherwise).toBe(2_500);
    expect(loadConfig(base).PAYMENT_HOLD_MINUTES).toBe(30);
  });

  it('refuses malformed fees, policies and hold times, naming the variable', () => {
    const fails = (env: Record<string, string>, variable: string) => {
      expect(() => loadConfig({ ...base, ...env })).toThrow(ConfigError);
      expect(() => loadConfig({ ...base, ...env })).toThrow(`Invalid setting ${variable}:`);
    };
    fails({ CONSULTATION_FEES: 'cardiology=lots' }, 'CONSULTATION_FEES');
    fails({ REFUND_POLICY: '24=200' }, 'REFUND_POLICY');
    // Stripe Checkout sessions live 30 minutes to 24 hours.
    fails({ PAYMENT_HOLD_MINUTES: '20' }, 'PAYMENT_HOLD_MINUTES');
    fails({ PAYMENT_HOLD_MINUTES: '1441' }, 'PAYMENT_HOLD_MINUTES');
    fails({ HOSPITAL_CURRENCY: 'dong' }, 'HOSPITAL_CURRENCY');
  });

  it('will not run the test-payment page in production: fees there need Stripe', () => {
    expect(() => loadConfig({ ...productionKey, NODE_ENV: 'production' })).toThrow(
      'Invalid setting STRIPE_SECRET_KEY:',
    );
    expect(loadConfig({ ...productionKey, NODE_ENV: 'production', CONSULTATION_FEES: '0' }).NODE_ENV).toBe(
      'production',
    );
  });
});

describe('the payment steps of booking', () => {
  let context: StepContext;
  const NOW = Date.UTC(2026, 10, 24, 3, 0);
  beforeAll(async () => {
    const plain = await flowContext(NOW);
    context = {
      ...plain,
      settings: {
        ...settings,
        fees: { currency: 'VND', byDepartment: { cardiology: 0 }, otherwise: 200_000 },
      },
    };
  });
  const answer = (result: BookingResult): FlowEvent => ({ kind: 'system', name: 'booking', data: result });
  const system = <K extends SystemEventName>(name: K, data: SystemEventOf<K>['data']) =>
    ({ kind: 'system', name, data }) as FlowEvent;
  /** The questions asked of the hospital, as { kind, ...what was asked }. */
  const requests = (effects: Effect[]) =>
    effects.flatMap((effect) => {
      if (!effect.type.startsWith('booking.')) return [];
      const { type, ...asked } = effect;
      const { patientId: _patient, ...request } = { patientId: '', ...asked };
      return [{ kind: type.slice('booking.'.length), ...request }];
    });
  /** The timer that settles a checkout Stripe never reported on. */
  const checkoutTimer = (paymentId: string, at: number): Effect => ({
    type: 'schedule',
    id: `checkout:${paymentId}`,
    at,
    event: { kind: 'system', name: 'payments.checkoutExpired', data: { paymentId } },
  });
  const slot: SlotOption = {
    id: 'slot-1',
    start: new Date(Date.UTC(2026, 10, 26, 1, 0)).toISOString(),
    scheduleId: 's-1',
    doctor: { default: 'Dr Mai' },
  };
  const toConfirm = (department: string, locale: 'en' | 'vi' = 'en') =>
    runFlow(
      context,
      [
        button('menu|book'),
        button(`booking.department|${department}`),
        answer({ kind: 'doctors', doctors: [{ scheduleId: 's-1', names: { default: 'Dr Mai' } }] }),
        button('booking.doctor|any'),
        answer({ kind: 'slots', day: '2026-11-24', slots: [slot] }),
        button('booking.slot|slot-1'),
        answer({ kind: 'held', slotId: 'slot-1' }),
      ],
      patientAtMenu(locale),
    );

  it('shows the fee before confirming and asks to pay instead of booking', () => {
    const { state, effects } = toConfirm('neurology');
    expect(sent(effects).at(-1)).toBe(
      'Book Thursday, November 26 at 08:00 with Dr Mai (Neurology)?\n\nConsultation fee: ₫200,000, paid online to confirm the booking.',
    );
    const paying = runFlow(context, [button('booking.confirm|yes')], state);
    expect(requests(paying.effects)).toEqual([
      {
        kind: 'checkout',
        slotId: 'slot-1',
        start: slot.start,
        department: 'neurology',
        pending: false,
        locale: 'en',
      },
    ]);
    expect(paying.state.step).toBe('booking.checkout');

    const linked = runFlow(
      context,
      [
        answer({
          kind: 'checkout',
          paymentId: 'pay-1',
          start: slot.start,
          url: 'https://checkout.stripe.com/c/pay/cs_1',
          amountMinor: 200_000,
          currency: 'VND',
          expiresAt: new Date(NOW + 30 * 60_000).toISOString(),
        }),
      ],
      paying.state,
    );
    const message = linked.effects.find((e) => e.type === 'send');
    expect(message).toMatchObject({
      message: {
        text: 'I am holding Thursday, November 26 at 08:00 for you until 10:30. Please pay ₫200,000 to confirm it.',
        links: [{ label: 'Pay ₫200,000', url: 'https://checkout.stripe.com/c/pay/cs_1' }],
      },
    });
    expect(linked.state).toMatchObject({ step: 'menu.main', draft: {} });
    // The flow sets the timer that settles the payment if Stripe never reports: at the
    // session's end and Stripe's grace for its "expired" webhook.
    expect(linked.effects).toContainEqual(checkoutTimer('pay-1', NOW + 32 * 60_000));
  });

  it('books a free department straight away, and in Vietnamese shows the fee in đồng', () => {
    const free = toConfirm('cardiology');
    expect(sent(free.effects).at(-1)).not.toContain('fee');
    expect(requests(runFlow(context, [button('booking.confirm|yes')], free.state).effects)[0]).toMatchObject({
      kind: 'book',
    });
    expect(sent(toConfirm('neurology', 'vi').effects).at(-1)).toMatch(/Phí khám: 200\.000\s₫/);
  });

  it('tells the patient of a receipt, a release, a failed card and a refund wherever they are', () => {
    const atMenu = patientAtMenu('en');
    const appointment: AppointmentView = {
      id: 'a-1',
      start: slot.start,
      department: 'neurology',
      doctor: { default: 'Dr Mai' },
      status: 'booked',
    };
    const receipt = runFlow(
      context,
      [
        system('payment.confirmed', {
          appointment,
          amountMinor: 200000,
          currency: 'VND',
          receipt: 'FD-ABC',
        }),
      ],
      atMenu,
    );
    expect(sent(receipt.effects)).toEqual([
      '✅ Your appointment is booked: Thursday, November 26 at 08:00 with Dr Mai (Neurology).\n\nPayment received — thank you.\nReceipt FD-ABC · Consultation · ₫200,000 · paid Tuesday, November 24 10:00',
      'What would you like to do?',
    ]);
    expect(receipt.state.step).toBe('menu.main');
    expect(
      sent(
        runFlow(context, [system('payment.expired', { slotId: 'slot-1', department: 'neurology' })], atMenu)
          .effects,
      )[0],
    ).toMatch(/^The time for paying ran out/);
    const failed = runFlow(
      context,
      [
        system('payment.failed', {
          until: new Date(NOW + 20 * 60_000).toISOString(),
          url: 'https://pay',
          amountMinor: 200000,
          currency: 'VND',
        }),
      ],
      atMenu,
    );
    expect(failed.effects[0]).toMatchObject({
      message: {
        text: 'Your payment did not go through. You can try again with the same link until 10:20.',
        links: [{ label: 'Pay ₫200,000', url: 'https://pay' }],
      },
    });
    expect(
      sent(
        runFlow(context, [system('payment.refunded', { amountMinor: 200000, currency: 'VND' })], atMenu)
          .effects,
      ),
    ).toEqual([
      'A refund of ₫200,000 has been issued for your consultation fee. It can take 5–10 days to reach you.',
      'What would you like to do?',
    ]);
  });

  it('still gives the payment link when the patient went back to the menu while it was opened', () => {
    const { state } = toConfirm('neurology');
    const paying = runFlow(context, [button('booking.confirm|yes'), { kind: 'text', text: 'menu' }], state);
    expect(paying.state.step).not.toBe('booking.checkout');
    const late = runFlow(
      context,
      [
        answer({
          kind: 'checkout',
          paymentId: 'pay-2',
          start: slot.start,
          url: 'https://checkout.stripe.com/c/pay/cs_2',
          amountMinor: 200_000,
          currency: 'VND',
          expiresAt: new Date(NOW + 30 * 60_000).toISOString(),
        }),
      ],
      paying.state,
    );
    expect(late.effects).toEqual([
      {
        type: 'send',
        message: expect.objectContaining({
          links: [{ label: 'Pay ₫200,000', url: 'https://checkout.stripe.com/c/pay/cs_2' }],
        }) as unknown,
      },
      // Its timer is set all the same.
      checkoutTimer('pay-2', NOW + 32 * 60_000),
    ]);
  });

  it("settles a checkout when its timer comes due, and sets a paid booking's reminders", () => {
    const atMenu = patientAtMenu('en');
    const due = runFlow(context, [system('payments.checkoutExpired', { paymentId: 'pay-3' })], atMenu);
    // Nothing is said yet: the settlement tells the patient how it ended (payment.expired).
    expect(due.effects).toEqual([{ type: 'payments.settleCheckout', paymentId: 'pay-3' }]);
    expect(due.state).toEqual(atMenu);

    const appointment: AppointmentView = { id: 'a-3', start: slot.start, status: 'booked' };
    const paid = runFlow(
      context,
      [system('payment.confirmed', { appointment, amountMinor: 200000, currency: 'VND', receipt: 'FD-3' })],
      atMenu,
    );
    const start = Date.parse(slot.start);
    expect(paid.effects.filter((effect) => effect.type === 'schedule')).toEqual([
      {
        type: 'schedule',
        id: 'reminder:a-3:24h',
        at: start - 24 * 3_600_000,
        event: { kind: 'system', name: 'booking.reminderDue', data: { appointmentId: 'a-3', hours: 24 } },
      },
      {
        type: 'schedule',
        id: 'reminder:a-3:2h',
        at: start - 2 * 3_600_000,
        event: { kind: 'system', name: 'booking.reminderDue', data: { appointmentId: 'a-3', hours: 2 } },
      },
    ]);
    const cancelled = runFlow(
      context,
      [
        system('payment.hospitalCancelled', {
          start: slot.start,
          appointmentId: 'a-3',
          amountMinor: 200000,
          currency: 'VND',
        }),
      ],
      atMenu,
    );
    expect(cancelled.effects.filter((effect) => effect.type === 'cancelSchedule')).toEqual([
      { type: 'cancelSchedule', id: 'reminder:a-3:24h' },
      { type: 'cancelSchedule', id: 'reminder:a-3:2h' },
    ]);
    expect(sent(cancelled.effects)[0]).toMatch(/cancel/i);
  });

  it('moves a paid appointment without charging again', () => {
    const moved = runFlow(
      context,
      [
        button('menu|appointments'),
        answer({
          kind: 'appointments',
          appointments: [{ id: 'a-1', start: slot.start, department: 'neurology', status: 'booked' }],
        }),
        button('appointments.list|move:a-1'),
        answer({ kind: 'doctors', doctors: [{ scheduleId: 's-1', names: { default: 'Dr Mai' } }] }),
        button('booking.doctor|any'),
        answer({ kind: 'slots', day: '2026-11-24', slots: [slot] }),
        button('booking.slot|slot-1'),
        answer({ kind: 'held', slotId: 'slot-1' }),
      ],
      patientAtMenu('en'),
    );
    expect(sent(moved.effects).at(-1)).not.toContain('fee');
    const confirmed = runFlow(context, [button('booking.confirm|yes')], moved.state);
    expect(requests(confirmed.effects)).toEqual([expect.objectContaining({ kind: 'book', replaces: 'a-1' })]);
  });

  it('says why there is no refund when a paid appointment is cancelled late', () => {
    const list = runFlow(
      context,
      [
        button('menu|appointments'),
        answer({ kind: 'appointments', appointments: [{ id: 'a-1', start: slot.start, status: 'booked' }] }),
        button('appointments.list|cancel:a-1'),
        answer({
          kind: 'cancelled',
          appointment: { id: 'a-1', start: slot.start, status: 'cancelled' },
          refund: { amountMinor: 0, currency: 'VND', percent: 0, policyHours: 24 },
        }),
      ],
      patientAtMenu('en'),
    );
    expect(sent(list.effects).at(-2)).toBe(
      "Your appointment on Thursday, November 26 at 08:00 is cancelled.\nThe appointment was cancelled less than 24 hours ahead, so under the hospital's cancellation policy the consultation fee is not refunded.",
    );
  });
});

describe('the payment link on Telegram', () => {
  it('is a URL button for a public page, and written into the text for a local one', () => {
    const stripe = renderTelegram('1', {
      text: 'Please pay',
      links: [{ label: 'Pay', url: 'https://checkout.stripe.com/c/pay/cs_1' }],
    });
    expect(stripe.payload.text).toBe('Please pay');
    expect(stripe.payload.reply_markup).toEqual({
      inline_keyboard: [[{ text: 'Pay', url: 'https://checkout.stripe.com/c/pay/cs_1' }]],
    });
    // Telegram refuses buttons to localhost and bare IPs, where a development instance lives.
    for (const url of ['http://localhost:3000/pay/test/cs_1', 'http://127.0.0.1:3000/pay/test/cs_1']) {
      const local = renderTelegram('1', { text: 'Please pay', links: [{ label: 'Pay', url }] });
      expect(local.payload.text).toBe(`Please pay\n\nPay: ${url}`);
      expect(local.payload.reply_markup).toEqual({ remove_keyboard: true });
    }
  });
});
