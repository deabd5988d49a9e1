// The systems we do not own, wired together: the hospital over FHIR (or the built-in one),
// booking with its slot holds, and payments (Stripe, or the local test gateway), each given the
// others' ports in its constructor. Reminders and checkout timers are the conversations' own.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type Stripe from 'stripe';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { ConversationNotifier } from '../conversation/notifier.ts';
import { LegacyReminders } from '../integrations/fhir/appointment-reminders.ts';
import { BookingPerformer } from '../integrations/fhir/booking-performer.ts';
import { FhirClient } from '../integrations/fhir/fhir-client.ts';
import { Hospital } from '../integrations/fhir/hospital.ts';
import { SlotHolds } from '../integrations/fhir/slot-holds.ts';
import { Checkouts } from '../integrations/stripe/checkout.ts';
import { Payments, type PaymentMessenger } from '../integrations/stripe/payments.ts';
import { Refunds } from '../integrations/stripe/refunds.ts';
import { StripeGateway, stripeClient } from '../integrations/stripe/stripe-gateway.ts';
import { TestGateway } from '../integrations/stripe/test-gateway.ts';
import type { DurableTimers } from '../jobs/durable-timers.ts';
import type { Database } from '../storage/database.ts';
import type { KeyValueStore } from '../storage/kv/key-value-store.ts';

export interface IntegrationDeps {
  config: Config;
  database: Database;
  kv: KeyValueStore;
  timers: DurableTimers;
  clock: Clock;
  logger: Logger;
  /** This instance's own base URL once it listens (the built-in hospital's address). */
  selfUrl: () => string;
  /** Tells a conversation that something happened (called only once the engine runs). */
  conversations: ConversationNotifier;
}

export interface Integrations {
  hospital: Hospital;
  booking: BookingPerformer;
  /** Slot holds while a patient confirms or pays. */
  holds: SlotHolds;
  payments: Payments;
  /** The Stripe client with STRIPE_SECRET_KEY. */
  stripe?: Stripe;
  /** The local test-payment gateway without STRIPE_SECRET_KEY. */
  testGateway?: TestGateway;
  /** The bearer token Frontdoor's own client sends to the built-in hospital (none with HOSPITAL_FHIR_BASE_URL). */
  demoHospitalToken?: string;
}

export function wireIntegrations(deps: IntegrationDeps): Integrations {
  const { config, database, kv, timers, clock, logger } = deps;
  // Made afresh at every start and never shown: only this process writes to its hospital.
  const demoHospitalToken = config.HOSPITAL_FHIR_BASE_URL ? undefined : randomBytes(32).toString('base64url');
  const hospital = new Hospital(
    new FhirClient(config.HOSPITAL_FHIR_BASE_URL ?? (() => `${deps.selfUrl()}/fhir/R4`), {
      bearerToken: demoHospitalToken,
    }),
  );
  // Built in the order they need each other; the patient is told through the engine, which
  // exists by the time anything is told.
  const holds = new SlotHolds(kv, clock, config.BOOKING_HOLD_MINUTES * 60_000);

  const tellPatient: PaymentMessenger = (address, event, dedupeKey) =>
    deps.conversations.notify(address, event, dedupeKey);
  const stripe = config.STRIPE_SECRET_KEY
    ? stripeClient(config.STRIPE_SECRET_KEY, config.STRIPE_API_BASE_URL)
    : undefined;
  const testGateway = stripe
    ? undefined
    : new TestGateway(kv, clock, config.PUBLIC_BASE_URL, (notice): Promise<void> =>
        payments.accept(notice).then(() => undefined),
      );
  const gateway = stripe ? new StripeGateway(stripe) : testGateway!;
  const checkouts = new Checkouts(
    database.prisma,
    gateway,
    holds,
    {
      fees: config.CONSULTATION_FEES,
      holdMs: config.PAYMENT_HOLD_MINUTES * 60_000,
      publicBaseUrl: config.PUBLIC_BASE_URL,
    },
    clock,
    logger,
  );
  const refunds = new Refunds(database.prisma, gateway, config.REFUND_POLICY, clock, tellPatient);

  const booking = new BookingPerformer(
    hospital,
    async (patientId) => {
      const patient = await database.prisma.patient.findUnique({ where: { id: patientId } });
      if (!patient?.fullName || !patient.birthDate || !patient.phone) return undefined;
      return {
        id: patient.id,
        fullName: patient.fullName,
        birthDate: patient.birthDate,
        phone: patient.phone,
      };
    },
    config.HOSPITAL_TIME_ZONE,
    clock,
    logger,
    { holds, checkouts, refunds },
  );
  // Reminders an older version set before the conversations decided them.
  new LegacyReminders(timers, booking, deps.conversations);

  const payments = new Payments({
    prisma: database.prisma,
    gateway,
    jobs: timers,
    booker: booking,
    holds,
    refunds,
    clock,
    logger,
    tell: tellPatient,
  });

  return { hospital, booking, holds, payments, stripe, testGateway, demoHospitalToken };
}
