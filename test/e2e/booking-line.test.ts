// Intake → booking in one LINE conversation (signed webhooks, the Messaging API fake), against
// the built-in demo hospital over FHIR.
import type { Appointment } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FhirClient } from '../../src/integrations/fhir/fhir-client.ts';
import { line, lineSignature, type LineFake } from '../support/fakes/line-fake.ts';
import { startWithLine, type TestInstance } from '../support/instance.ts';

describe('booking over LINE', () => {
  let fake: LineFake;
  let instance: TestInstance;
  const user = 'U2000000000000000000000000000000b';

  beforeAll(async () => {
    ({ fake, instance } = await startWithLine({ CONSULTATION_FEES: '0' }));
  });
  afterAll(async () => {
    await instance?.stop();
    await fake?.stop();
  });

  /** Sends one event and waits for `answers` more texts; returns the last one. */
  async function act(event: object, answers = 1): Promise<string> {
    const before = fake.texts().length;
    const body = line.body([event]);
    const response = await fetch(`${instance.frontdoor.url}/webhooks/line`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'x-line-signature': lineSignature(body) },
      body,
    });
    expect(response.status).toBe(200);
    return (await fake.waitForTexts(before + answers)).at(-1) ?? '';
  }
  const say = (text: string, answers = 1) => act(line.text(user, text), answers);
  const tap = (data: string, answers = 1) => act(line.postback(user, data), answers);
  const quickReplies = () =>
    (fake.sends().at(-1)?.messages.at(-1)?.quickReply?.items ?? []).map((item) => item.action);

  it('completes an intake and books the suggested department', { timeout: 120_000 }, async () => {
    await act(line.follow(user));
    await tap('onboarding.consent|yes');
    await say('Somchai Jaidee');
    await say('15/04/1987');
    expect(await say('0912345401')).toContain('What would you like to do?');

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
    await tap('booking.slot|next', 2);
    const slot = quickReplies()[0]!;
    expect(slot.label).toMatch(/^08:00 · Dr /);
    await tap(slot.data!, 2);
    const booked = await tap('booking.confirm|yes', 2);
    expect(booked).toMatch(/^✅ Your appointment is booked: .+ at 08:00 with Dr .+ \(Dermatology\)\./);

    const slotId = slot.data!.split('|')[1]!;
    const fhir = new FhirClient(`${instance.frontdoor.url}/fhir/R4`);
    const { resources } = await fhir.search<Appointment>('Appointment', { slot: `Slot/${slotId}` });
    expect(resources.map((appointment) => appointment.status)).toEqual(['booked']);
  });
});
