// The paid journey on LINE, in a two-decimal currency: intake → book → pay (Stripe fake, signed
// events) → confirmed with a receipt → cancel → refunded per a tiered policy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LineFake } from '../support/fakes/line-fake.ts';
import { StripeFake } from '../support/fakes/stripe-fake.ts';
import { startWithLine, type TestInstance } from '../support/instance.ts';
import { LinePatient } from '../support/line-patient.ts';

describe('payments over LINE', () => {
  let stripe: StripeFake;
  let fake: LineFake;
  let instance: TestInstance;
  let patient: LinePatient;

  beforeAll(async () => {
    stripe = await new StripeFake().start();
    ({ fake, instance } = await startWithLine(
      {
        ...stripe.settings(),
        HOSPITAL_CURRENCY: 'THB',
        CONSULTATION_FEES: '*=500',
        // Full refund a month ahead, half after: every slot the demo offers gets half back.
        REFUND_POLICY: '720=100,0=50',
      },
      { openHospital: true },
    ));
    patient = new LinePatient(instance.frontdoor.url, fake, 'U3000000000000000000000000000000c');
  });
  afterAll(async () => {
    await instance?.stop();
    await fake?.stop();
    await stripe?.stop();
  });

  it('journey: intake → book → pay → confirmed → cancel → refunded', { timeout: 180_000 }, async () => {
    await patient.onboard('Somsak Chai', '15/04/1987', '0912345402');
    await patient.tap('menu|symptoms');
    await patient.tap('intake.complaint|skin');
    await patient.tap('intake.onset|week');
    await patient.tap('intake.severity|2');
    await patient.tap('intake.redFlag|no');
    await patient.tap('intake.redFlag|no');
    await patient.tap('intake.temperature|unknown');
    expect(await patient.tap('intake.describe|skip')).toMatch(/Suggested department: Dermatology\./);

    await patient.tap('menu|book');
    await patient.tap('booking.department|dermatology', 2);
    await patient.tap('booking.doctor|any', 2);
    await patient.nextOpenDay();
    const slot = patient.quickReplies()[0]!;
    expect(await patient.tap(slot.data!, 2)).toMatch(
      /\(Dermatology\)\?\n\nConsultation fee: THB\s500\.00, paid online to confirm the booking\.$/,
    );
    expect(patient.quickReplies()[0]).toMatchObject({
      label: 'Confirm and pay',
      data: 'booking.confirm|yes',
    });
    const texts = fake.texts().length;
    await patient.tap('booking.confirm|yes', 3);
    const session = [...stripe.sessions.values()].at(-1)!;
    // LINE has no URL buttons in quick replies: the link is written into the text, tappable.
    expect(fake.texts()[texts + 1]).toMatch(
      new RegExp(
        `^I am holding .+ at 08:00 for you until \\d\\d:\\d\\d\\. Please pay THB\\s500\\.00 to confirm it\\.\\n\\nPay THB\\s500\\.00: ${session.url}$`,
      ),
    );
    expect(session).toMatchObject({ amount_total: 50_000, currency: 'thb' });

    stripe.complete(session.id);
    const before = fake.texts().length;
    await stripe.deliver(
      instance.frontdoor.url,
      stripe.event('checkout.session.completed', stripe.sessions.get(session.id)!),
    );
    // The check-in code's image, the receipt with the code's words, the menu.
    const receipt = (await fake.waitForTexts(before + 3))
      .slice(before)
      .find((text) => text.startsWith('✅'))!;
    expect(receipt).toMatch(
      /^✅ Your appointment is booked: .+ \(Dermatology\)\.\n\nPayment received — thank you\.\nReceipt FD-\w{10} · Consultation · THB\s500\.00 · paid /,
    );
    // Nobody waited on a reply token: the receipt is a push.
    expect(fake.sends().at(-1)?.kind).toBe('push');

    await patient.tap('menu|appointments', 2);
    const cancel = patient.quickReplies().find((reply) => reply.label.startsWith('Cancel'))!;
    expect(await patient.tap(cancel.data!, 1)).toMatch(
      /If you cancel now, under the hospital's cancellation policy 50% of the fee \(THB\s250\.00\) is refunded\.$/,
    );
    expect(await patient.tap('appointments.cancel|yes', 2)).toMatch(
      /is cancelled\.\nUnder the hospital's cancellation policy, 50% of the fee \(THB\s250\.00\) is refunded\. It can take 5–10 days to reach you\.\n\nWhat would you like to do\?$/,
    );
    const refunds = stripe.writes().filter((request) => request.path === '/v1/refunds');
    expect(refunds.map((request) => StripeFake.form(request).amount)).toEqual(['25000']);
    const intent = stripe.sessions.get(session.id)!.payment_intent!;
    expect(stripe.charge(intent).amount_refunded).toBe(25_000);
    const payment = await instance.frontdoor.database.prisma.payment.findFirstOrThrow({
      where: { checkoutSessionId: session.id },
    });
    expect(payment).toMatchObject({ status: 'cancelled', amountMinor: 50_000, refundedMinor: 25_000 });
  });
});
