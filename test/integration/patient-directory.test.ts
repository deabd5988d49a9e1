// The patient register keeps the identity a clinical record was taken under: a chat that
// registers again with another name or birth date becomes another patient (the earlier one and
// its intakes untouched); the same person with a new phone number is updated in place.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identification } from '../../src/domain/patients.ts';
import { openDatabase, type Database } from '../../src/storage/database.ts';
import { PrismaPatientDirectory } from '../../src/storage/prisma-patient-directory.ts';

describe('PrismaPatientDirectory.identify when a chat registers again', () => {
  let database: Database;
  let directory: PrismaPatientDirectory;
  beforeAll(async () => {
    database = await openDatabase({ url: undefined, dataDir: undefined });
    directory = new PrismaPatientDirectory(database.prisma, database.pool);
  });
  afterAll(async () => {
    await database?.close();
  });

  const lan: Identification = {
    fullName: 'Lan Nguyen',
    birthDate: '1990-02-02',
    phone: '+84912345701',
    country: 'VN',
    locale: 'en',
  };
  const consent = (granted: boolean) => ({
    purpose: 'health-data',
    textVersion: 'test',
    granted,
    locale: 'en' as const,
  });

  /** A registered patient with one intake, as the chat leaves it before "withdraw consent". */
  async function registeredWithIntake(channelUserId: string, phone: string) {
    const address = { channel: 'web' as const, channelUserId };
    await directory.recordConsent(address, consent(true));
    const { patientId } = await directory.identify(address, { ...lan, phone });
    await database.prisma.intake.create({
      data: {
        sourceKey: `intake-${channelUserId}`,
        patientId,
        ...address,
        locale: 'en',
        content: 'sealed',
        rulesVersion: 'test',
        triageAcuity: 4,
        acuity: 4,
        department: 'neurology',
        reviewRequired: false,
        bookingUrgency: 'routine',
      },
    });
    // Withdraws, starts again and agrees.
    await directory.recordConsent(address, consent(false));
    await directory.recordConsent(address, consent(true));
    return { address, patientId };
  }

  it('makes a new patient for another name or birth date, leaving the earlier patient and its intake as they were', async () => {
    const { address, patientId: first } = await registeredWithIntake('w-reregister-1', '+84912345701');

    const second = await directory.identify(address, {
      ...lan,
      fullName: 'Minh Tran',
      birthDate: '1975-07-07',
      phone: '+84912345799',
    });

    expect(second.returning).toBe(false);
    expect(second.patientId).not.toBe(first);
    const earlier = await database.prisma.patient.findUniqueOrThrow({
      where: { id: first },
      include: { intakes: true },
    });
    expect(earlier).toMatchObject({ fullName: 'Lan Nguyen', birthDate: '1990-02-02', phone: '+84912345701' });
    expect(earlier.intakes).toHaveLength(1);
    // The chat now speaks for the new patient, who has the consent just given; the earlier
    // patient's last decision is their withdrawal.
    expect(await directory.findByChannel(address)).toMatchObject({
      id: second.patientId,
      displayName: 'Minh Tran',
      birthDate: '1975-07-07',
      consented: true,
      profileComplete: true,
    });
    const lastOf = (patientId: string) =>
      database.prisma.consent.findFirstOrThrow({ where: { patientId }, orderBy: { decidedAt: 'desc' } });
    expect((await lastOf(first)).granted).toBe(false);
    expect((await lastOf(second.patientId)).granted).toBe(true);
  });

  it('keeps the same patient for the same name and birth date, and updates only the phone', async () => {
    const { address, patientId: first } = await registeredWithIntake('w-reregister-2', '+84912345711');

    const again = await directory.identify(address, {
      ...lan,
      fullName: 'lan  nguyen',
      phone: '+84912345702',
    });

    expect(again.patientId).toBe(first);
    const patient = await database.prisma.patient.findUniqueOrThrow({
      where: { id: first },
      include: { intakes: true },
    });
    // The name as first registered stays (it is on the intake): only the number is new.
    expect(patient).toMatchObject({ fullName: 'Lan Nguyen', birthDate: '1990-02-02', phone: '+84912345702' });
    expect(patient.intakes).toHaveLength(1);
  });

  it('keeps the decision made last standing, even when an earlier one is recorded after it (a retried job)', async () => {
    const address = { channel: 'web' as const, channelUserId: 'out-of-order' };
    const decided = Date.UTC(2026, 11, 4, 9, 0);
    const decision = (granted: boolean, at: number) => ({
      purpose: 'health-data',
      textVersion: 'test',
      granted,
      locale: 'en' as const,
      decidedAt: at,
    });
    // Agreed at 9:00, withdrew at 9:01; the withdrawal's job ran first.
    await directory.recordConsent(address, decision(false, decided + 60_000));
    await directory.recordConsent(address, decision(true, decided));
    expect((await directory.findByChannel(address))?.consented).toBe(false);
  });
});
