// Check-in at the built-in hospital (the Appointment becomes `arrived`, an Encounter opens, the
// window is kept) and the hospital API's queues behind API keys: 401/403, 404 for an unknown
// department, call-next audited, and no patient name, phone or birth date in what it answers.
import type { Appointment, Encounter } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import type { FhirClient } from '../../src/integrations/fhir/fhir-client.ts';
import { CHECKIN_SYSTEM } from '../../src/integrations/fhir/identifier-systems.ts';
import { ApiKeys } from '../../src/security/api-keys.ts';
import { demoHospital } from '../support/hospital.ts';
import { startTestInstance, type TestInstance } from '../support/instance.ts';

const PATIENT = { fullName: 'Trần Thị Queuetest', birthDate: '1971-04-09', phone: '+84912345678' };

describe('check-in and the hospital API for queues', () => {
  let instance: TestInstance;
  let fhir: FhirClient;
  let clock: ManualClock;
  let patientId: string;
  const address = { channel: 'web', channelUserId: 'queue-api-patient' };
  let appointments: { id: string; start: Date }[];
  let queuesKey: string;
  let fhirKey: string;

  beforeAll(async () => {
    clock = new ManualClock(Date.parse('2026-12-07T01:00:00Z'));
    instance = await startTestInstance({ clock, redis: false, openHospital: true });
    const { frontdoor } = instance;
    fhir = demoHospital(frontdoor);
    const patient = await frontdoor.database.prisma.patient.create({
      data: { ...PATIENT, identities: { create: address } },
    });
    patientId = patient.id;
    const hospitalPatientId = await frontdoor.hospital.ensurePatient({ id: patient.id, ...PATIENT });
    const cardiology = (await frontdoor.hospital.departments()).find((d) => d.code === 'cardiology')!;
    const doctors = await frontdoor.hospital.doctors(cardiology);
    const slots = await frontdoor.hospital.freeSlots({
      department: 'cardiology',
      doctors,
      from: new Date(clock.now()),
      to: new Date(clock.now() + 14 * 86_400_000),
      count: 40,
    });
    // Two appointments the same day, hours apart.
    const first = slots[0]!;
    const later = slots.find((slot) => slot.start.getTime() - first.start.getTime() >= 3 * 3_600_000)!;
    appointments = [];
    for (const [n, slot] of [first, later].entries()) {
      const booked = await frontdoor.hospital.book({
        slotId: slot.id,
        hospitalPatientId,
        bookingKey: `queue-api-${n}`,
        department: 'cardiology',
      });
      appointments.push({ id: booked.id, start: booked.start });
    }
    const keys = new ApiKeys(frontdoor.database.prisma, clock);
    queuesKey = (await keys.add('kiosk', ['queues']))!;
    fhirKey = (await keys.add('his-reader', ['fhir']))!;
  });
  afterAll(async () => {
    await instance?.stop();
  });

  it('checks in within the window: the Appointment is arrived, an Encounter opens, once', async () => {
    const { queue } = instance.frontdoor;
    const [appointment, later] = appointments as [{ id: string; start: Date }, { id: string; start: Date }];
    clock.advance(appointment.start.getTime() - 90 * 60_000 - clock.now());
    const early = await queue.checkIn({ appointmentId: appointment.id, address, patientId, locale: 'vi' });
    expect(early).toEqual({
      refused: { reason: 'too_early', opensAt: appointment.start.getTime() - 60 * 60_000 },
    });
    expect((await fhir.read<Appointment>('Appointment', appointment.id)).status).toBe('booked');

    clock.advance(40 * 60_000);
    const result = await queue.checkIn({ appointmentId: appointment.id, address, patientId, locale: 'vi' });
    expect(result).toMatchObject({
      ticket: { label: 'B-001', department: 'cardiology', status: 'waiting', ahead: 0 },
    });
    expect((await fhir.read<Appointment>('Appointment', appointment.id)).status).toBe('arrived');
    const encounters = await fhir.search<Encounter>('Encounter', {
      identifier: `${CHECKIN_SYSTEM}|${appointment.id}`,
    });
    expect(encounters.resources).toHaveLength(1);
    expect(encounters.resources[0]).toMatchObject({
      status: 'arrived',
      appointment: [{ reference: `Appointment/${appointment.id}` }],
    });

    // Scanning the QR again (no address: the desk finds the chat) returns the same ticket.
    const again = await queue.checkIn({ appointmentId: appointment.id, patientId, locale: 'vi' });
    expect(again).toEqual(result);
    expect(
      (await fhir.search<Encounter>('Encounter', { identifier: `${CHECKIN_SYSTEM}|${appointment.id}` }))
        .resources,
    ).toHaveLength(1);
    expect(await queue.ticketOf(address)).toMatchObject({ label: 'B-001' });

    // The later appointment is too late once its window closed; an unknown one is refused.
    clock.advance(later.start.getTime() + 16 * 60_000 - clock.now());
    expect(await queue.checkIn({ appointmentId: later.id, address, patientId, locale: 'vi' })).toEqual({
      refused: { reason: 'too_late', closedAt: later.start.getTime() + 15 * 60_000 },
    });
    expect(await queue.checkIn({ appointmentId: 'no-such-appointment', address, locale: 'vi' })).toEqual({
      refused: { reason: 'no_appointment' },
    });

    // The check-in link opens the appointment until the end of its day, and only it.
    const tokens = instance.frontdoor.checkInTokens;
    const url = tokens.checkInUrl(appointment.id, appointment.start.getTime());
    const token = url.split('/checkin/')[1]!;
    expect(tokens.verify('checkin', token)).toBe(appointment.id);
    expect(tokens.verify('ticket', token)).toBeUndefined();
    expect(tokens.verify('checkin', `${token.slice(0, -2)}xx`)).toBeUndefined();
  });

  it('serves the board and call-next to keys with the queues scope, without personal data', async () => {
    const { url, database } = instance.frontdoor;
    const get = (path: string, key?: string) =>
      fetch(`${url}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
    const post = (path: string, body: unknown, key?: string) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify(body),
      });

    expect((await get('/api/v1/queues/cardiology')).status).toBe(401);
    expect((await get('/api/v1/queues/cardiology', 'fdk_not-a-key')).status).toBe(401);
    const forbidden = await get('/api/v1/queues/cardiology', fhirKey);
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toMatchObject({ error: 'forbidden' });
    expect((await get('/api/v1/queues/astrology', queuesKey)).status).toBe(404);
    expect((await post('/api/v1/queues/cardiology/call-next', { room: '4' }, fhirKey)).status).toBe(403);
    expect((await post('/api/v1/queues/cardiology/call-next', { hall: '4' }, queuesKey)).status).toBe(400);
    // One room rule with the console's: blank, invisible and overlong names are refused.
    for (const room of ['   ', '\u200b', 'x'.repeat(13)]) {
      const refused = await post('/api/v1/queues/cardiology/call-next', { room }, queuesKey);
      expect(refused.status, JSON.stringify(room)).toBe(400);
      expect(await refused.json()).toMatchObject({ error: 'invalid_room' });
    }

    const board = await get('/api/v1/queues/cardiology', queuesKey);
    expect(board.status).toBe(200);
    const boardText = await board.text();
    expect(JSON.parse(boardText)).toMatchObject({
      department: 'cardiology',
      waiting: [{ label: 'B-001', kind: 'appointment' }],
      calling: [],
    });

    const called = await post('/api/v1/queues/cardiology/call-next', { room: '4' }, queuesKey);
    expect(called.status).toBe(200);
    const calledText = await called.text();
    expect(JSON.parse(calledText)).toMatchObject({ called: { label: 'B-001', status: 'called', room: '4' } });
    const after = await (await get('/api/v1/queues/cardiology', queuesKey)).text();
    expect(JSON.parse(after)).toMatchObject({ calling: [{ label: 'B-001', room: '4' }], waiting: [] });
    expect(
      JSON.parse(await (await post('/api/v1/queues/cardiology/call-next', { room: '4' }, queuesKey)).text()),
    ).toEqual({
      called: null,
    });

    for (const text of [boardText, calledText, after])
      for (const value of [
        PATIENT.fullName,
        'Queuetest',
        PATIENT.phone,
        '912345678',
        PATIENT.birthDate,
        patientId,
        address.channelUserId,
      ])
        expect(text).not.toContain(value);

    const audit = await database.prisma.auditEntry.findMany({ where: { action: 'queue.call-next' } });
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatchObject({ subjectType: 'queue', subjectId: 'cardiology' });
    expect(audit[0]!.actorLabel).toMatch(/^api-key:/);

    // "Your turn" was pushed on the web channel and counted, for /metrics.
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/frontdoor_channel_pushes_month\{channel="web"\} 1/);

    // In the database, the ticket's chat address is encrypted.
    const row = await database.prisma.queueTicket.findFirstOrThrow({ where: { label: 'B-001' } });
    expect(row.address).not.toContain(address.channelUserId);
  });
});
