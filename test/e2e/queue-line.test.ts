// Check-in and the queue over LINE, on a clock the test moves: the check-in code as an image
// message, "I'm here", the ticket, the threshold notices and "your turn — room 4". Answers to
// the patient's own taps use the free reply token; the queue's news is pushed and counted, and
// once CHANNEL_PUSH_BUDGETS is spent only "your turn" is pushed.
import type { Appointment } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import type { LineFake } from '../support/fakes/line-fake.ts';
import { demoHospital } from '../support/hospital.ts';
import { startWithLine, type TestInstance } from '../support/instance.ts';
import { LinePatient } from '../support/line-patient.ts';

const OPERATOR = { staffId: 'operator-line' };
const MINUTE = 60_000;

describe('check-in and the queue over LINE', () => {
  const clock = new ManualClock(Date.now());
  let fake: LineFake;
  let instance: TestInstance;
  let patient: LinePatient;

  beforeAll(async () => {
    ({ fake, instance } = await startWithLine(
      // One threshold notice a month on LINE: the second is not pushed, "your turn" always is.
      { CONSULTATION_FEES: '0', CHANNEL_PUSH_BUDGETS: 'line=1' },
      { clock, redis: false, openHospital: true },
    ));
    patient = new LinePatient(instance.frontdoor.url, fake, 'U3000000000000000000000000000000c');
    await patient.onboard('Somchai Dee', '15/04/1987', '0912345501');
  });
  afterAll(async () => {
    await instance?.stop();
    await fake?.stop();
  });

  const desk = () => instance.frontdoor.queue;
  const advanceTo = async (at: number) => {
    await instance.frontdoor.idle();
    clock.advance(at - clock.now());
    await instance.frontdoor.idle();
  };
  const told = async (from: number, pattern: RegExp) => {
    await expect
      .poll(
        () =>
          fake
            .texts()
            .slice(from)
            .find((text) => pattern.test(text)),
        { timeout: 15_000 },
      )
      .toBeDefined();
    return fake
      .texts()
      .slice(from)
      .find((text) => pattern.test(text))!;
  };
  /** The send (reply or push) that carried a text matching `pattern`. */
  const sendOf = (pattern: RegExp) =>
    fake.sends().findLast((send) => send.messages.some((message) => pattern.test(message.text ?? '')));
  const metric = async (name: string, labels: string) => {
    const text = await (await fetch(`${instance.frontdoor.url}/metrics`)).text();
    const line = text.split('\n').find((row) => row.startsWith(`${name}{${labels}}`));
    return Number(line?.split(' ').at(-1) ?? 0);
  };
  const serveNext = async (room: string) => {
    const called = await desk().callNext('general_medicine', room, OPERATOR);
    expect(called).toBeDefined();
    await advanceTo(clock.now() + MINUTE);
    await desk().done(called!.id, OPERATOR);
    await instance.frontdoor.idle();
    return called!;
  };

  it(
    'checks in with "I\'m here", hears the queue within the push budget, and is called to room 4',
    { timeout: 150_000 },
    async () => {
      await patient.tap('menu|book');
      await patient.tap('booking.department|general_medicine', 2);
      await patient.tap('booking.doctor|any', 2);
      await patient.nextOpenDay();
      await patient.tap(patient.quickReplies()[0]!.data!, 2);
      // "One moment" (the reply), then the image of the check-in code, the confirmation with the code's words, the menu.
      await patient.tap('booking.confirm|yes', 4);
      const [image, booked] = fake.sends().at(-1)!.messages;
      expect(image).toMatchObject({ type: 'image' });
      expect(booked?.text).toMatch(
        /^✅ Your appointment is booked: .+ at 08:00 .+\n\nCheck-in code for .+: show this QR code at reception/,
      );
      const qrUrl = String((image as { originalContentUrl?: string }).originalContentUrl);
      expect(
        (await fetch(`${instance.frontdoor.url}${new URL(qrUrl).pathname}`)).headers.get('content-type'),
      ).toBe('image/png');
      const token = /\/checkin\/([^/]+)\/qr\.png$/.exec(qrUrl)![1]!;
      const appointmentId = instance.frontdoor.checkInTokens.verify('checkin', token)!;
      const appointment = await demoHospital(instance.frontdoor).read<Appointment>(
        'Appointment',
        appointmentId,
      );
      const start = Date.parse(appointment.start!);

      await advanceTo(start - 30 * MINUTE);
      // Walk-ins from the web chat ahead, so LINE's budget is this patient's alone.
      for (const user of ['walk-1', 'walk-2', 'walk-3', 'walk-4', 'walk-5', 'walk-6'])
        await desk().walkIn({
          department: 'general_medicine',
          address: { channel: 'web', channelUserId: user },
          locale: 'th',
        });

      let from = fake.texts().length;
      await patient.tap('menu|queue', 2);
      expect(await told(from, /^Your appointments today:/)).toContain('• 08:00 · General medicine');
      // The tap's answer ("one moment") is the free reply.
      expect(sendOf(/asking the hospital's queue/)?.kind).toBe('reply');
      from = fake.texts().length;
      await patient.tap(`queue|here:${appointmentId}`, 2);
      expect(await told(from, /You are checked in/)).toMatch(
        /^✅ You are checked in\. Your ticket:\nA-007 · General medicine · 6 ahead · ~\d+ min/,
      );
      expect(patient.quickReplies().map((item) => item.data)).toEqual(['queue|refresh', 'queue|leave:A-007']);
      expect(sendOf(/You are checked in/)!.messages.at(-1)!.text).toMatch(
        /Live ticket: http:\/\/\S+\/ticket\/\S+$/,
      );

      const pushesBefore = await metric('frontdoor_channel_pushes_month', 'channel="line"');
      from = fake.texts().length;
      await serveNext('2');
      expect(await told(from, /ahead of you now/)).toMatch(/^Ticket A-007: 5 ahead of you now/);
      expect(sendOf(/5 ahead of you now/)?.kind).toBe('push');
      for (let served = 0; served < 5; served += 1) await serveNext('2');
      // The 2-ahead notice would spend a second push of a budget of one: the live page shows it instead.
      expect(
        fake
          .texts()
          .slice(from)
          .filter((text) => /ahead of you now/.test(text)),
      ).toHaveLength(1);

      from = fake.texts().length;
      const called = await desk().callNext('general_medicine', '4', OPERATOR);
      expect(called?.label).toBe('A-007');
      expect(await told(from, /Your turn/)).toBe('🔔 Your turn — room 4. Ticket A-007, General medicine.');
      expect(sendOf(/Your turn — room 4/)?.kind).toBe('push');

      // Counted on /metrics: the queue's pushes this month (the threshold and "your turn") and
      // what is left of the budget, and every push the LINE sender made.
      expect(await metric('frontdoor_channel_pushes_month', 'channel="line"')).toBe(pushesBefore + 2);
      expect(await metric('frontdoor_channel_push_budget_remaining', 'channel="line"')).toBe(0);
      const pushes = fake
        .sends()
        .filter((send) => send.kind === 'push' && send.to === 'U3000000000000000000000000000000c');
      const replies = fake.sends().filter((send) => send.kind === 'reply');
      expect(await metric('frontdoor_line_sends_total', 'kind="push"')).toBeGreaterThanOrEqual(pushes.length);
      expect(await metric('frontdoor_line_sends_total', 'kind="reply"')).toBe(replies.length);
    },
  );
});
