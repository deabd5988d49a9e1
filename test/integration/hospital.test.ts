// The FHIR hospital client against the built-in demo hospital over real HTTP: seed data,
// slot search, booking, the race for one slot, cancel and reschedule with the FHIR Slot and
// Appointment states checked afterwards; and against a failing hospital fake.
import type { Appointment, Patient, Slot } from '@medplum/fhirtypes';
import { Operator } from '@medplum/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SystemEvent } from '../../src/conversation/flow.ts';
import { timerEventKey } from '../../src/conversation/timers.ts';
import { bookingEffects } from '../../src/features/booking/effects.ts';
import { reminderTimers } from '../../src/features/booking/reminders.ts';
import { LegacyReminders } from '../../src/integrations/fhir/appointment-reminders.ts';
import { BookingPerformer } from '../../src/integrations/fhir/booking-performer.ts';
import { DemoHospital } from '../../src/integrations/fhir/demo-hospital.ts';
import { FhirClient, FhirError } from '../../src/integrations/fhir/fhir-client.ts';
import { InProcessQueue } from '../../src/jobs/in-process-queue.ts';
import { SlotHolds } from '../../src/integrations/fhir/slot-holds.ts';
import { MemoryStore } from '../../src/storage/kv/memory-store.ts';
import { ManualClock } from '../../src/clock.ts';
import type { Hospital } from '../../src/integrations/fhir/hospital.ts';
import { SlotTaken, type DepartmentInfo, type Doctor } from '../../src/integrations/fhir/hospital.ts';
import { HttpFake } from '../support/fakes/http-fake.ts';
import {
  startTestInstance,
  testDatabase,
  usingRealServices,
  type TestInstance,
} from '../support/instance.ts';
import { databaseBackends, type TestDatabaseTarget } from '../support/database.ts';
import { openDatabase, type Database } from '../../src/storage/database.ts';
import { FieldCipher } from '../../src/security/field-cipher.ts';
import { TEST_FIELD_KEY } from '../support/instance.ts';

