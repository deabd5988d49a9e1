// Intake → booking → my appointments → cancel in one Telegram conversation, against the
// built-in demo hospital over real FHIR HTTP; the FHIR Appointment and Slot states checked.
import type { Appointment, Slot } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FhirClient } from '../../src/integrations/fhir/fhir-client.ts';
import { StaffAccounts } from '../../src/security/staff-accounts.ts';
import { ConsoleClient } from '../support/console-client.ts';
import type { TelegramFake } from '../support/fakes/telegram-fake.ts';
import { HttpFake } from '../support/fakes/http-fake.ts';
import { startTestInstance, type TestInstance } from '../support/instance.ts';
import { calmAnswers, SKIP_DESCRIBE } from '../support/journeys.ts';
import { TelegramPatient, startWithTelegram } from '../support/telegram-patient.ts';

describe('booking over Telegram', () => {
  let fake: TelegramFake;
  let instance: TestInstance;
  let patient: TelegramPatient;
  let fhir: FhirClient;

  beforeAll(async () => {
    // Free consultations: paying has its own suite (payments.test.ts).
    ({ fake, instance } = await startWithTelegram({ CONSULTATION_FEES: '0' }, { openHospital: true }));
    patient = new TelegramPatient(instance.frontdoor.url, fake, 9301);
    fhir = new FhirClient(`${instance.frontdoor.url}/fhir/R4`, {
      bearerToken: instance.frontdoor.demoHospitalToken,
    });
    await patient.onboard('Hanh Vo', '02/02/1992', '0912345301');
  });
  afterAll(async () => {
    await instance?.stop();
    await fake?.stop();
  });

  const patientId = async () =>
    (
      await instance.frontdoor.database.prisma.channelIdentity.findFirstOrThrow({
        where: { channelUserId: patient.chatId },
      })
    ).patientId;

  const keyboard = () => patient.buttons();

  it(
    'books the department triage suggested, with a doctor and a time, moves it and cancels it',
    { timeout: 120_000 },
    async () => {
      await patient.intake('headache', [...calmAnswers('days', '3'), SKIP_DESCRIBE]);

      const departments = await patient.press('menu|book');
      expect(departments).toBe(
        'From your symptoms I suggest Neurology.\n\nWhich department would you like to visit?',
      );
      expect(keyboard()[0]).toEqual({ text: 'Neurology', callback_data: 'booking.department|neurology' });

      expect(await patient.press('booking.department|neurology', 2)).toBe(
        'Which doctor would you like to see?',
      );
      expect(keyboard().map((button) => button.text)).toEqual([
        'Anyone available',
        'Dr Đỗ Thị Mai',
        'Dr Hồ Quang Minh',
        'Back',
      ]);

      // Tomorrow's times, to be independent of the hour the test runs.
      await patient.press('booking.doctor|any', 2);
      const day = await patient.nextOpenDay();
      expect(day).toMatch(/^Free times on \w+day, \w+ \d+:$/);
      const [first] = keyboard();
      expect(first!.text).toMatch(/^08:00 · Dr /);
      const slotId = first!.callback_data!.split('|')[1]!;

      const confirm = await patient.press(`booking.slot|${slotId}`, 2);
      expect(confirm).toMatch(/^Book \w+day, \w+ \d+ at 08:00 with Dr .+ \(Neurology\)\?$/);
      // The confirmation comes with the check-in code (a photo of its QR), then the menu.
      expect(await patient.press('booking.confirm|yes', 3)).toBe('What would you like to do?');
      expect(String(fake.messages(patient.chatId).at(-2)!.body.caption)).toMatch(
        /^✅ Your appointment is booked: \w+day, \w+ \d+ at 08:00 with Dr .+ \(Neurology\)\.\n\nCheck-in code for /,
      );

      expect((await fhir.read<Slot>('Slot', slotId)).status).toBe('busy');
      const { resources } = await fhir.search<Appointment>('Appointment', { slot: `Slot/${slotId}` });
      expect(resources).toHaveLength(1);
      expect(resources[0]?.status).toBe('booked');
      expect(resources[0]?.participant.map((p) => p.actor?.reference)).toContain(
        `Patient/${(await fhir.search('Patient', { identifier: `urn:frontdoor:patient|${await patientId()}` })).resources[0]?.id}`,
      );

      const list = await patient.press('menu|appointments', 2);
      expect(list).toMatch(/^Your appointments:\n• \w+day, \w+ \d+ 08:00 · Dr .+ \(Neurology\)$/);
      expect(keyboard().map((button) => button.text.replace(/ \w+day, \w+ \d+/, ' <day>'))).toEqual([
        'Move <day> 08:00',
        'Cancel <day> 08:00',
        'Back',
      ]);

      // Moved to 08:20 the same day: the new one is booked before the old one is let go.
      await patient.press(keyboard()[0]!.callback_data!, 2);
      await patient.press('booking.doctor|any', 2);
      await patient.nextOpenDay();
      const later = keyboard().find((button) => button.text.startsWith('08:20'))!;
      const newSlotId = later.callback_data!.split('|')[1]!;
      await patient.press(later.callback_data!, 2);
      await patient.press('booking.confirm|yes', 3);
      const moved = String(fake.messages(patient.chatId).at(-2)!.body.caption);
      expect(moved).toMatch(
        /^✅ Your appointment is moved to \w+day, \w+ \d+ at 08:20 with Dr .+ \(Neurology\)\./,
      );
      expect((await fhir.read<Appointment>('Appointment', resources[0]!.id!)).status).toBe('cancelled');
      expect((await fhir.read<Slot>('Slot', slotId)).status).toBe('free');
      expect((await fhir.read<Slot>('Slot', newSlotId)).status).toBe('busy');

      await patient.press('menu|appointments', 2);
      const cancel = keyboard().find((button) => button.text.startsWith('Cancel'))!;
      expect(cancel.text).toMatch(/^Cancel \w+day, \w+ \d+ 08:20$/);
      const cancelled = await patient.press(cancel.callback_data!, 2);
      expect(cancelled).toMatch(
        /^Your appointment on \w+day, \w+ \d+ at 08:20 is cancelled\.\n\nWhat would you like to do\?$/,
      );
      expect((await fhir.read<Slot>('Slot', newSlotId)).status).toBe('free');

      expect(await patient.press('menu|appointments', 2)).toBe(
        'You have no upcoming appointments.\n\nWhat would you like to do?',
      );
    },
  );

  it(
    'books as pending when triage asks for review, until a nurse approves it in the console',
    { timeout: 120_000 },
    async () => {
      const bao = new TelegramPatient(instance.frontdoor.url, fake, 9302);
      await bao.onboard('Bao Tran', '20/10/1988', '0912345302');
      await bao.intake('fever', [...calmAnswers('days', '4'), { text: '38.6' }, SKIP_DESCRIBE]);
      const slotId = await bao.firstFreeSlot('general_medicine');
      await bao.press(`booking.slot|${slotId}`, 2);
      expect(await bao.press('booking.confirm|yes', 2)).toMatch(
        /^Your appointment on .+ at 08:00 with Dr .+ \(General medicine\) is reserved\. A nurse will review your answers and confirm it here\./,
      );
      const [appointment] = (await fhir.search<Appointment>('Appointment', { slot: `Slot/${slotId}` }))
        .resources;
      expect(appointment?.status).toBe('pending');

      await new StaffAccounts(instance.frontdoor.database.prisma, {
        maxFailures: 5,
        lockoutMs: 60_000,
      }).upsert({
        email: 'nurse@booking.test',
        roles: ['nurse'],
        password: 'a nurse password for booking',
      });
      const nurse = new ConsoleClient(instance.frontdoor.url);
      expect((await nurse.signIn('nurse@booking.test', 'a nurse password for booking')).status).toBe(200);
      const inbox = (await nurse.request('GET', '/console/api/intakes')).body.intakes as {
        id: string;
        patientName: string;
      }[];
      const intakeId = inbox.find((row) => row.patientName === 'Bao Tran')!.id;
      const detail = await nurse.request('GET', `/console/api/intakes/${intakeId}`);
      expect(detail.body.pendingAppointments).toEqual([
        expect.objectContaining({ id: appointment!.id, department: 'general_medicine' }),
      ]);
      // Someone else's appointment cannot be approved from this intake.
      const other = await nurse.request('POST', `/console/api/intakes/${intakeId}/approve-appointment`, {
        appointmentId: 'not-theirs',
      });
      expect(other.status).toBe(409);

      const before = fake.messages(bao.chatId).length;
      const approved = await nurse.request('POST', `/console/api/intakes/${intakeId}/approve-appointment`, {
        appointmentId: appointment!.id,
      });
      expect(approved.status).toBe(200);
      // The approval with its check-in code (a photo), then the menu: both, before anything is counted.
      const [photo, menu] = (await fake.waitForMessages(bao.chatId, before + 2)).slice(before);
      expect(photo?.method).toBe('sendPhoto');
      expect(String(photo?.body.caption)).toMatch(
        /^✅ A nurse has confirmed your appointment on .+ at 08:00\.\n\nCheck-in code for .+ at 08:00 \(General medicine\): .+\n\nCheck in: http:\/\/\S+\/checkin\/\S+$/,
      );
      const link = String(photo?.body.caption).split('Check in: ')[1]!.split('?')[0]!;
      expect(instance.frontdoor.checkInTokens.verify('checkin', link.split('/checkin/')[1]!)).toBe(
        appointment!.id,
      );
      expect(menu?.body.text).toBe('What would you like to do?');
      expect((await fhir.read<Appointment>('Appointment', appointment!.id!)).status).toBe('booked');
      const again = await nurse.request('POST', `/console/api/intakes/${intakeId}/approve-appointment`, {
        appointmentId: appointment!.id,
      });
      expect(again.status).toBe(409);
    },
  );
});

