// Check-in and the queue over Telegram, on a clock the test moves: book → the check-in code
// (a QR photo of the signed link) → check in by that link → the ticket with its position → the
// operator calls others → the 5- and 2-ahead notices → "your turn — room 4" → done; a walk-in
// who misses their turn goes back in line; an emergency phrase while waiting interrupts.
import type { Appointment } from '@medplum/fhirtypes';
import jsqr from 'jsqr';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import type { Department } from '../../src/domain/triage.ts';
import type { TelegramFake } from '../support/fakes/telegram-fake.ts';
import { demoHospital } from '../support/hospital.ts';
import type { TestInstance } from '../support/instance.ts';
import { TelegramPatient, startWithTelegram } from '../support/telegram-patient.ts';

const OPERATOR = { staffId: 'operator-test' };
const MINUTE = 60_000;

describe('check-in and the queue over Telegram', () => {
  // Today's date, so the demo hospital's free times are as usual; the test moves it.
  const clock = new ManualClock(Date.now());
  let fake: TelegramFake;
  let instance: TestInstance;
  let hana: TelegramPatient;

  beforeAll(async () => {
    ({ fake, instance } = await startWithTelegram(
      { CONSULTATION_FEES: '0' },
      // The in-process job runner follows the clock (BullMQ delays in Redis time).
      { clock, redis: false, openHospital: true },
    ));
    hana = new TelegramPatient(instance.frontdoor.url, fake, 9601);
    await hana.onboard('Hana Le', '03/03/1990', '0912345601');
  });
  afterAll(async () => {
    await instance?.stop();
    await fake?.stop();
  });

  const desk = () => instance.frontdoor.queue;
  const texts = (patient: TelegramPatient, from = 0) =>
    fake
      .messages(patient.chatId)
      .slice(from)
      .map((message) => String(message.body.text ?? message.body.caption));
  /** Waits for a message matching `pattern` after the first `from`; returns it. */
  const told = async (patient: TelegramPatient, from: number, pattern: RegExp) => {
    await expect
      .poll(() => texts(patient, from).find((text) => pattern.test(text)), { timeout: 15_000 })
      .toBeDefined()
      .catch((error: unknown) => {
        // What the chat did get, so a failure says which message went missing.
        throw new Error(
          `no ${String(pattern)} after message ${from}; got ${JSON.stringify(texts(patient))}`,
          {
            cause: error,
          },
        );
      });
    return texts(patient, from).find((text) => pattern.test(text))!;
  };
  const count = (patient: TelegramPatient) => fake.messages(patient.chatId).length;
  /** Moves the clock once nothing is in flight (timers due meanwhile run: reminders). */
  const advanceTo = async (at: number) => {
    await instance.frontdoor.idle();
    clock.advance(at - clock.now());
    await instance.frontdoor.idle();
  };
  /** Walk-in patients of other chats, ahead in line. */
  const walkIns = async (department: Department, chats: number[]) => {
    for (const chat of chats) {
      const result = await desk().walkIn({
        department,
        address: { channel: 'telegram', channelUserId: String(chat) },
        locale: 'vi',
      });
      expect(result).toHaveProperty('ticket');
    }
  };
  /** The operator calls the next ticket and serves it (its service time feeds the average). */
  const serveNext = async (department: Department, room: string) => {
    const called = await desk().callNext(department, room, OPERATOR);
    expect(called).toBeDefined();
    // Not while a notice is being delivered: its lock would look stalled and it would go twice.
    await advanceTo(clock.now() + MINUTE);
    await desk().done(called!.id, OPERATOR);
    await instance.frontdoor.idle();
    return called!;
  };

  it(
    'books, checks in by the QR link, follows the ticket to "your turn — room 4", and is served',
    { timeout: 150_000 },
    async () => {
      const slotId = await hana.firstFreeSlot('general_medicine');
      await hana.press(`booking.slot|${slotId}`, 2);
      // "One moment", the confirmation with its check-in code (a photo), the menu.
      await hana.press('booking.confirm|yes', 3);
      const [, photo, menu] = fake.messages(hana.chatId).slice(-3);
      expect(photo!.method).toBe('sendPhoto');
      expect(String(photo!.body.caption)).toMatch(
        /^✅ Your appointment is booked: .+ at 08:00 with Dr .+ \(General medicine\)\.\n\nCheck-in code for .+ at 08:00 \(General medicine\): show this QR code at reception, or open the link when you arrive\.\n\nCheck in: http:\/\/\S+\/checkin\/\S+$/,
      );
      expect(String(menu!.body.text)).toBe('What would you like to do?');

      // The photo is our QR route's image, and a camera reads the check-in link from it.
      const qrUrl = new URL(String(photo!.body.photo));
      // The link in the text is in the patient's language; the QR code holds the bare link.
      const checkInLink = String(photo!.body.caption)
        .split('Check in: ')[1]!
        .replace(/\?lang=en$/, '');
      expect(String(photo!.body.caption)).toMatch(/\/checkin\/\S+\?lang=en$/);
      expect(qrUrl.pathname).toBe(`${new URL(checkInLink).pathname}/qr.png`);
      const image = await fetch(`${instance.frontdoor.url}${qrUrl.pathname}`);
      expect(image.headers.get('content-type')).toBe('image/png');
      const png = PNG.sync.read(Buffer.from(await image.arrayBuffer()));
      expect(jsqr.default(new Uint8ClampedArray(png.data), png.width, png.height)?.data).toBe(checkInLink);

      const token = checkInLink.split('/checkin/')[1]!;
      const appointmentId = instance.frontdoor.checkInTokens.verify('checkin', token)!;
      const appointment = await demoHospital(instance.frontdoor).read<Appointment>(
        'Appointment',
        appointmentId,
      );
      const start = Date.parse(appointment.start!);

      // "I'm here" the evening before: too early, and told from when.
      let from = count(hana);
      await hana.press('menu|queue', 2);
      expect(texts(hana, from).at(-1)).toMatch(/^You have no appointment today\. Book one from the menu\./);
      await advanceTo(start - 70 * MINUTE);
      from = count(hana);
      await hana.press('menu|queue', 2);
      expect(await told(hana, from, /^Your appointments today:/)).toContain('• 08:00 · General medicine');
      expect(hana.buttons().map((button) => button.callback_data)).toContain(`queue|here:${appointmentId}`);
      from = count(hana);
      await hana.press(`queue|here:${appointmentId}`, 2);
      expect(await told(hana, from, /too early/)).toBe(
        'It is too early to check in for this appointment: you can check in from 07:00 on ' +
          `${new Intl.DateTimeFormat('en', { timeZone: 'Asia/Ho_Chi_Minh', weekday: 'long', day: 'numeric', month: 'long' }).format(start)}.` +
          '\n\nWhat would you like to do?',
      );
      // Not a dead end: the menu comes with it.
      expect(hana.buttons().map((button) => button.callback_data)).toContain('menu|queue');

      // At 07:30 six walk-ins are waiting; reception scans the QR (the check-in page posts the token).
      await advanceTo(start - 30 * MINUTE);
      await walkIns('general_medicine', [7001, 7002, 7003, 7004, 7005, 7006]);
      from = count(hana);
      const checkedIn = await desk().checkIn({
        appointmentId,
        patientId: await patientId(hana),
        locale: 'en',
      });
      expect(checkedIn).toHaveProperty('ticket');
      const ticket = await told(hana, from, /^✅ You are checked in/);
      expect(ticket).toMatch(
        /^✅ You are checked in\. Your ticket:\nA-007 · General medicine · 6 ahead · ~\d+ min\n\n/,
      );
      expect(hana.buttons()).toEqual([
        { text: 'Refresh', callback_data: 'queue|refresh' },
        { text: 'Leave the queue', callback_data: 'queue|leave:A-007' },
        // A local base URL cannot be a Telegram button: the live page's link is in the text.
      ]);
      expect(ticket).toMatch(/Live ticket: http:\/\/\S+\/ticket\/[^\s?]+\?lang=en$/);
      const appointmentNow = await demoHospital(instance.frontdoor).read<Appointment>(
        'Appointment',
        appointmentId,
      );
      expect(appointmentNow.status).toBe('arrived');

      // The operator calls the others: the patient hears at 5 ahead and at 2 ahead, no more.
      from = count(hana);
      await serveNext('general_medicine', '2');
      expect(await told(hana, from, /ahead of you now/)).toMatch(
        /^Ticket A-007: 5 ahead of you now \(~\d+ min\)\. Please stay close to General medicine\.$/,
      );

      // An emergency phrase while waiting interrupts with the emergency number, and the ticket stays.
      from = count(hana);
      const alert = await hana.say("I can't breathe");
      expect(alert).toMatch(/115/);
      expect(fake.messages(hana.chatId).at(-1)!.body.text).toMatch(/115/);
      from = count(hana);
      await hana.press('queue|refresh');
      expect(texts(hana, from).at(-1)).toMatch(
        /^A-007 · General medicine · 5 ahead · ~\d+ min\n\nLive ticket: \S+$/,
      );

      from = count(hana);
      await serveNext('general_medicine', '2');
      await serveNext('general_medicine', '2');
      await serveNext('general_medicine', '2');
      expect(await told(hana, from, /ahead of you now/)).toMatch(/^Ticket A-007: 2 ahead of you now/);
      expect(texts(hana, from).filter((text) => /ahead of you now/.test(text))).toHaveLength(1);
      await serveNext('general_medicine', '2');
      await serveNext('general_medicine', '2');
      expect(texts(hana, from).filter((text) => /ahead of you now/.test(text))).toHaveLength(1);

      from = count(hana);
      const called = await desk().callNext('general_medicine', '4', OPERATOR);
      expect(called?.label).toBe('A-007');
      expect(await told(hana, from, /Your turn/)).toBe(
        '🔔 Your turn — room 4. Ticket A-007, General medicine.',
      );
      await desk().done(called!.id, OPERATOR);
      await instance.frontdoor.idle();
      from = count(hana);
      await hana.press('menu|queue', 2);
      // Served: no live ticket any more, and the appointment is behind them.
      expect(texts(hana, from).at(-1)).not.toMatch(/A-007 · General medicine · \d+ ahead/);
    },
  );

  it(
    'takes a walk-in ticket from the chat; a missed turn goes back in line once, at the back',
    { timeout: 120_000 },
    async () => {
      const minh = new TelegramPatient(instance.frontdoor.url, fake, 9602);
      await minh.onboard('Minh Do', '04/04/1985', '0912345602');
      await walkIns('general_medicine', [7101, 7102]);
      let from = count(minh);
      await minh.press('menu|queue', 2);
      expect(await told(minh, from, /walk-in ticket/)).toMatch(/You can take a walk-in ticket for:$/);
      expect(minh.buttons().map((button) => button.text)).toEqual(['Walk-in · General medicine', 'Back']);
      from = count(minh);
      await minh.press('queue|walkin:general_medicine', 2);
      const ticket = await told(minh, from, /You are checked in/);
      expect(ticket).toMatch(/\nA-\d{3} · General medicine · 2 ahead/);
      const label = /\n(A-\d{3}) · /.exec(ticket)![1]!;

      await serveNext('general_medicine', '1');
      await serveNext('general_medicine', '1');
      from = count(minh);
      const called = await desk().callNext('general_medicine', '4', OPERATOR);
      expect(called?.label).toBe(label);
      await told(minh, from, /Your turn — room 4/);
      for (let recall = 1; recall <= 2; recall += 1) {
        from = count(minh);
        await desk().recall(called!.id, OPERATOR);
        expect(await told(minh, from, /Your turn/)).toBe(
          `🔔 Your turn — room 4. Ticket ${label}, General medicine.`,
        );
      }
      await walkIns('general_medicine', [7103]);
      from = count(minh);
      await desk().noShow(called!.id, OPERATOR);
      expect(await told(minh, from, /missed your turn/)).toBe(
        `You missed your turn (ticket ${label}). You can go back in line once, at the back.`,
      );
      expect(minh.buttons()).toEqual([{ text: 'Back in line', callback_data: 'queue|requeue' }]);
      from = count(minh);
      await minh.press('queue|requeue', 2);
      // Behind the walk-in who came meanwhile.
      expect(await told(minh, from, /back in line/)).toMatch(
        new RegExp(`^You are back in line:\\n${label} · General medicine · 1 ahead`),
      );
      // Once only.
      await serveNext('general_medicine', '1');
      const again = await desk().callNext('general_medicine', '4', OPERATOR);
      await desk().recall(again!.id, OPERATOR);
      await desk().recall(again!.id, OPERATOR);
      from = count(minh);
      await desk().noShow(again!.id, OPERATOR);
      expect(await told(minh, from, /missed your turn/)).toBe(
        `You missed your turn (ticket ${label}). Please go to the reception desk.`,
      );
    },
  );

  async function patientId(patient: TelegramPatient): Promise<string> {
    const identity = await instance.frontdoor.database.prisma.channelIdentity.findFirstOrThrow({
      where: { channelUserId: patient.chatId },
    });
    return identity.patientId;
  }
});