describe('the demo hospital over FHIR', () => {
  let instance: TestInstance;
  let fhir: FhirClient;
  let hospital: Hospital;
  let cardiology: DepartmentInfo;
  let doctors: Doctor[];
  let patientId: string;

  beforeAll(async () => {
    instance = await startTestInstance();
    fhir = new FhirClient(`${instance.frontdoor.url}/fhir/R4`, {
      bearerToken: instance.frontdoor.demoHospitalToken,
    });
    hospital = instance.frontdoor.hospital;
    cardiology = (await hospital.departments()).find((department) => department.code === 'cardiology')!;
    doctors = await hospital.doctors(cardiology);
    patientId = await hospital.ensurePatient({
      id: '0b0f6c5e-5d1c-4b7e-9a61-5e3c2f1d0a01',
      fullName: 'Lan Nguyen',
      birthDate: '1990-03-12',
      phone: '+84912345001',
    });
  });
  afterAll(async () => {
    await instance?.stop();
  });

  const slotsFrom = (days: number, count: number, only = doctors) =>
    hospital.freeSlots({
      department: 'cardiology',
      doctors: only,
      from: new Date(Date.now() + days * 86_400_000),
      to: new Date(Date.now() + (days + 7) * 86_400_000),
      count,
    });

  it('is seeded with departments, doctors with translated names, and 20-minute slots', async () => {
    const departments = await hospital.departments();
    expect(departments.length).toBeGreaterThanOrEqual(6);
    expect(cardiology.names).toMatchObject({ en: 'Cardiology', vi: 'Tim mạch', ja: '循環器内科' });
    const everyDoctor = (await Promise.all(departments.map((d) => hospital.doctors(d)))).flat();
    expect(everyDoctor.length).toBeGreaterThanOrEqual(12);
    expect(doctors[0]!.names).toMatchObject({
      en: 'Dr Lê Minh Châu',
      vi: 'BS. Lê Minh Châu',
      th: 'นพ. Lê Minh Châu',
    });
    const slots = await slotsFrom(1, 5);
    expect(slots).toHaveLength(5);
    for (const slot of slots) expect(slot.end.getTime() - slot.start.getTime()).toBe(20 * 60_000);
    expect(slots.map((slot) => slot.start.getTime())).toEqual(
      [...slots.map((slot) => slot.start.getTime())].sort(),
    );
    // Opening hours are in the hospital's time zone (Asia/Ho_Chi_Minh, UTC+7): 08:00 at the earliest.
    const localHours = slots.map((slot) => (slot.start.getUTCHours() + 7) % 24);
    expect(Math.min(...localHours)).toBeGreaterThanOrEqual(8);
  });

  it("finds the hospital's own record by phone and birth date, and creates a patient only once", async () => {
    const existing = await fhir.create<Patient>({
      resourceType: 'Patient',
      name: [{ text: 'Tran Van Ba' }],
      birthDate: '1970-07-07',
      telecom: [{ system: 'phone', value: '+84912345777' }],
    });
    const matched = await hospital.ensurePatient({
      id: '0b0f6c5e-5d1c-4b7e-9a61-5e3c2f1d0a77',
      fullName: 'Trần Văn Ba',
      birthDate: '1970-07-07',
      phone: '+84912345777',
    });
    expect(matched).toBe(existing.id);
    const again = await hospital.ensurePatient({
      id: '0b0f6c5e-5d1c-4b7e-9a61-5e3c2f1d0a01',
      fullName: 'Lan Nguyen',
      birthDate: '1990-03-12',
      phone: '+84912345001',
    });
    expect(again).toBe(patientId);
  });

  it('books a slot once, however often the same booking is retried', async () => {
    const [slot] = await slotsFrom(2, 1);
    const booking = {
      slotId: slot!.id,
      hospitalPatientId: patientId,
      bookingKey: 'b-1',
      department: 'cardiology' as const,
    };
    const first = await hospital.book(booking);
    const again = await hospital.book(booking);
    expect(again.id).toBe(first.id);
    expect((await fhir.read<Slot>('Slot', slot!.id)).status).toBe('busy');
    const stored = await fhir.read<Appointment>('Appointment', first.id);
    expect(stored).toMatchObject({ status: 'booked', slot: [{ reference: `Slot/${slot!.id}` }] });
    const participants = stored.participant.map((p) => p.actor?.reference ?? '');
    expect(participants).toContain(`Patient/${patientId}`);
    expect(participants.some((ref) => ref.startsWith('Practitioner/'))).toBe(true);

    expect(await hospital.appointments(patientId)).toContainEqual(expect.objectContaining({ id: first.id }));
  });

  it('gives a slot to exactly one of two patients confirming it at once', async () => {
    const [slot] = await slotsFrom(3, 1);
    const results = await Promise.allSettled(
      ['race-a', 'race-b'].map((bookingKey) =>
        hospital.book({
          slotId: slot!.id,
          hospitalPatientId: patientId,
          bookingKey,
          department: 'cardiology',
        }),
      ),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const failed = results.find((result) => result.status === 'rejected');
    expect(failed?.status === 'rejected' && failed.reason).toBeInstanceOf(SlotTaken);
    const booked = await fhir.search<Appointment>('Appointment', { slot: `Slot/${slot!.id}` });
    expect(booked.resources).toHaveLength(1);
  });

  it('cancels and reschedules, leaving the Slot and Appointment states right', async () => {
    const [first, second] = await slotsFrom(4, 2);
    const booked = await hospital.book({
      slotId: first!.id,
      hospitalPatientId: patientId,
      bookingKey: 'r-1',
      department: 'cardiology',
    });
    const moved = await hospital.reschedule({
      appointmentId: booked.id,
      slotId: second!.id,
      hospitalPatientId: patientId,
      bookingKey: 'r-2',
      department: 'cardiology',
    });
    expect((await fhir.read<Appointment>('Appointment', booked.id)).status).toBe('cancelled');
    expect((await fhir.read<Slot>('Slot', first!.id)).status).toBe('free');
    expect((await fhir.read<Slot>('Slot', second!.id)).status).toBe('busy');

    await hospital.cancel(moved.id);
    await hospital.cancel(moved.id);
    expect((await fhir.read<Appointment>('Appointment', moved.id)).status).toBe('cancelled');
    expect((await fhir.read<Slot>('Slot', second!.id)).status).toBe('free');
    expect((await hospital.appointments(patientId)).map((a) => a.id)).not.toContain(moved.id);
  });
});

// Only Frontdoor writes to its built-in hospital, so two instances share it by sharing the
// database (PGlite admits one process: this needs the real PostgreSQL).
describe.runIf(usingRealServices)('two Frontdoor instances booking at one hospital', () => {
  let database: TestDatabaseTarget;
  let a: TestInstance;
  let b: TestInstance;
  beforeAll(async () => {
    database = await testDatabase();
    a = await startTestInstance({ databaseUrl: database.url });
    // The first instance seeds the hospital; the second loads it.
    await a.frontdoor.hospital.departments();
    b = await startTestInstance({ databaseUrl: database.url });
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await database?.drop();
  });

  it('gives a slot to exactly one of two patients confirming it on different instances', async () => {
    const department = (await a.frontdoor.hospital.departments()).find((d) => d.code === 'dermatology')!;
    const doctors = await a.frontdoor.hospital.doctors(department);
    const [slot, next] = await b.frontdoor.hospital.freeSlots({
      department: 'dermatology',
      doctors,
      from: new Date(Date.now() + 86_400_000),
      to: new Date(Date.now() + 8 * 86_400_000),
      count: 2,
    });
    const patients = await Promise.all(
      [a, b].map((instance, index) =>
        instance.frontdoor.hospital.ensurePatient({
          id: `0b0f6c5e-5d1c-4b7e-9a61-5e3c2f1d0b0${index}`,
          fullName: `Patient ${index}`,
          birthDate: '1985-05-05',
          phone: `+8491234560${index}`,
        }),
      ),
    );
    const results = await Promise.allSettled(
      [a, b].map((instance, index) =>
        instance.frontdoor.hospital.book({
          slotId: slot!.id,
          hospitalPatientId: patients[index]!,
          bookingKey: `two-instances-${index}`,
          department: 'dermatology',
        }),
      ),
    );
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    const loser = results.find((result) => result.status === 'rejected');
    expect(loser?.status === 'rejected' && loser.reason).toBeInstanceOf(SlotTaken);
    // The one who lost is offered what is free now: the taken slot is not among it.
    const offered = await b.frontdoor.hospital.freeSlots({
      department: 'dermatology',
      doctors,
      from: new Date(Date.now() + 86_400_000),
      to: new Date(Date.now() + 8 * 86_400_000),
      count: 2,
    });
    expect(offered.map((s) => s.id)).not.toContain(slot!.id);
    expect(offered.map((s) => s.id)).toContain(next!.id);
  });
});

describe('appointment reminders against the demo hospital', () => {
  let instance: TestInstance;
  beforeAll(async () => {
    instance = await startTestInstance();
  });
  afterAll(async () => {
    await instance?.stop();
  });

  it('fires for a standing appointment and never for a cancelled one (injected clock)', async () => {
    const hospital = instance.frontdoor.hospital;
    const cardiology = (await hospital.departments()).find((d) => d.code === 'cardiology')!;
    const doctors = await hospital.doctors(cardiology);
    const [slot] = await hospital.freeSlots({
      department: 'cardiology',
      doctors,
      from: new Date(Date.now() + 2 * 86_400_000),
      to: new Date(Date.now() + 9 * 86_400_000),
      count: 1,
    });
    const patient = await hospital.ensurePatient({
      id: '0b0f6c5e-5d1c-4b7e-9a61-5e3c2f1d0a02',
      fullName: 'Minh Le',
      birthDate: '1980-01-01',
      phone: '+84912345002',
    });
    const booked = await hospital.book({
      slotId: slot!.id,
      hospitalPatientId: patient,
      bookingKey: 'rem-1',
      department: 'cardiology',
    });

    // The clock stands 24 hours before the appointment: the reminder is due. The reminder's
    // timer brings "booking.reminderDue"; its reaction's effect asks the hospital first.
    let now = booked.start.getTime() - 24 * 3_600_000;
    const notAsked = () => Promise.reject(new Error('a reminder asks only for the appointment'));
    const booking = new BookingPerformer(
      hospital,
      async () => undefined,
      'Asia/Ho_Chi_Minh',
      { now: () => now },
      instance.frontdoor.logger,
      {
        holds: instance.frontdoor.holds,
        checkouts: { startCheckout: notAsked, awaitingPayment: notAsked },
        refunds: { refundPreview: notAsked, refundOnCancel: notAsked, moveAppointment: notAsked },
      },
    );
    const checkReminder = bookingEffects(booking)['booking.checkReminder']!;
    const address = { channel: 'telegram' as const, channelUserId: '9401' };
    const reminded: SystemEvent[] = [];
    const context = {
      address,
      locale: 'en' as const,
      effectId: 'fx:reminder',
      decidedAt: Date.now(),
      notify: async (event: SystemEvent) => void reminded.push(event),
    };
    await checkReminder({ type: 'booking.checkReminder', appointmentId: booked.id, hours: 24 }, context);
    expect(reminded).toEqual([
      {
        kind: 'system',
        name: 'booking.reminder',
        data: { appointmentId: booked.id, start: booked.start.toISOString() },
      },
    ]);

    // A reminder job an older version set: handed to the conversation under the dedupe key of
    // the conversation's own timer for the same reminder, so the two count once.
    const handed: { event: SystemEvent; dedupeKey: string }[] = [];
    const jobs = new InProcessQueue(instance.frontdoor.logger);
    const legacy = new LegacyReminders(jobs, booking, {
      notify: async (_address, event, dedupeKey) => void handed.push({ event, dedupeKey }),
    });
    await legacy.due({ address, appointmentId: booked.id, hours: 24 });
    const [timer] = reminderTimers(
      { id: booked.id, start: booked.start.toISOString() },
      booked.start.getTime() - 48 * 3_600_000,
    );
    expect(timer?.type === 'schedule' && timerEventKey(address, timer.id, timer.at)).toBe(
      handed[0]?.dedupeKey,
    );
    expect(handed.map(({ event }) => event)).toEqual([
      { kind: 'system', name: 'booking.reminderDue', data: { appointmentId: booked.id, hours: 24 } },
    ]);

    await hospital.cancel(booked.id);
    now = booked.start.getTime() - 2 * 3_600_000;
    await checkReminder({ type: 'booking.checkReminder', appointmentId: booked.id, hours: 2 }, context);
    expect(reminded).toHaveLength(1);
    await legacy.due({ address, appointmentId: booked.id, hours: 2 });
    expect(handed).toHaveLength(1);
    await jobs.close();
  });
});

describe('the demo hospital over time', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openDatabase({ url: undefined, dataDir: undefined });
  });
  afterAll(async () => {
    await database?.close();
  });

  it('keeps 14 days bookable as the days go by', async () => {
    const start = new Date(Date.UTC(2026, 10, 24, 3, 0));
    const hospital = await DemoHospital.open({
      pool: database.pool,
      cipher: new FieldCipher(TEST_FIELD_KEY),
      timeZone: 'Asia/Ho_Chi_Minh',
      now: start,
      departmentNames: () => ({ en: 'Department' }),
    });
    const count = async (day: string, at = hospital) => {
      const from = new Date(`${day}T00:00:00+07:00`).toISOString();
      const to = new Date(`${day}T23:59:59+07:00`).toISOString();
      const result = await at.handle({
        method: 'GET',
        url: `/Slot?start=ge${from}&start=le${to}&_count=1000`,
        body: undefined,
        params: {},
        query: {},
      } as unknown as Parameters<DemoHospital['handle']>[0]);
      return ((result.body as { entry?: unknown[] }).entry ?? []).length;
    };
    // Seeded through 7 December (14 days from 24 November); nothing after yet.
    expect(await count('2026-12-07')).toBeGreaterThan(0);
    expect(await count('2026-12-09')).toBe(0);
    await hospital.topUp(new Date(start.getTime() + 2 * 86_400_000));
    expect(await count('2026-12-09')).toBe(18 * 20);
    // A second top-up the same day adds nothing twice.
    await hospital.topUp(new Date(start.getTime() + 2 * 86_400_000));
    expect(await count('2026-12-09')).toBe(18 * 20);

    // Opened again from the database a day later (a restart): not seeded again, and the top-up
    // goes on from the last day that has slots.
    const reopened = await DemoHospital.open({
      pool: database.pool,
      cipher: new FieldCipher(TEST_FIELD_KEY),
      timeZone: 'Asia/Ho_Chi_Minh',
      now: new Date(start.getTime() + 3 * 86_400_000),
      departmentNames: () => ({ en: 'Department' }),
    });
    expect(await count('2026-12-09', reopened)).toBe(18 * 20);
    expect(await count('2026-12-10', reopened)).toBe(18 * 20);
    const services = await reopened.repo.searchResources({ resourceType: 'HealthcareService' });
    expect(services).toHaveLength(9);
  });
});