describe('booking when the hospital fails', () => {
  let fake: TelegramFake;
  let hospitalHost: TestInstance;
  let instance: TestInstance;

  const failures = {
    'a 500': { status: 500, severity: 'fatal', code: 'exception', text: 'HIS down' },
    'an OperationOutcome error': {
      status: 422,
      severity: 'error',
      code: 'business-rule',
      text: 'Doctor unavailable',
    },
  };
  let failure = failures['a 500'];
  // Stands between Frontdoor and the demo hospital, passing everything on except what fails.
  const proxy = new HttpFake(async (request) => {
    const path = request.path.replace(/^\/fhir/, '');
    if (request.method === 'POST' && path.startsWith('/Appointment')) {
      return {
        status: failure.status,
        body: {
          resourceType: 'OperationOutcome',
          issue: [{ severity: failure.severity, code: failure.code, details: { text: failure.text } }],
        },
      };
    }
    const response = await fetch(`${hospitalHost.frontdoor.url}/fhir/R4${path}`, {
      method: request.method,
      headers: {
        authorization: `Bearer ${hospitalHost.frontdoor.demoHospitalToken}`,
        'content-type': 'application/fhir+json',
        ...(request.headers['if-match'] ? { 'if-match': String(request.headers['if-match']) } : {}),
        ...(request.headers['if-none-exist']
          ? { 'if-none-exist': String(request.headers['if-none-exist']) }
          : {}),
      },
      body: request.method === 'GET' ? undefined : JSON.stringify(request.body),
    });
    return { status: response.status, body: (await response.json()) as unknown };
  });

  beforeAll(async () => {
    hospitalHost = await startTestInstance({ openHospital: true });
    await proxy.start();
    ({ fake, instance } = await startWithTelegram({
      HOSPITAL_FHIR_BASE_URL: `${proxy.url}/fhir`,
      CONSULTATION_FEES: '0',
    }));
  });
  afterAll(async () => {
    await instance?.stop();
    await proxy.stop();
    await hospitalHost?.stop();
    await fake?.stop();
  });

  it.each([
    ['a 500', 9303],
    ['an OperationOutcome error', 9304],
  ] as const)(
    'on %s: tells the patient kindly in their language and leaves nothing half-booked',
    { timeout: 120_000 },
    async (name, chat) => {
      failure = failures[name];
      const lan = new TelegramPatient(instance.frontdoor.url, fake, chat, 'vi');
      await lan.onboard('Lan Ho', '03/03/1993', `0912345${chat - 9000}`);
      const slotId = await lan.firstFreeSlot('dermatology');
      await lan.press(`booking.slot|${slotId}`, 2);
      const answer = await lan.press('booking.confirm|yes', 2);
      expect(answer).toBe(
        'Xin lỗi, hệ thống bệnh viện không phản hồi. Chưa có gì được đặt hay thay đổi; vui lòng thử lại sau vài phút.\n\nBạn muốn làm gì?',
      );
      const hospital = new FhirClient(`${hospitalHost.frontdoor.url}/fhir/R4`, {
        bearerToken: hospitalHost.frontdoor.demoHospitalToken,
      });
      expect((await hospital.read<Slot>('Slot', slotId)).status).toBe('free');
      expect(
        (await hospital.search<Appointment>('Appointment', { slot: `Slot/${slotId}` })).resources,
      ).toEqual([]);
    },
  );
});
