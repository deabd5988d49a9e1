// Holds, reminders and payment expiry run when their time comes on the instance's clock: the
// test moves a ManualClock past each deadline and the patient hears about it at once, with no
// waiting for real minutes or hours. The in-process job runner (no Redis) sets its timers on
// that clock; what is checked is what the patient, the hospital and Stripe see. Each deadline
// is a timer the conversation's flow set (a `schedule` effect, a row in ScheduledTimer), and a
// reminder job an older version set is still honoured, once.
import type { Appointment, Slot } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import type { FhirClient } from '../../src/integrations/fhir/fhir-client.ts';
import { ConsoleClient } from '../support/console-client.ts';
import { StripeFake } from '../support/fakes/stripe-fake.ts';
import type { TelegramFake } from '../support/fakes/telegram-fake.ts';
import { demoHospital, liveAppointments } from '../support/hospital.ts';
import type { TestInstance } from '../support/instance.ts';
import { TelegramPatient, startWithTelegram } from '../support/telegram-patient.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const HOLD_MINUTES = 10;
const PAYMENT_MINUTES = 30;
const OPERATOR = { email: 'operator@clock.test', password: 'an operator password for the clock' };

describe('deadlines on a clock the test moves', () => {
  // Today's date, so the demo hospital's free times and Stripe's expires_at rules are as usual.
  const clock = new ManualClock(Date.now());
  let stripe: StripeFake;
  let fake: TelegramFake;
  let instance: TestInstance;
  let fhir: FhirClient;

  beforeAll(async () => {
    stripe = await new StripeFake().start();
    ({ fake, instance } = await startWithTelegram(
      {
        ...stripe.settings(),
        HOSPITAL_CURRENCY: 'VND',
        // Neurology is paid; every other department is free (no payment step).
        CONSULTATION_FEES: 'neurology=350000,*=0',
        BOOKING_HOLD_MINUTES: String(HOLD_MINUTES),
        PAYMENT_HOLD_MINUTES: String(PAYMENT_MINUTES),
      },
      {
        clock,
        // BullMQ delays in Redis time; the in-process runner is the one that follows the clock.
        redis: false,
        openHospital: true,
        staff: [{ ...OPERATOR, roles: ['operator'] }],
      },
    ));
    fhir = demoHospital(instance.frontdoor);
  });
  afterAll(async () => {
    await instance?.stop();
    await fake?.stop();
    await stripe?.stop();
  });

  const texts = (patient: TelegramPatient, from = 0) =>
    fake
      .messages(patient.chatId)
      .slice(from)
      .map((message) => String(message.body.text));
  /**
   * Moves the clock once nothing is in flight: a jump while a delivery is still marking its
   * message sent would look like a stalled holder whose lock ran out, and the message be sent again.
   */
  const advance = async (ms: number) => {
    await instance.frontdoor.idle();
    clock.advance(ms);
  };
  /** Waits for the patient's chat to receive a message matching `pattern` after `from`. */
  const told = async (patient: TelegramPatient, from: number, pattern: RegExp) => {
    await expect.poll(() => texts(patient, from).some((text) => pattern.test(text))).toBe(true);
    return texts(patient, from);
  };
  /** Onboards a patient and books the first dermatology time two open days ahead (over 24 h away). */
  const bookAhead = async (patient: TelegramPatient, name: string, birthDate: string) => {
    await patient.onboard(name, birthDate, `091234${patient.chatId}`);
    const slotId = await patient.firstFreeSlot('dermatology', 2);
    await patient.press(`booking.slot|${slotId}`, 2);
    // The confirmation with its check-in code (a photo), then the menu.
    expect(await patient.press('booking.confirm|yes', 3)).toBe('What would you like to do?');
    expect(String(fake.messages(patient.chatId).at(-2)!.body.caption)).toMatch(
      /^✅ Your appointment is booked: /,
    );
    const [appointment] = await liveAppointments(fhir, slotId);
    expect(appointment?.status).toBe('booked');
    return { id: appointment!.id!, start: new Date(appointment!.start!).getTime() };
  };
  /** The conversation's timers of a chat, by the id its flow gave them, as due dates. */
  const timersOf = async (patient: TelegramPatient) => {
    await instance.frontdoor.idle();
    const prefix = `timer:{telegram:${patient.chatId}}:`;
    const rows = await instance.frontdoor.database.prisma.scheduledTimer.findMany({
      where: { queue: 'conversation-timer', jobId: { startsWith: prefix } },
    });
    return Object.fromEntries(rows.map((row) => [row.jobId.slice(prefix.length), row.dueAt.getTime()]));
  };
  /** Rows of the queues older versions set reminders and checkout expiries in. */
  const olderTimers = () =>
    instance.frontdoor.database.prisma.scheduledTimer.count({
      where: { queue: { in: ['appointment-reminder', 'payment-expiry'] } },
    });

  it(
    'releases an unconfirmed slot hold when its minutes pass, and tells the patient',
    { timeout: 120_000 },
    async () => {
      const patient = new TelegramPatient(instance.frontdoor.url, fake, 9901);
      await patient.onboard('Hanh Vo', '02/02/1992', '0912349901');
      const slotId = await patient.firstFreeSlot('dermatology');
      expect(await patient.press(`booking.slot|${slotId}`, 2)).toMatch(/^Book .+ \(Dermatology\)\?$/);
      const before = fake.messages(patient.chatId).length;

      // A minute short of the hold: still held, nothing said.
      await advance((HOLD_MINUTES - 1) * MINUTE);
      expect(fake.messages(patient.chatId)).toHaveLength(before);

      await advance(MINUTE + 1_000);
      const after = await told(patient, before, /^The time I was holding for you \(.+\) is released/);
      expect(after.find((text) => text.startsWith('The time I was holding'))).toMatch(
        new RegExp(
          `^The time I was holding for you \\(.+\\) is released because it was not confirmed within ${HOLD_MINUTES} minutes\\. Here are the free times now:`,
        ),
      );
      expect((await fhir.read<Slot>('Slot', slotId)).status).toBe('free');
      expect(await liveAppointments(fhir, slotId)).toEqual([]);
    },
  );

  it(
    'expires an unpaid Checkout session at its end: Stripe is told, the slot released, the patient may book again',
    { timeout: 120_000 },
    async () => {
      const patient = new TelegramPatient(instance.frontdoor.url, fake, 9902);
      await patient.onboard('Minh Pham', '03/03/1993', '0912349902');
      const slotId = await patient.firstFreeSlot('neurology', 2);
      await patient.press(`booking.slot|${slotId}`, 2);
      expect(await patient.press('booking.confirm|yes', 3)).toBe('What would you like to do?');
      const session = [...stripe.sessions.values()].at(-1)!;
      expect(session.status).toBe('open');
      const [payment] = await instance.frontdoor.database.prisma.payment.findMany({
        where: { checkoutSessionId: session.id },
      });
      // The flow set the checkout's timer: at the session's end and Stripe's grace after it.
      expect(await timersOf(patient)).toMatchObject({
        [`checkout:${payment!.id}`]: payment!.expiresAt.getTime() + 2 * MINUTE,
      });
      expect(await olderTimers()).toBe(0);
      const before = fake.messages(patient.chatId).length;

      // The confirm hold's minutes pass while the patient pays: the payment keeps the slot.
      await advance((HOLD_MINUTES + 1) * MINUTE);
      expect((await fhir.read<Slot>('Slot', slotId)).status).toBe('free');
      expect(stripe.sessions.get(session.id)?.status).toBe('open');

      // Past the session's end and Stripe's grace for its "expired" event, which never came.
      await advance((PAYMENT_MINUTES - HOLD_MINUTES + 4) * MINUTE);
      const after = await told(patient, before, /^The time for paying ran out/);
      expect(after).toEqual([
        'The time for paying ran out, so the time I was holding for you is released. Nothing was charged. You can book again whenever you like.',
      ]);
      expect(patient.buttons()).toEqual([{ text: 'Book again', callback_data: 'menu|book' }]);
      expect(stripe.sessions.get(session.id)?.status).toBe('expired');
      expect(
        stripe.writes().filter((r) => r.path === `/v1/checkout/sessions/${session.id}/expire`),
      ).toHaveLength(1);
      expect(await liveAppointments(fhir, slotId)).toEqual([]);
      expect((await fhir.read<Slot>('Slot', slotId)).status).toBe('free');

      const operator = new ConsoleClient(instance.frontdoor.url);
      expect((await operator.signIn(OPERATOR.email, OPERATOR.password)).status).toBe(200);
      const payments = (await operator.request('GET', '/console/api/payments')).body.payments as {
        patientName: string;
        status: string;
      }[];
      expect(payments.find((payment) => payment.patientName === 'Minh Pham')?.status).toBe('expired');
    },
  );

  it('sends the reminder 24 hours before an appointment, and not earlier', { timeout: 120_000 }, async () => {
    const patient = new TelegramPatient(instance.frontdoor.url, fake, 9903);
    const { id, start } = await bookAhead(patient, 'Lan Ho', '04/04/1994');
    // The booking's answer set both reminders as the conversation's timers (next to the
    // confirmation hold's, whose release spares a booked slot).
    expect(await timersOf(patient)).toMatchObject({
      [`reminder:${id}:24h`]: start - 24 * HOUR,
      [`reminder:${id}:2h`]: start - 2 * HOUR,
    });
    expect(await olderTimers()).toBe(0);
    const before = fake.messages(patient.chatId).length;

    await advance(start - 24 * HOUR - clock.now() - MINUTE);
    expect(fake.messages(patient.chatId)).toHaveLength(before);

    await advance(2 * MINUTE);
    const after = await told(patient, before, /^⏰ Reminder: /);
    expect(after).toEqual([
      expect.stringMatching(
        /^⏰ Reminder: you have an appointment on \w+day, \w+ \d+ at 08:00\. Will you come\?$/,
      ),
    ]);
    expect(patient.buttons().map((button) => button.text)).toEqual(['I will come', 'Cancel it']);
    expect(await patient.press(patient.buttons()[0]!.callback_data!)).toBe('Thank you. See you then!');
    expect((await fhir.read<Appointment>('Appointment', id)).status).toBe('booked');
  });
  it(
    'still reminds of an appointment whose reminders an older version set, and once when both versions set one',
    { timeout: 120_000 },
    async () => {
      const patient = new TelegramPatient(instance.frontdoor.url, fake, 9904);
      const { id, start } = await bookAhead(patient, 'Thu Ngo', '05/05/1995');
      const { prisma } = instance.frontdoor.database;
      // What an older version did at booking: a job per reminder in its own queue, with its row.
      const older = async (hours: number) => {
        const jobId = `reminder:${id}:${hours}h`;
        const data = {
          address: { channel: 'telegram', channelUserId: String(patient.chatId) },
          appointmentId: id,
          hours,
        };
        const dueAt = start - hours * HOUR;
        await prisma.scheduledTimer.create({
          data: { queue: 'appointment-reminder', jobId, data, dueAt: new Date(dueAt) },
        });
        await instance.frontdoor.jobs.add('appointment-reminder', data, {
          jobId,
          delayMs: dueAt - clock.now(),
        });
      };
      // The 24-hour reminder only as the older version set it (booked before the upgrade)...
      await instance.frontdoor.idle();
      const ours = `timer:{telegram:${patient.chatId}}:reminder:${id}:24h`;
      await instance.frontdoor.jobs.remove('conversation-timer', ours);
      const removed = await prisma.scheduledTimer.deleteMany({
        where: { queue: 'conversation-timer', jobId: ours },
      });
      expect(removed.count).toBe(1);
      await older(24);
      // ...and the 2-hour one by both (booked on an older instance during a rolling upgrade).
      await older(2);
      const before = fake.messages(patient.chatId).length;

      await advance(start - 24 * HOUR - clock.now() + MINUTE);
      await told(patient, before, /^⏰ Reminder: /);
      await advance(22 * HOUR);
      const after = await told(patient, before + 1, /^⏰ Reminder: /);
      // Both 2-hour timers have run by now: the second one's event was recognised as a repeat.
      await advance(MINUTE);
      await instance.frontdoor.idle();
      expect(texts(patient, before)).toEqual([
        expect.stringMatching(/^⏰ Reminder: you have an appointment on /),
        expect.stringMatching(/^⏰ Reminder: you have an appointment on /),
      ]);
      expect(after).toHaveLength(1);
      expect(await prisma.scheduledTimer.count({ where: { jobId: { contains: id } } })).toBe(0);
    },
  );
});