describe('the demo hospital at rest (health data sealed with the field cipher)', () => {
  let database: Database;
  const cipher = new FieldCipher(TEST_FIELD_KEY);
  const open = () =>
    DemoHospital.open({
      pool: database.pool,
      cipher,
      timeZone: 'Asia/Ho_Chi_Minh',
      now: new Date(Date.UTC(2026, 10, 24, 3, 0)),
      departmentNames: () => ({ en: 'Department' }),
    });
  const lan: Patient = {
    resourceType: 'Patient',
    name: [{ text: 'Lan Nguyen Sealed' }],
    telecom: [{ system: 'phone', value: '+84912345777' }],
    birthDate: '1990-02-02',
  };
  const rawTable = async () =>
    (
      await database.pool.query<{ all: string }>(
        `SELECT string_agg("content"::text, ' ') AS "all" FROM "HospitalResource"`,
      )
    ).rows[0]!.all;

  beforeAll(async () => {
    database = await openDatabase({ url: undefined, dataDir: undefined });
  });
  afterAll(async () => {
    await database?.close();
  });

  it('stores no patient name, phone or birth date in clear, and finds the patient again after reopening', async () => {
    const hospital = await open();
    const created = await hospital.repo.createResource(lan);
    await hospital.repo.updateResource({ ...created, gender: 'female' });
    const raw = await rawTable();
    expect(raw).not.toContain('Lan Nguyen Sealed');
    expect(raw).not.toContain('912345777');
    expect(raw).not.toContain('1990-02-02');
    // Nor any seeded resource: every row is one sealed string.
    const { rows } = await database.pool.query<{ kinds: string[] }>(
      `SELECT array_agg(DISTINCT jsonb_typeof("content")) AS "kinds" FROM "HospitalResource"`,
    );
    expect(rows[0]!.kinds).toEqual(['string']);

    const reopened = await open();
    const found = await reopened.repo.searchResources<Patient>({
      resourceType: 'Patient',
      filters: [{ code: 'birthdate', operator: Operator.EQUALS, value: '1990-02-02' }],
    });
    expect(found.map((patient) => [patient.id, patient.gender])).toEqual([[created.id, 'female']]);
  });

  it('loads rows an older version stored in clear, and seals them in place', async () => {
    await open();
    await database.pool.query(
      `INSERT INTO "HospitalResource" ("resourceType", "id", "versionId", "content") VALUES ('Patient', 'old-plain', 'v-old', $1)`,
      [
        JSON.stringify({
          ...lan,
          id: 'old-plain',
          meta: { versionId: 'v-old' },
          name: [{ text: 'Old Plain Row' }],
        }),
      ],
    );
    expect(await rawTable()).toContain('Old Plain Row');
    const reopened = await open();
    const old = await reopened.repo.readResource<Patient>('Patient', 'old-plain');
    expect(old.name?.[0]?.text).toBe('Old Plain Row');
    expect(old.meta?.versionId).toBe('v-old');
    expect(await rawTable()).not.toContain('Old Plain Row');
    // Still readable after the seal (a later open reads the sealed form).
    const again = await open();
    expect((await again.repo.readResource<Patient>('Patient', 'old-plain')).name?.[0]?.text).toBe(
      'Old Plain Row',
    );
  });
});

