// Intake → booking in one LINE conversation (signed webhooks, the Messaging API fake), against
// the built-in demo hospital over FHIR.
import type { Appointment } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FhirClient } from '../../src/integrations/fhir/fhir-client.ts';
import type { LineFake } from '../support/fakes/line-fake.ts';
import { startWithLine, type TestInstance } from '../support/instance.ts';
import { LinePatient } from '../support/line-patient.ts';

describe('booking over LINE', () => {
  let fake: LineFake;
  let instance: TestInstance;
  let patient: LinePatient;

  beforeAll(async () => {
    ({ fake, instance } = await startWithLine({ CONSULTATION_FEES: '0' }, { openHospital: true }));
    patient = new LinePatient(instance.frontdoor.url, fake, 'U2000000000000000000000000000000b');
  });
  const tap = (data: string, answers = 1) => patient.tap(data, answers);
  const quickReplies = () => patient.quickReplies();
  afterAll(async () => {
    await instance?.stop();
    await fake?.stop();
  });

  it('completes an intake and books the suggested department', { timeout: 120_000 }, async () => {
    await patient.onboard('Somchai Jaidee', '15/04/1987', '0912345401');

    await tap('menu|symptoms');
    await tap('intake.complaint|skin');
    await tap('intake.onset|week');
    await tap('intake.severity|2');
    await tap('intake.redFlag|no');
    await tap('intake.redFlag|no');
    await tap('intake.temperature|unknown');
    expect(await tap('intake.describe|skip')).toMatch(/Suggested department: Dermatology\./);

    expect(await tap('menu|book')).toBe(
      'From your symptoms I suggest Dermatology.\n\nWhich department would you like to visit?',
    );
    expect(quickReplies()[0]).toMatchObject({ label: 'Dermatology', data: 'booking.department|dermatology' });
    await tap('booking.department|dermatology', 2);
    await tap('booking.doctor|any', 2);
    await patient.nextOpenDay();
    const slot = quickReplies()[0]!;
    expect(slot.label).toMatch(/^08:00 · Dr /);
    await tap(slot.data!, 2);
    // "One moment", then the check-in code's image, the confirmation with the code's words, the menu.
    await tap('booking.confirm|yes', 4);
    const [image, booked, menu] = fake.sends().at(-1)!.messages;
    expect(image).toMatchObject({
      type: 'image',
      originalContentUrl: expect.stringMatching(/\/checkin\/\S+\/qr\.png$/) as unknown,
    });
    expect(booked?.text).toMatch(
      /^✅ Your appointment is booked: .+ at 08:00 with Dr .+ \(Dermatology\)\.\n\nCheck-in code for /,
    );
    expect(menu?.text).toBe('What would you like to do?');

    const slotId = slot.data!.split('|')[1]!;
    const fhir = new FhirClient(`${instance.frontdoor.url}/fhir/R4`, {
      bearerToken: instance.frontdoor.demoHospitalToken,
    });
    const { resources } = await fhir.search<Appointment>('Appointment', { slot: `Slot/${slotId}` });
    expect(resources.map((appointment) => appointment.status)).toEqual(['booked']);
  });
});
