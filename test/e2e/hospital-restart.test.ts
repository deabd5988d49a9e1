// Issue 14, "bookings lost on restart": on the embedded default the built-in hospital's
// appointments, slots and patients are in the database, so after a restart (same DATA_DIR) a
// paid appointment can still be cancelled and refunded from the console, and a booking waiting
// for review can still be approved. The hospital is seeded once, not again on restart. Its
// table holds the patients' names, phones and birth dates sealed, never in clear.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Appointment, HealthcareService, Slot } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSENT_TEXT_VERSION, flowRegistry } from '../../src/features/index.ts';
import { loadConfig } from '../../src/config.ts';
import { FhirClient } from '../../src/integrations/fhir/fhir-client.ts';
import { createLogger } from '../../src/logging.ts';
import { startFrontdoor, type Frontdoor } from '../../src/runtime.ts';
import { StaffAccounts } from '../../src/security/staff-accounts.ts';
import { ConsoleClient } from '../support/console-client.ts';
import { FAKE_BOT_TOKEN, TelegramFake } from '../support/fakes/telegram-fake.ts';
import { TEST_FIELD_KEY, TEST_PER_CHAT_INTERVAL_MS, openDemoHospital } from '../support/instance.ts';
import { calmAnswers, SKIP_DESCRIBE } from '../support/journeys.ts';
import { TELEGRAM_SECRET, TelegramPatient } from '../support/telegram-patient.ts';