describe('slot holds', () => {
  // The patient is told when the hold runs out by the booking flow's timer (booking-flow and
  // engine-effects tests); here, what the timer's release and a booking do to the hold.
  it('keeps a slot for one patient until it runs out or is booked, sparing a payment', async () => {
    const clock = new ManualClock();
    const kv = new MemoryStore(clock);
    const holds = new SlotHolds(kv, clock, 10 * 60_000);
    const address = { channel: 'web' as const, channelUserId: 'w-1' };

    expect(await holds.hold(address, 'slot-1', 'patient-a')).toBe(true);
    expect(await holds.hold(address, 'slot-1', 'patient-a')).toBe(true);
    expect(await holds.hold(address, 'slot-1', 'patient-b')).toBe(false);
    expect(await holds.heldByOther('slot-1', 'patient-b')).toBe(true);
    expect(await holds.heldByOther('slot-1', 'patient-a')).toBe(false);

    // Only the holder's own hold is let go when its time runs out.
    await holds.release('slot-1', 'patient-b');
    expect(await holds.heldByOther('slot-1', 'patient-b')).toBe(true);
    await holds.release('slot-1', 'patient-a');
    expect(await holds.heldByOther('slot-1', 'patient-b')).toBe(false);

    // A hold that became a payment's is not let go by the confirmation hold's timer.
    expect(await holds.hold(address, 'slot-2', 'patient-b')).toBe(true);
    expect(await holds.holdForPayment('slot-2', 'patient-b', 'pay-1', clock.now() + 60 * 60_000)).toBe(true);
    await holds.release('slot-2', 'patient-b');
    expect(await holds.heldByOther('slot-2', 'patient-a')).toBe(true);

    // Should the flow's timer never come, the hold still frees itself a minute after its time.
    expect(await holds.hold(address, 'slot-3', 'patient-a')).toBe(true);
    clock.advance(11 * 60_000);
    expect(await holds.heldByOther('slot-3', 'patient-b')).toBe(false);
    await kv.close();
  });
});

