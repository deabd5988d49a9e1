// Paying for a consultation over Telegram against a local Stripe fake: the slot hold, the
// Checkout session and the appointment tell one story whatever order Stripe's signed events
// arrive in and however often; refunds follow the policy; Stripe never sees health data.
import type { Appointment, Slot } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FhirClient } from '../../src/integrations/fhir/fhir-client.ts';
import { StaffAccounts } from '../../src/security/staff-accounts.ts';
import { ConsoleClient } from '../support/console-client.ts';
import { StripeFake } from '../support/fakes/stripe-fake.ts';
import { tg, type TelegramFake } from '../support/fakes/telegram-fake.ts';
import type { TestInstance } from '../support/instance.ts';
import { demoHospital, liveAppointments } from '../support/hospital.ts';
import { calmAnswers, SKIP_DESCRIBE } from '../support/journeys.ts';
import { TelegramPatient, startWithTelegram } from '../support/telegram-patient.ts';

type Keyboard = { text: string; callback_data?: string; url?: string }[][];

describe('payments with Stripe over Telegram', () => {
  let stripe: StripeFake;
  let fake: TelegramFake;
  let instance: TestInstance;
  let fhir: FhirClient;
  let chat = 9600;

  beforeAll(async () => {
    stripe = await new StripeFake().start();
    ({ fake, instance } = await startWithTelegram(
      {
        ...stripe.settings(),
        HOSPITAL_CURRENCY: 'VND',
        CONSULTATION_FEES: 'neurology=350000,*=200000',
        REFUND_POLICY: '24=100',
      },
      { openHospital: true },
    ));
    fhir = demoHospital(instance.frontdoor);
  });
  afterAll(async () => {
    await instance?.stop();
    await fake?.stop();
    await stripe?.stop();
  });

  const prisma = () => instance.frontdoor.database.prisma;
  const keyboard = (patient: TelegramPatient) => patient.buttons();
  // A photo's words (the check-in code with the receipt) are its caption.
  const lastText = (patient: TelegramPatient) => {
    const last = fake.messages(patient.chatId).at(-1)?.body;
    return String(last?.text ?? last?.caption);
  };

  async function newPatient(name: string): Promise<TelegramPatient> {
    chat += 1;
    const patient = new TelegramPatient(instance.frontdoor.url, fake, chat);
    await patient.onboard(name, '02/02/1990', `09123${String(chat).padStart(5, '0')}`);
    return patient;
  }

  /** Books the first free time `days` ahead in Neurology up to the payment button. */
  async function bookToCheckout(patient: TelegramPatient, days = 2) {
    const slotId = await patient.firstFreeSlot('neurology', days);
    const confirm = await patient.press(`booking.slot|${slotId}`, 2);
    expect(confirm).toMatch(
      /\(Neurology\)\?\n\nConsultation fee: ₫350,000, paid online to confirm the booking\.$/,
    );
    expect(keyboard(patient)[0]).toEqual({ text: 'Confirm and pay', callback_data: 'booking.confirm|yes' });
    const before = stripe.sessions.size;
    const pay = await patient.press('booking.confirm|yes', 3);
    expect(stripe.sessions.size).toBe(before + 1);
    const session = [...stripe.sessions.values()].at(-1)!;
    const payMessage = fake.messages(patient.chatId).at(-2)!.body;
    expect(payMessage.text).toMatch(
      /^I am holding \w+day, \w+ \d+ at 08:00 for you until \d\d:\d\d\. Please pay ₫350,000 to confirm it\.$/,
    );
    expect((payMessage.reply_markup as { inline_keyboard: Keyboard }).inline_keyboard.flat()).toEqual([
      { text: 'Pay ₫350,000', url: session.url },
    ]);
    expect(pay).toBe('What would you like to do?');
    const payment = await prisma().payment.findFirstOrThrow({ where: { checkoutSessionId: session.id } });
    return { slotId, session, payment };
  }

  const waitFor = async <T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 15_000) => {
    let last: T | undefined;
    await expect.poll(async () => (last = await read()), { timeout: timeoutMs }).toSatisfy(ok);
    return last as T;
  };
  /**
   * Proves nothing more is on its way to the patient: once the instance is idle, a sticker's
   * answer is the next message (a conversation answers in order, after anything queued before).
   */
  const nothingMoreFor = async (patient: TelegramPatient) => {
    await instance.frontdoor.idle();
    expect(await patient.send(tg.sticker(patient.chat))).toMatch(
      /^I can only read text and buttons for now\./,
    );
  };
  const paymentRow = (id: string) => prisma().payment.findUniqueOrThrow({ where: { id } });
  const appointmentsFor = (slotId: string) => liveAppointments(fhir, slotId);

  it(
    'holds the slot for exactly the Checkout session, confirms on payment with a receipt, and keeps health data from Stripe',
    { timeout: 120_000 },
    async () => {
      const patient = await newPatient('Lan Nguyen');
      await patient.intake('headache', [
        ...calmAnswers('days', '3'),
        { text: 'throbbing migraine behind the eyes' },
      ]);
      const { slotId, session, payment } = await bookToCheckout(patient);

      // The session lives exactly as long as the hold; nobody else is offered the slot meanwhile.
      expect(session.expires_at).toBe(payment.expiresAt.getTime() / 1000);
      expect(payment.expiresAt.getTime() - payment.createdAt.getTime()).toBeGreaterThanOrEqual(
        30 * 60_000 - 1000,
      );
      expect(await instance.frontdoor.kv.get(`hold:{slot:${slotId}}`)).toBe(
        `${payment.patientId}|${payment.id}`,
      );
      expect(session.amount_total).toBe(350_000);
      expect(session.currency).toBe('vnd');
      expect(session.metadata).toEqual({ paymentId: payment.id });

      stripe.complete(session.id);
      const before = fake.messages(patient.chatId).length;
      const delivered = await stripe.deliver(
        instance.frontdoor.url,
        stripe.event('checkout.session.completed', stripe.sessions.get(session.id)!),
      );
      expect(delivered).toEqual({ status: 200, body: { received: true, handled: true, duplicate: false } });
      // The receipt with the check-in code (a photo), then the menu: both, before anything next is counted.
      const [receipt] = (await fake.waitForMessages(patient.chatId, before + 2)).slice(before);
      expect(receipt?.body.caption).toMatch(
        new RegExp(
          '^✅ Your appointment is booked: \\w+day, \\w+ \\d+ at 08:00 with Dr .+ \\(Neurology\\)\\.\\n\\nPayment received — thank you\\.' +
            `\\nReceipt FD-${payment.id.replaceAll('-', '').slice(0, 10).toUpperCase()} · Consultation · ₫350,000 · paid \\w+day, \\w+ \\d+ \\d\\d:\\d\\d` +
            // The check-in code of the appointment comes in the same message (a photo of its QR).
            '\\n\\nCheck-in code for \\w+day, \\w+ \\d+ at 08:00 \\(Neurology\\): show this QR code at reception, or open the link when you arrive\\.\\n\\nCheck in: \\S+$',
        ),
      );
      const paid = await paymentRow(payment.id);
      expect(paid.status).toBe('paid');
      expect(paid.paymentIntentId).toBe(stripe.sessions.get(session.id)!.payment_intent);
      const [appointment] = await appointmentsFor(slotId);
      expect(appointment?.status).toBe('booked');
      expect(paid.appointmentId).toBe(appointment!.id);
      expect((await fhir.read<Slot>('Slot', slotId)).status).toBe('busy');
      expect(await instance.frontdoor.kv.get(`hold:{slot:${slotId}}`)).toBeUndefined();

      // Every call that changes something at Stripe carries an idempotency key, and nothing
      // sent to Stripe names the patient, their phone, their symptoms or the department.
      expect(stripe.writes().length).toBeGreaterThan(0);
      for (const request of stripe.writes()) expect(request.headers['idempotency-key']).toMatch(/\S+/);
      const everything = stripe.http.requests
        .map((r) => `${r.path} ${JSON.stringify(r.headers)} ${decodeURIComponent(String(r.body))}`)
        .join('\n')
        .toLowerCase();
      for (const secret of [
        'lan nguyen',
        'nguyen',
        // The phone, whether written 09123… or +849123…
        `9123${String(patient.chat).padStart(5, '0')}`,
        'headache',
        'migraine',
        'throbbing',
        'neurology',
        'thần kinh',
        '1990',
      ]) {
        expect(everything).not.toContain(secret);
      }
      const form = StripeFake.form(stripe.writes().find((r) => r.path === '/v1/checkout/sessions')!);
      expect(form['line_items[0][price_data][product_data][name]']).toBe('Consultation');
      expect(Object.keys(form).filter((k) => k.includes('metadata'))).toEqual([
        'metadata[paymentId]',
        'payment_intent_data[metadata][paymentId]',
      ]);
    },
  );

  it(
    'releases the slot when the session expires, and offers to book again',
    { timeout: 120_000 },
    async () => {
      const patient = await newPatient('Minh Pham');
      const { slotId, session, payment } = await bookToCheckout(patient, 3);

      // A declined card: the patient may try again with the same link while the hold lasts.
      const declined = fake.messages(patient.chatId).length;
      const failed = await stripe.deliver(
        instance.frontdoor.url,
        stripe.event('payment_intent.payment_failed', {
          id: 'pi_declined_1',
          object: 'payment_intent',
          status: 'requires_payment_method',
          metadata: { paymentId: payment.id },
          last_payment_error: { code: 'card_declined', message: 'Your card was declined.' },
        }),
      );
      expect(failed.body).toMatchObject({ handled: true });
      await fake.waitForMessages(patient.chatId, declined + 1);
      expect(lastText(patient)).toMatch(
        /^Your payment did not go through\. You can try again with the same link until \d\d:\d\d\.$/,
      );
      expect(keyboard(patient)).toEqual([{ text: 'Pay ₫350,000', url: session.url }]);
      expect((await paymentRow(payment.id)).status).toBe('open');

      stripe.expire(session.id);
      const before = fake.messages(patient.chatId).length;
      const delivered = await stripe.deliver(
        instance.frontdoor.url,
        stripe.event('checkout.session.expired', stripe.sessions.get(session.id)!),
      );
      expect(delivered.status).toBe(200);
      await fake.waitForMessages(patient.chatId, before + 1);
      expect(lastText(patient)).toBe(
        'The time for paying ran out, so the time I was holding for you is released. Nothing was charged. You can book again whenever you like.',
      );
      expect(keyboard(patient)).toEqual([{ text: 'Book again', callback_data: 'menu|book' }]);
      expect((await paymentRow(payment.id)).status).toBe('expired');
      expect(await instance.frontdoor.kv.get(`hold:{slot:${slotId}}`)).toBeUndefined();
      expect(await appointmentsFor(slotId)).toEqual([]);
      expect((await fhir.read<Slot>('Slot', slotId)).status).toBe('free');
    },
  );

  it(
    'ends in the state the real world implies when completed and expired arrive in either order',
    { timeout: 180_000 },
    async () => {
      // Paid at Stripe; the (stale) expired event arrives first, then the completed one.
      const paidFirst = await newPatient('Quang Le');
      const a = await bookToCheckout(paidFirst, 4);
      stripe.complete(a.session.id);
      const staleExpired = stripe.event('checkout.session.expired', { ...a.session, status: 'expired' });
      const completed = stripe.event('checkout.session.completed', stripe.sessions.get(a.session.id)!);
      const beforeA = fake.messages(paidFirst.chatId).length;
      expect((await stripe.deliver(instance.frontdoor.url, staleExpired)).status).toBe(200);
      await waitFor(
        () => paymentRow(a.payment.id),
        (p) => p.status === 'paid',
      );
      expect((await stripe.deliver(instance.frontdoor.url, completed)).status).toBe(200);
      await waitFor(
        () => prisma().paymentEvent.count({ where: { id: { in: [staleExpired.id, completed.id] } } }),
        (n) => n === 2,
      );
      expect((await appointmentsFor(a.slotId)).map((x) => x.status)).toEqual(['booked']);
      await fake.waitForMessages(paidFirst.chatId, beforeA + 2);
      await nothingMoreFor(paidFirst);
      const toldA = fake.messages(paidFirst.chatId).slice(beforeA, -1);
      // The receipt with the check-in code (a photo of its QR), then the menu.
      expect(toldA).toHaveLength(2);
      expect(String(toldA[0]?.body.caption)).toMatch(
        /^✅ Your appointment is booked: .+\n\nPayment received — thank you\./,
      );

      // Expired at Stripe; a completed event replayed out of order does not book anything.
      const expiredFirst = await newPatient('Thu Ha');
      const b = await bookToCheckout(expiredFirst, 4);
      const early = stripe.event('checkout.session.completed', { ...b.session, status: 'complete' });
      stripe.expire(b.session.id);
      const expired = stripe.event('checkout.session.expired', stripe.sessions.get(b.session.id)!);
      const beforeB = fake.messages(expiredFirst.chatId).length;
      expect((await stripe.deliver(instance.frontdoor.url, early)).status).toBe(200);
      expect((await stripe.deliver(instance.frontdoor.url, expired)).status).toBe(200);
      await waitFor(
        () => paymentRow(b.payment.id),
        (p) => p.status === 'expired',
      );
      await waitFor(
        () => prisma().paymentEvent.count({ where: { id: { in: [early.id, expired.id] } } }),
        (n) => n === 2,
      );
      expect(await appointmentsFor(b.slotId)).toEqual([]);
      await fake.waitForMessages(expiredFirst.chatId, beforeB + 1);
      expect(lastText(expiredFirst)).toMatch(/^The time for paying ran out/);
    },
  );

  it(
    'acts once on an event delivered three times at once, and refuses a bad signature',
    { timeout: 120_000 },
    async () => {
      const patient = await newPatient('Duc Vo');
      const { slotId, session, payment } = await bookToCheckout(patient, 5);

      const forged = stripe.event('checkout.session.completed', { ...session, status: 'complete' });
      stripe.complete(session.id);
      const before = fake.messages(patient.chatId).length;
      const refused = await stripe.deliver(instance.frontdoor.url, forged, 'whsec_someoneElsesSecret');
      expect(refused.status).toBe(400);
      expect(refused.body.error).toBe('bad_request');
      const unsigned = await fetch(`${instance.frontdoor.url}/webhooks/stripe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(forged),
      });
      expect(unsigned.status).toBe(400);
      // Refused before its handler runs, so nothing can be on its way once the instance is idle.
      await instance.frontdoor.idle();
      expect((await paymentRow(payment.id)).status).toBe('open');
      expect(await prisma().paymentEvent.count({ where: { id: forged.id } })).toBe(0);
      expect(fake.messages(patient.chatId)).toHaveLength(before);

      const event = stripe.event('checkout.session.completed', stripe.sessions.get(session.id)!);
      const results = await Promise.all([1, 2, 3].map(() => stripe.deliver(instance.frontdoor.url, event)));
      expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
      await waitFor(
        () => paymentRow(payment.id),
        (p) => p.status === 'paid',
      );
      await waitFor(
        () => prisma().paymentEvent.count({ where: { id: event.id } }),
        (n) => n === 1,
      );
      // A fourth delivery after it was handled is recognised as a duplicate.
      expect((await stripe.deliver(instance.frontdoor.url, event)).body.duplicate).toBe(true);
      await fake.waitForMessages(patient.chatId, before + 1);
      await nothingMoreFor(patient);
      const receipts = fake
        .messages(patient.chatId)
        .slice(before)
        .filter((m) => String(m.body.text ?? m.body.caption).includes('Payment received'));
      expect(receipts).toHaveLength(1);
      expect(await appointmentsFor(slotId)).toHaveLength(1);

      // A partial refund made in the Stripe dashboard reaches us as charge.refunded: recorded,
      // and the patient told, once.
      const intent = stripe.sessions.get(session.id)!.payment_intent!;
      stripe.charge(intent).amount_refunded = 100_000;
      const refundEvent = stripe.event('charge.refunded', stripe.charge(intent));
      const told = fake.messages(patient.chatId).length;
      await Promise.all([1, 2].map(() => stripe.deliver(instance.frontdoor.url, refundEvent)));
      await fake.waitForMessages(patient.chatId, told + 1);
      expect(lastText(patient)).toMatch(/^A refund of ₫100,000 has been issued for your consultation fee\./);
      expect(await paymentRow(payment.id)).toMatchObject({
        refundedMinor: 100_000,
        refundSettledMinor: 100_000,
      });
      await nothingMoreFor(patient);
      expect(fake.messages(patient.chatId)).toHaveLength(told + 2);
    },
  );

  it(
    "settles at the session's end when Stripe's events never arrive: paid is booked, unpaid expired",
    { timeout: 120_000 },
    async () => {
      const patient = await newPatient('Khanh Do');
      // Paid, but the webhook was lost: the timer reads the session from Stripe and books.
      const paid = await bookToCheckout(patient, 6);
      stripe.complete(paid.session.id);
      const before = fake.messages(patient.chatId).length;
      await instance.frontdoor.payments.settle(paid.payment.id);
      // The receipt with the check-in code (a photo), then the menu.
      await fake.waitForMessages(patient.chatId, before + 2);
      expect(String(fake.messages(patient.chatId).at(-2)?.body.caption)).toMatch(
        /^✅ Your appointment is booked: .+\n\nPayment received — thank you\./,
      );
      expect((await paymentRow(paid.payment.id)).status).toBe('paid');
      expect(await appointmentsFor(paid.slotId)).toHaveLength(1);

      // Never paid: the session is ended at Stripe (idempotently) and the slot released.
      const unpaid = await bookToCheckout(patient, 7);
      const told = fake.messages(patient.chatId).length;
      await instance.frontdoor.payments.settle(unpaid.payment.id);
      await fake.waitForMessages(patient.chatId, told + 1);
      expect(lastText(patient)).toMatch(/^The time for paying ran out/);
      expect(stripe.sessions.get(unpaid.session.id)?.status).toBe('expired');
      const expireCalls = stripe
        .writes()
        .filter((r) => r.path === `/v1/checkout/sessions/${unpaid.session.id}/expire`);
      expect(expireCalls).toHaveLength(1);
      expect(expireCalls[0]?.headers['idempotency-key']).toBe(`expire:${unpaid.session.id}`);
      expect((await paymentRow(unpaid.payment.id)).status).toBe('expired');
      expect(await instance.frontdoor.kv.get(`hold:{slot:${unpaid.slotId}}`)).toBeUndefined();
      // Settling again changes nothing.
      await instance.frontdoor.payments.settle(unpaid.payment.id);
      expect(fake.messages(patient.chatId)).toHaveLength(told + 1);
    },
  );

  it(
    'journey: intake → book → pay → confirmed → cancel → refunded in full (≥ 24 h ahead), and an operator refund',
    { timeout: 180_000 },
    async () => {
      const patient = await newPatient('Hoa Tran');
      await patient.intake('headache', [...calmAnswers('days', '2'), SKIP_DESCRIBE]);
      const { session, payment } = await bookToCheckout(patient, 2);
      stripe.complete(session.id);
      const before = fake.messages(patient.chatId).length;
      await stripe.deliver(
        instance.frontdoor.url,
        stripe.event('checkout.session.completed', stripe.sessions.get(session.id)!),
      );
      // The receipt with the check-in code (a photo), then the menu.
      await fake.waitForMessages(patient.chatId, before + 2);
      expect(String(fake.messages(patient.chatId).at(-2)?.body.caption)).toMatch(
        /Payment received — thank you\./,
      );

      await patient.press('menu|appointments', 2);
      const cancel = keyboard(patient).find((button) => button.text.startsWith('Cancel'))!;
      // A confirmation before cancelling a paid appointment, naming the refund.
      expect(await patient.press(cancel.callback_data!, 1)).toMatch(
        /\?\nIf you cancel now, the full fee of ₫350,000 is refunded\.$/,
      );
      const cancelled = await patient.press('appointments.cancel|yes', 2);
      expect(cancelled).toMatch(
        /^Your appointment on \w+day, \w+ \d+ at 08:00 is cancelled\.\nThe full fee of ₫350,000 is refunded\. It can take 5–10 days to reach you\.\n\nWhat would you like to do\?$/,
      );
      const refund = stripe.writes().filter((r) => r.path === '/v1/refunds');
      expect(refund).toHaveLength(1);
      expect(StripeFake.form(refund[0]!)).toMatchObject({
        payment_intent: stripe.sessions.get(session.id)!.payment_intent!,
        amount: '350000',
      });
      const row = await paymentRow(payment.id);
      expect(row).toMatchObject({ status: 'cancelled', refundedMinor: 350_000 });

      // Stripe confirms the refund: recorded, and the patient is not told twice.
      const intent = stripe.sessions.get(session.id)!.payment_intent!;
      const told = fake.messages(patient.chatId).length;
      await stripe.deliver(instance.frontdoor.url, stripe.event('charge.refunded', stripe.charge(intent)));
      await waitFor(
        () => paymentRow(payment.id),
        (p) => p.refundSettledMinor === 350_000,
      );
      expect(fake.messages(patient.chatId)).toHaveLength(told);

      // A second paid appointment, refunded by an operator from the console.
      const second = await bookToCheckout(patient, 3);
      stripe.complete(second.session.id);
      const beforeSecond = fake.messages(patient.chatId).length;
      await stripe.deliver(
        instance.frontdoor.url,
        stripe.event('checkout.session.completed', stripe.sessions.get(second.session.id)!),
      );
      await fake.waitForMessages(patient.chatId, beforeSecond + 2);
      await new StaffAccounts(prisma(), { maxFailures: 5, lockoutMs: 60_000 }).upsert({
        email: 'operator@payments.test',
        roles: ['operator'],
        password: 'an operator password for payments',
      });
      const operator = new ConsoleClient(instance.frontdoor.url);
      expect(
        (await operator.signIn('operator@payments.test', 'an operator password for payments')).status,
      ).toBe(200);
      const list = (await operator.request('GET', '/console/api/payments')).body.payments as {
        id: string;
        status: string;
        amount: string;
        patientName: string;
        appointmentStart: string | null;
      }[];
      expect(list.find((p) => p.id === second.payment.id)).toMatchObject({
        status: 'paid',
        amount: '₫350,000',
        patientName: 'Hoa Tran',
      });
      const beforeRefund = fake.messages(patient.chatId).length;
      const refunded = await operator.request('POST', `/console/api/payments/${second.payment.id}/refund`, {
        reason: 'Doctor unavailable',
      });
      expect(refunded.status).toBe(200);
      expect(refunded.body.payment).toMatchObject({ refunded: '₫350,000' });
      await fake.waitForMessages(patient.chatId, beforeRefund + 1);
      expect(lastText(patient)).toBe(
        'A refund of ₫350,000 has been issued for your consultation fee. It can take 5–10 days to reach you.\n\nWhat would you like to do?',
      );
      const again = await operator.request('POST', `/console/api/payments/${second.payment.id}/refund`, {
        reason: 'Doctor unavailable',
      });
      expect(again.status).toBe(409);
      expect(stripe.writes().filter((r) => r.path === '/v1/refunds')).toHaveLength(2);
      const audit = await prisma().auditEntry.findMany({
        where: { subjectType: 'payment', subjectId: second.payment.id },
      });
      expect(audit.map((a) => a.action)).toContain('payment.refund');

      // A nurse has no business with payments.
      await new StaffAccounts(prisma(), { maxFailures: 5, lockoutMs: 60_000 }).upsert({
        email: 'nurse@payments.test',
        roles: ['nurse'],
        password: 'a nurse password for payments',
      });
      const nurse = new ConsoleClient(instance.frontdoor.url);
      await nurse.signIn('nurse@payments.test', 'a nurse password for payments');
      expect((await nurse.request('GET', '/console/api/payments')).status).toBe(403);
      expect(
        (await nurse.request('POST', `/console/api/payments/${second.payment.id}/refund`, { reason: 'nope' }))
          .status,
      ).toBe(403);

      // The hospital cancels a third paid appointment late: refunded in full all the same.
      const third = await bookToCheckout(patient, 1);
      stripe.complete(third.session.id);
      const beforeThird = fake.messages(patient.chatId).length;
      await stripe.deliver(
        instance.frontdoor.url,
        stripe.event('checkout.session.completed', stripe.sessions.get(third.session.id)!),
      );
      await fake.waitForMessages(patient.chatId, beforeThird + 2);
      const paidThird = await paymentRow(third.payment.id);
      const beforeCancel = fake.messages(patient.chatId).length;
      const cancelledByHospital = await operator.request(
        'POST',
        `/console/api/payments/${third.payment.id}/cancel-appointment`,
        { reason: 'Doctor ill' },
      );
      expect(cancelledByHospital.status).toBe(200);
      expect(cancelledByHospital.body.payment).toMatchObject({ status: 'cancelled', refunded: '₫350,000' });
      await fake.waitForMessages(patient.chatId, beforeCancel + 1);
      expect(lastText(patient)).toMatch(
        /^We are sorry: the hospital had to cancel your appointment on \w+day, \w+ \d+ at 08:00\.\nThe full fee of ₫350,000 is refunded\. It can take 5–10 days to reach you\.\n\nWhat would you like to do\?$/,
      );
      expect((await fhir.read<Appointment>('Appointment', paidThird.appointmentId!)).status).toBe(
        'cancelled',
      );
      expect((await fhir.read<Slot>('Slot', third.slotId)).status).toBe('free');
      expect(
        stripe
          .writes()
          .filter((r) => r.path === '/v1/refunds')
          .map((r) => StripeFake.form(r).amount),
      ).toEqual(['350000', '350000', '350000']);
      const again2 = await operator.request(
        'POST',
        `/console/api/payments/${third.payment.id}/cancel-appointment`,
        { reason: 'Doctor ill' },
      );
      expect(again2.status).toBe(409);

      // Nothing of the patient reached the logs: not the name, nor the phone and birth date the
      // hospital's patient search carries in its query string.
      const logs = instance.logs.join('');
      expect(logs).toContain('/fhir/R4/Patient');
      for (const secret of [
        'Hoa Tran',
        `9123${String(patient.chat).padStart(5, '0')}`,
        '1990-02-02',
        '02/02/1990',
      ])
        expect(logs).not.toContain(secret);
    },
  );
});