describe('the built-in hospital across a restart (embedded default, same DATA_DIR)', () => {
  let dataDir: string;
  let fake: TelegramFake;
  let frontdoor: Frontdoor | undefined;

  /** Starts Frontdoor as `npm start` would with no DATABASE_URL: PGlite under DATA_DIR. */
  async function start(): Promise<Frontdoor> {
    const config = loadConfig({
      DATA_DIR: dataDir,
      SESSION_SECRET: 'test-session-secret-0123456789abcdef',
      FIELD_ENCRYPTION_KEY: TEST_FIELD_KEY,
      TELEGRAM_BOT_TOKEN: FAKE_BOT_TOKEN,
      TELEGRAM_API_ROOT: fake.url,
      TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
      HOSPITAL_CURRENCY: 'VND',
      CONSULTATION_FEES: 'neurology=350000,*=0',
      LOG_LEVEL: 'info',
    });
    return startFrontdoor(config, {
      flows: flowRegistry,
      consentVersion: CONSENT_TEXT_VERSION,
      logger: createLogger('info', new Writable({ write: (_chunk, _encoding, done) => done() })),
      port: 0,
      perChatIntervalMs: TEST_PER_CHAT_INTERVAL_MS,
    });
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'frontdoor-restart-'));
    fake = await new TelegramFake().start();
  });
  afterAll(async () => {
    await frontdoor?.close();
    await fake?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const fhirOf = (instance: Frontdoor) =>
    new FhirClient(`${instance.url}/fhir/R4`, { bearerToken: instance.demoHospitalToken });
  const waitFor = async <T>(read: () => Promise<T>, ok: (value: T) => boolean) => {
    let last: T | undefined;
    await expect.poll(async () => (last = await read()), { timeout: 15_000 }).toSatisfy(ok);
    return last as T;
  };

  it(
    'keeps the paid appointment cancellable and refundable and the pending one approvable, without seeding again',
    { timeout: 240_000 },
    async () => {
      frontdoor = await start();
      const first = frontdoor;
      // Seeded here rather than inside the first booking answer's wait (seconds on a busy machine).
      await openDemoHospital(first);

      // A paid booking in Neurology, through the local test-payment page.
      const lan = new TelegramPatient(first.url, fake, 9701);
      await lan.onboard('Lan Nguyen', '02/02/1990', '0912345701');
      await lan.intake('headache', [...calmAnswers('days', '3'), SKIP_DESCRIBE]);
      const paidSlot = await lan.firstFreeSlot('neurology');
      await lan.press(`booking.slot|${paidSlot}`, 2);
      await lan.press('booking.confirm|yes', 3);
      // PUBLIC_BASE_URL is http://localhost, which Telegram takes in the text, not as a button.
      const sessionId = fake
        .messages(lan.chatId)
        .map((message) => /\/pay\/test\/(cs_test_local_\w+)/.exec(String(message.body.text))?.[1])
        .findLast(Boolean)!;
      const paid = await fetch(`${first.url}/pay/test/${sessionId}/pay`, {
        method: 'POST',
        redirect: 'manual',
      });
      expect(paid.status).toBe(303);
      const payment = await waitFor(
        () => first.database.prisma.payment.findFirstOrThrow({ where: { checkoutSessionId: sessionId } }),
        (row) => row.status === 'paid',
      );

      // A booking triage holds for a nurse's review (fever, severity 4).
      const bao = new TelegramPatient(first.url, fake, 9702);
      await bao.onboard('Bao Tran', '20/10/1988', '0912345702');
      await bao.intake('fever', [...calmAnswers('days', '4'), { text: '38.6' }, SKIP_DESCRIBE]);
      const pendingSlot = await bao.firstFreeSlot('general_medicine');
      await bao.press(`booking.slot|${pendingSlot}`, 2);
      expect(await bao.press('booking.confirm|yes', 2)).toMatch(/A nurse will review your answers/);
      const [pending] = (
        await fhirOf(first).search<Appointment>('Appointment', { slot: `Slot/${pendingSlot}` })
      ).resources;
      expect(pending?.status).toBe('pending');
      const departmentsBefore = (await fhirOf(first).search<HealthcareService>('HealthcareService', {}))
        .resources;

      // Health data at rest: the hospital's table holds the patients sealed, not in clear.
      const stored = (
        await first.database.pool.query<{ all: string }>(
          `SELECT string_agg("content"::text, ' ') AS "all" FROM "HospitalResource"`,
        )
      ).rows[0]!.all;
      for (const clear of ['Lan Nguyen', 'Bao Tran', '912345701', '912345702', '1990-02-02', '1988-10-20'])
        expect(stored).not.toContain(clear);

      await first.close();
      frontdoor = undefined;
      frontdoor = await start();
      const second = frontdoor;
      const fhir = fhirOf(second);

      // The hospital's own records are where they were, with the same versions.
      const appointment = await fhir.read<Appointment>('Appointment', payment.appointmentId!);
      expect(appointment.status).toBe('booked');
      expect((await fhir.read<Slot>('Slot', paidSlot)).status).toBe('busy');
      const stillPending = await fhir.read<Appointment>('Appointment', pending!.id!);
      expect(stillPending).toMatchObject({
        status: 'pending',
        meta: { versionId: pending!.meta!.versionId },
      });
      // Seeded once: the same nine departments, not eighteen.
      const departmentsAfter = (await fhir.search<HealthcareService>('HealthcareService', {})).resources;
      expect(departmentsAfter.map((d) => d.id).sort()).toEqual(departmentsBefore.map((d) => d.id).sort());

      const accounts = new StaffAccounts(second.database.prisma, { maxFailures: 5, lockoutMs: 60_000 });
      const password = 'a long staff password here';
      await accounts.upsert({ email: 'ops@restart.test', roles: ['operator'], password });
      await accounts.upsert({ email: 'nurse@restart.test', roles: ['nurse'], password });

      // The operator cancels the paid appointment and refunds it.
      const operator = new ConsoleClient(second.url);
      expect((await operator.signIn('ops@restart.test', password)).status).toBe(200);
      const listed = (await operator.request('GET', '/console/api/payments')).body.payments as {
        id: string;
        status: string;
      }[];
      expect(listed).toContainEqual(expect.objectContaining({ id: payment.id, status: 'paid' }));
      const cancelled = await operator.request(
        'POST',
        `/console/api/payments/${payment.id}/cancel-appointment`,
        {
          reason: 'Doctor ill',
        },
      );
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.payment).toMatchObject({ status: 'cancelled', refunded: '₫350,000' });
      expect((await fhir.read<Appointment>('Appointment', appointment.id!)).status).toBe('cancelled');
      expect((await fhir.read<Slot>('Slot', paidSlot)).status).toBe('free');

      // The nurse still sees the booking waiting for her and approves it.
      const nurse = new ConsoleClient(second.url);
      expect((await nurse.signIn('nurse@restart.test', password)).status).toBe(200);
      const inbox = (await nurse.request('GET', '/console/api/intakes')).body.intakes as {
        id: string;
        patientName: string;
      }[];
      const intakeId = inbox.find((row) => row.patientName === 'Bao Tran')!.id;
      const detail = await nurse.request('GET', `/console/api/intakes/${intakeId}`);
      expect(detail.body.pendingAppointments).toEqual([expect.objectContaining({ id: pending!.id })]);
      const approved = await nurse.request('POST', `/console/api/intakes/${intakeId}/approve-appointment`, {
        appointmentId: pending!.id,
      });
      expect(approved.status).toBe(200);
      expect((await fhir.read<Appointment>('Appointment', pending!.id!)).status).toBe('booked');
    },
  );
});