describe('a failing hospital', () => {
  // A slow hospital's answers wait until the fake stops: it never answers within any timeout.
  const unanswered: (() => void)[] = [];
  const fake = new HttpFake(async (request) => {
    if (request.path.startsWith('/fhir/Slot/broken')) {
      return {
        status: 422,
        body: {
          resourceType: 'OperationOutcome',
          issue: [{ severity: 'error', code: 'processing', details: { text: 'slot locked by HIS' } }],
        },
      };
    }
    if (request.path.startsWith('/fhir/Slot/slow')) {
      await new Promise<void>((resolve) => unanswered.push(resolve));
      return { status: 200, body: { resourceType: 'Slot' } };
    }
    return {
      status: 500,
      body: { resourceType: 'OperationOutcome', issue: [{ severity: 'fatal', code: 'exception' }] },
    };
  });
  beforeAll(async () => {
    await fake.start();
  });
  afterAll(async () => {
    for (const answer of unanswered.splice(0)) answer();
    await fake.stop();
  });

  it('maps an OperationOutcome to an error with its status and text, without retrying', async () => {
    const client = new FhirClient(`${fake.url}/fhir`, { retries: 2 });
    const before = fake.requests.length;
    const error = await client.read<Slot>('Slot', 'broken').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FhirError);
    expect(error).toMatchObject({ status: 422, message: 'hospital answered 422: slot locked by HIS' });
    expect(fake.requests.length - before).toBe(1);
  });

  it('retries a read on 500, then gives up', async () => {
    const client = new FhirClient(`${fake.url}/fhir`, { retries: 2 });
    const before = fake.requests.length;
    await expect(client.read<Slot>('Slot', 'x')).rejects.toMatchObject({ status: 500 });
    expect(fake.requests.length - before).toBe(3);
  });

  it('times out a hospital that does not answer', async () => {
    // The client's timeout is a real 100 ms (an AbortSignal on the request), not the fake's.
    const client = new FhirClient(`${fake.url}/fhir`, { retries: 0, timeoutMs: 100 });
    await expect(client.read<Slot>('Slot', 'slow')).rejects.toMatchObject({
      status: 0,
      message: 'hospital unreachable: no answer within 100 ms',
    });
  });
});

