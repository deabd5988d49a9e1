// Who a broadcast reaches, found as production finds them: appointments booked in the built-in
// hospital over FHIR (a day in the hospital's zone, one department, one doctor), today's queue
// tickets issued by the queue desk, and the patients whose latest word on hospital notices is
// yes. Each patient once, on the right chat, in the right language; erased patients, patients
// with no chat and patients who said "stop" (for subscribers) left out.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.ts';
import { HOSPITAL_NOTICES, type Recipient } from '../../src/domain/broadcasts.ts';
import { addDays, zonedDate, zonedInstant } from '../../src/domain/time-zone.ts';
import type { Department } from '../../src/domain/triage.ts';
import type { Doctor, FreeSlot, Hospital } from '../../src/integrations/fhir/hospital.ts';
import type { Locale } from '../../src/i18n/locales.ts';
import { FieldCipher } from '../../src/security/field-cipher.ts';
import { PrismaAudienceFinder } from '../../src/storage/prisma-audience.ts';
import { startTestInstance, TEST_FIELD_KEY, type TestInstance } from '../support/instance.ts';

const ZONE = 'Asia/Ho_Chi_Minh';

describe('the broadcasts audiences', () => {
  let instance: TestInstance;
  let hospital: Hospital;
  let finder: PrismaAudienceFinder;

  beforeAll(async () => {
    instance = await startTestInstance({ openHospital: true, env: { HOSPITAL_TIME_ZONE: ZONE } });
    hospital = instance.frontdoor.hospital;
    finder = new PrismaAudienceFinder({
      prisma: instance.frontdoor.database.prisma,
      hospital,
      cipher: new FieldCipher(TEST_FIELD_KEY),
      timeZone: ZONE,
      clock: systemClock,
    });
  });
  afterAll(async () => {
    await instance?.stop();
  });

  let seen = 0;
  /** One of our patients, with chats seen in the order given (the last one most recently). */
  const patient = async (options: {
    locale?: Locale;
    chats?: { channel: string; channelUserId: string }[];
    erased?: boolean;
  }): Promise<string> => {
    const base = Date.now() - 3_600_000;
    const created = await instance.frontdoor.database.prisma.patient.create({
      data: {
        locale: options.locale ?? 'en',
        erasedAt: options.erased ? new Date() : null,
        identities: {
          create: (options.chats ?? []).map((chat, n) => ({
            ...chat,
            lastSeenAt: new Date(base + ++seen * 1_000 + n),
          })),
        },
      },
    });
    return created.id;
  };

  const byPatient = (recipients: Recipient[]) =>
    new Map(recipients.map((recipient) => [recipient.patientId, recipient]));

  describe('appointments on a day', () => {
    let day: string;
    let laterDay: string;
    let cardiologists: Doctor[];
    const ours: Record<string, string> = {};

    /** The patient's record at the hospital (with our id), booked into `slot`. */
    const book = async (ourId: string, slot: FreeSlot, department: Department, status?: 'pending') => {
      const hospitalPatientId = await hospital.ensurePatient({
        id: ourId,
        fullName: 'Test Patient',
        birthDate: '1980-01-01',
        phone: `+8491${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`,
      });
      return hospital.book({
        slotId: slot.id,
        hospitalPatientId,
        bookingKey: randomUUID(),
        department,
        status,
      });
    };
    /** The appointment as the hospital's own desk would mark it, straight over FHIR. */
    const markAs = async (appointmentId: string, status: string) => {
      const at = `${instance.frontdoor.url}/fhir/R4/Appointment/${appointmentId}`;
      const authorization = `Bearer ${instance.frontdoor.demoHospitalToken}`;
      const appointment = (await (await fetch(at, { headers: { authorization } })).json()) as object;
      const updated = await fetch(at, {
        method: 'PUT',
        headers: { authorization, 'content-type': 'application/fhir+json' },
        body: JSON.stringify({ ...appointment, status }),
      });
      if (!updated.ok) throw new Error(`the hospital did not mark ${status}: ${updated.status}`);
    };
    const slotsOn = async (department: Department, date: string, doctors: Doctor[], count: number) =>
      hospital.freeSlots({
        department,
        doctors,
        from: zonedInstant(date, 0, ZONE),
        to: zonedInstant(addDays(date, 1), 0, ZONE),
        count,
      });

    beforeAll(async () => {
      const departments = await hospital.departments();
      const info = (code: Department) => departments.find((department) => department.code === code)!;
      cardiologists = await hospital.doctors(info('cardiology'));
      const general = await hospital.doctors(info('general_medicine'));
      // A bookable day from tomorrow, and the next bookable day after it.
      const [first] = await hospital.freeSlots({
        department: 'cardiology',
        doctors: cardiologists,
        from: zonedInstant(addDays(zonedDate(new Date(), ZONE), 1), 0, ZONE),
        to: new Date(Date.now() + 9 * 86_400_000),
        count: 1,
      });
      day = zonedDate(first!.start, ZONE);
      const [later] = await hospital.freeSlots({
        department: 'cardiology',
        doctors: cardiologists,
        from: zonedInstant(addDays(day, 1), 0, ZONE),
        to: new Date(Date.now() + 12 * 86_400_000),
        count: 1,
      });
      laterDay = zonedDate(later!.start, ZONE);
      const [doctorOne, doctorTwo] = [
        await slotsOn('cardiology', day, [cardiologists[0]!], 3),
        await slotsOn('cardiology', day, [cardiologists[1]!], 2),
      ];
      const [gp] = await slotsOn('general_medicine', day, general, 2);

      ours.withTwoChats = await patient({
        locale: 'vi',
        chats: [
          { channel: 'line', channelUserId: 'U-two-chats' },
          { channel: 'telegram', channelUserId: '5001' },
        ],
      });
      ours.secondDoctor = await patient({
        locale: 'ja',
        chats: [{ channel: 'line', channelUserId: 'U-second' }],
      });
      ours.awaitingApproval = await patient({ chats: [{ channel: 'web', channelUserId: 'web-pending' }] });
      ours.generalMedicine = await patient({
        locale: 'fr',
        chats: [{ channel: 'telegram', channelUserId: '5002' }],
      });
      ours.nextDay = await patient({ chats: [{ channel: 'telegram', channelUserId: '5003' }] });
      ours.cancelled = await patient({ chats: [{ channel: 'telegram', channelUserId: '5004' }] });
      ours.erased = await patient({ erased: true, chats: [{ channel: 'telegram', channelUserId: '5005' }] });
      ours.noChat = await patient({});
      // In the waiting room (checked in through the queue desk's hospital call, or marked
      // checked-in by the hospital), and those whose appointment no longer stands.
      ours.arrived = await patient({ locale: 'th', chats: [{ channel: 'telegram', channelUserId: '5006' }] });
      ours.checkedIn = await patient({ chats: [{ channel: 'line', channelUserId: 'U-checked-in' }] });
      ours.noShow = await patient({ chats: [{ channel: 'telegram', channelUserId: '5007' }] });
      ours.seen = await patient({ chats: [{ channel: 'telegram', channelUserId: '5008' }] });
      ours.mistaken = await patient({ chats: [{ channel: 'telegram', channelUserId: '5009' }] });

      await book(ours.withTwoChats, doctorOne[0]!, 'cardiology');
      // Two appointments that day, one recipient.
      await book(ours.withTwoChats, doctorOne[1]!, 'cardiology');
      await book(ours.secondDoctor, doctorTwo[0]!, 'cardiology');
      await book(ours.awaitingApproval, doctorTwo[1]!, 'cardiology', 'pending');
      await book(ours.generalMedicine, gp!, 'general_medicine');
      await book(ours.nextDay, later!, 'cardiology');
      await hospital.cancel((await book(ours.cancelled, doctorOne[2]!, 'cardiology')).id);
      await book(ours.erased, (await slotsOn('cardiology', day, [cardiologists[0]!], 1))[0]!, 'cardiology');
      await book(ours.noChat, (await slotsOn('cardiology', day, [cardiologists[1]!], 1))[0]!, 'cardiology');
      const gpSlots = await slotsOn('general_medicine', day, general, 5);
      const arrived = await book(ours.arrived, gpSlots[0]!, 'general_medicine');
      expect(await hospital.checkIn(arrived.id, new Date())).toMatchObject({ status: 'arrived' });
      await markAs((await book(ours.checkedIn, gpSlots[1]!, 'general_medicine')).id, 'checked-in');
      await markAs((await book(ours.noShow, gpSlots[2]!, 'general_medicine')).id, 'noshow');
      await markAs((await book(ours.seen, gpSlots[3]!, 'general_medicine')).id, 'fulfilled');
      await markAs((await book(ours.mistaken, gpSlots[4]!, 'general_medicine')).id, 'entered-in-error');
    });

    it('reaches every patient booked, awaiting approval or already here that day, once, on the chat they used last', async () => {
      const recipients = await finder.recipients({ kind: 'appointments', date: day });
      const found = byPatient(recipients);
      expect(recipients).toHaveLength(found.size);
      expect([...found.keys()].sort()).toEqual(
        [
          ours.withTwoChats,
          ours.secondDoctor,
          ours.awaitingApproval,
          ours.generalMedicine,
          ours.arrived,
          ours.checkedIn,
        ].sort(),
      );
      expect(found.get(ours.arrived!)).toMatchObject({
        channel: 'telegram',
        channelUserId: '5006',
        locale: 'th',
      });
      expect(found.get(ours.checkedIn!)).toMatchObject({ channel: 'line', channelUserId: 'U-checked-in' });
      expect(found.get(ours.withTwoChats!)).toEqual({
        patientId: ours.withTwoChats,
        channel: 'telegram',
        channelUserId: '5001',
        locale: 'vi',
      });
      expect(found.get(ours.secondDoctor!)).toMatchObject({ channel: 'line', locale: 'ja' });
      expect(found.get(ours.awaitingApproval!)).toMatchObject({
        channel: 'web',
        channelUserId: 'web-pending',
      });
    });

    it('narrows to one department, and to one doctor', async () => {
      const cardiology = await finder.recipients({
        kind: 'appointments',
        date: day,
        department: 'cardiology',
      });
      expect(cardiology.map((recipient) => recipient.patientId).sort()).toEqual(
        [ours.withTwoChats, ours.secondDoctor, ours.awaitingApproval].sort(),
      );
      const doctor = await finder.recipients({
        kind: 'appointments',
        date: day,
        department: 'cardiology',
        doctor: cardiologists[1]!.practitionerId,
      });
      expect(doctor.map((recipient) => recipient.patientId).sort()).toEqual(
        [ours.secondDoctor, ours.awaitingApproval].sort(),
      );
      expect(await finder.recipients({ kind: 'appointments', date: day, department: 'dermatology' })).toEqual(
        [],
      );
      const nextDay = await finder.recipients({ kind: 'appointments', date: laterDay });
      expect(nextDay.map((recipient) => recipient.patientId)).toEqual([ours.nextDay]);
    });

    it('pages through the hospital to the last appointment', async () => {
      const all = await hospital.appointmentsOn({ date: day, timeZone: ZONE });
      const paged = await hospital.appointmentsOn({ date: day, timeZone: ZONE, pageSize: 2 });
      // Nine that day: two of one patient, the erased one, the one with no chat and the two
      // in the waiting room included; the no-show, the one seen and the mistaken one not.
      expect(all).toHaveLength(9);
      expect(all.map((appointment) => appointment.status).sort()).toEqual([
        'arrived',
        'booked',
        'booked',
        'booked',
        'booked',
        'booked',
        'booked',
        'checked-in',
        'pending',
      ]);
      expect(paged.map((appointment) => appointment.id).sort()).toEqual(
        all.map((appointment) => appointment.id).sort(),
      );
      expect(paged.every((appointment) => appointment.ourPatientId)).toBe(true);
      expect(paged.filter((appointment) => appointment.ourPatientId === ours.withTwoChats)).toHaveLength(2);
    });
  });

  it("reaches today's waiting and called tickets of a department, on the ticket's chat and in its language", async () => {
    const queue = instance.frontdoor.queue;
    const walkIn = async (
      department: Department,
      channelUserId: string,
      patientId?: string,
      locale: Locale = 'en',
    ) => {
      const result = await queue.walkIn({
        department,
        address: { channel: 'telegram', channelUserId },
        locale,
        ...(patientId ? { patientId } : {}),
      });
      if (!('ticket' in result)) throw new Error(`refused: ${JSON.stringify(result.refused)}`);
      return result.ticket;
    };
    // The patient chats on LINE mostly, but took the ticket on Telegram: told there, in Thai.
    const waiting = await patient({
      locale: 'en',
      chats: [
        { channel: 'telegram', channelUserId: '6001' },
        { channel: 'line', channelUserId: 'U-queue' },
      ],
    });
    const called = await patient({ chats: [{ channel: 'telegram', channelUserId: '6002' }] });
    const known = await patient({ locale: 'zh-CN', chats: [{ channel: 'telegram', channelUserId: '6003' }] });
    const served = await patient({ chats: [{ channel: 'telegram', channelUserId: '6004' }] });
    const gone = await patient({ chats: [{ channel: 'telegram', channelUserId: '6005' }] });
    const elsewhere = await patient({ chats: [{ channel: 'telegram', channelUserId: '6006' }] });
    const erased = await patient({ erased: true, chats: [{ channel: 'telegram', channelUserId: '6007' }] });

    const servedTicket = await walkIn('general_medicine', '6004', served);
    expect((await queue.callNext('general_medicine', 'Room 1', {}))?.id).toBe(servedTicket.id);
    expect(await queue.done(servedTicket.id, {})).toMatchObject({ status: 'done' });
    const calledTicket = await walkIn('general_medicine', '6002', called);
    expect((await queue.callNext('general_medicine', 'Room 1', {}))?.id).toBe(calledTicket.id);
    await walkIn('general_medicine', '6001', waiting, 'th');
    // No patient on the ticket: found by the chat it was taken from (or left out: nobody's chat).
    await walkIn('general_medicine', '6003', undefined, 'zh-CN');
    await walkIn('general_medicine', '6099');
    const left = await walkIn('general_medicine', '6005', gone);
    expect(await queue.leave(left.id)).toMatchObject({ status: 'left' });
    await walkIn('emergency', '6006', elsewhere);
    await walkIn('general_medicine', '6007', erased);

    const recipients = await finder.recipients({ kind: 'queue', department: 'general_medicine' });
    const found = byPatient(recipients);
    expect([...found.keys()].sort()).toEqual([waiting, called, known].sort());
    expect(found.get(waiting)).toEqual({
      patientId: waiting,
      channel: 'telegram',
      channelUserId: '6001',
      locale: 'th',
    });
    expect(found.get(known)).toMatchObject({ channelUserId: '6003', locale: 'zh-CN' });
    expect(
      (await finder.recipients({ kind: 'queue', department: 'emergency' })).map((r) => r.patientId),
    ).toEqual([elsewhere]);
    expect(await finder.recipients({ kind: 'queue', department: 'cardiology' })).toEqual([]);
  });

  it('reaches the patients whose latest word on hospital notices is yes', async () => {
    const prisma = instance.frontdoor.database.prisma;
    const decide = (patientId: string, granted: boolean, minutesAgo: number, purpose = HOSPITAL_NOTICES) =>
      prisma.consent.create({
        data: {
          patientId,
          purpose,
          granted,
          textVersion: 'v1',
          channel: 'telegram',
          decidedAt: new Date(Date.now() - minutesAgo * 60_000),
        },
      });
    const yes = await patient({ locale: 'th', chats: [{ channel: 'line', channelUserId: 'U-yes' }] });
    const stopped = await patient({ chats: [{ channel: 'telegram', channelUserId: '7002' }] });
    const cameBack = await patient({ chats: [{ channel: 'telegram', channelUserId: '7003' }] });
    const erased = await patient({ erased: true, chats: [{ channel: 'telegram', channelUserId: '7004' }] });
    const noChat = await patient({});
    const healthOnly = await patient({ chats: [{ channel: 'telegram', channelUserId: '7006' }] });
    await decide(yes, true, 30);
    await decide(stopped, true, 30);
    await decide(stopped, false, 10);
    await decide(cameBack, false, 30);
    await decide(cameBack, true, 5);
    await decide(erased, true, 30);
    await decide(noChat, true, 30);
    await decide(healthOnly, true, 30, 'health-data');

    const recipients = await finder.recipients({ kind: 'subscribers' });
    expect(recipients.map((recipient) => recipient.patientId).sort()).toEqual([yes, cameBack].sort());
    expect(byPatient(recipients).get(yes)).toEqual({
      patientId: yes,
      channel: 'line',
      channelUserId: 'U-yes',
      locale: 'th',
    });
  });
});