// Two instances sharing one database, both starting on an empty one (a fresh deployment
// scaled to two): the real PostgreSQL only, as the embedded database is one process's.
describe.skipIf(!databaseBackends.some((backend) => backend.name === 'postgres'))(
  'the demo hospital on one database shared by two instances',
  () => {
    let target: TestDatabaseTarget;
    const opened: Database[] = [];
    beforeAll(async () => {
      target = await databaseBackends.find((backend) => backend.name === 'postgres')!.create();
    });
    afterAll(async () => {
      for (const database of opened) await database.close();
      await target?.drop();
    });

    const open = async (database: Database) =>
      DemoHospital.open({
        pool: database.pool,
        cipher: new FieldCipher(TEST_FIELD_KEY),
        timeZone: 'Asia/Ho_Chi_Minh',
        now: new Date(Date.UTC(2026, 10, 24, 3, 0)),
        departmentNames: () => ({ en: 'Department' }),
      });

    let a: DemoHospital;
    let b: DemoHospital;

    it('is seeded once when two instances open an empty one at the same moment', async () => {
      for (let i = 0; i < 2; i++) opened.push(await openDatabase({ url: target.url, dataDir: undefined }));
      [a, b] = (await Promise.all(opened.map(open))) as [DemoHospital, DemoHospital];
      const stored = await opened[0]!.pool.query<{ type: string; count: string }>(
        `SELECT "resourceType" AS type, count(*)::text AS count FROM "HospitalResource" GROUP BY 1`,
      );
      const counts = Object.fromEntries(stored.rows.map((row) => [row.type, Number(row.count)]));
      expect(counts).toMatchObject({
        HealthcareService: 9,
        Practitioner: 18,
        PractitionerRole: 18,
        Schedule: 18,
      });
      // Both see that one set, slots included.
      for (const hospital of [a, b]) {
        expect(await hospital.repo.searchResources({ resourceType: 'HealthcareService' })).toHaveLength(9);
        expect((await hospital.repo.searchResources({ resourceType: 'Slot', count: 100_000 })).length).toBe(
          counts.Slot,
        );
      }
    });

    it('rolls on by a day once when both instances top up at the same moment', async () => {
      // Two days later, in Ho Chi Minh City: 9 December comes into the 14-day horizon.
      const later = new Date(Date.UTC(2026, 10, 26, 3, 0));
      await Promise.all([a.topUp(later), b.topUp(later)]);
      for (const hospital of [a, b]) {
        await hospital.repo.sync();
        const slots = await hospital.repo.searchResources<Slot>({ resourceType: 'Slot', count: 100_000 });
        // 18 doctors, 20 slots a day each: once, not twice.
        expect(slots.filter((slot) => slot.start.startsWith('2026-12-09')).length).toBe(18 * 20);
      }
    });

    it('picks up a change committed with a lower seq after a higher one was seen', async () => {
      let commit!: () => void;
      const committing = new Promise<void>((resolve) => (commit = resolve));
      let written!: () => void;
      const wasWritten = new Promise<void>((resolve) => (written = resolve));
      let late = '';
      // Instance a's write takes its seq first and commits last (a slow transaction).
      const slow = a.repo.exclusively(async () => {
        late = (await a.repo.createResource<Patient>({ resourceType: 'Patient', name: [{ text: 'Late' }] }))
          .id;
        written();
        await committing;
      });
      await wasWritten;
      // Instance b writes after it, so with a higher seq, and commits at once; b has seen it.
      const early = await b.repo.createResource<Patient>({
        resourceType: 'Patient',
        name: [{ text: 'Early' }],
      });
      await b.repo.sync();
      commit();
      await slow;
      await b.repo.sync();
      expect((await b.repo.readResource<Patient>('Patient', late)).name?.[0]?.text).toBe('Late');
      await a.repo.sync();
      expect((await a.repo.readResource<Patient>('Patient', early.id)).name?.[0]?.text).toBe('Early');
    });
  },
);
