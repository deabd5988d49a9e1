// Booking and payments are given each other's ports when they are built: leaving one out does
// not compile, and a slot someone else holds is reported as taken, never as held.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { DEFAULT_REFUND_POLICY } from '../../src/domain/payments.ts';
import { BookingPerformer } from '../../src/integrations/fhir/booking-performer.ts';
import { FhirClient } from '../../src/integrations/fhir/fhir-client.ts';
import { Hospital } from '../../src/integrations/fhir/hospital.ts';
import { SlotHolds } from '../../src/integrations/fhir/slot-holds.ts';
import { Checkouts } from '../../src/integrations/stripe/checkout.ts';
import { Payments } from '../../src/integrations/stripe/payments.ts';
import { Refunds } from '../../src/integrations/stripe/refunds.ts';
import { Settlement } from '../../src/integrations/stripe/settlement.ts';
import { TestGateway } from '../../src/integrations/stripe/test-gateway.ts';
import { InProcessQueue } from '../../src/jobs/in-process-queue.ts';
import { openDatabase, type Database } from '../../src/storage/database.ts';
import { MemoryStore } from '../../src/storage/kv/memory-store.ts';

const logger = pino({ level: 'silent' });
const address = { channel: 'web' as const, channelUserId: 'wiring-patient' };

describe('booking and payments wiring', () => {
  let database: Database;
  const clock = new ManualClock(Date.parse('2026-03-02T08:00:00Z'));
  const kv = new MemoryStore(clock);
  const jobs = new InProcessQueue(logger);
  const holds = new SlotHolds(kv, clock, 5 * 60_000);
  const gateway = new TestGateway(kv, clock, 'http://127.0.0.1:1', async () => undefined);
  const hospital = new Hospital(new FhirClient('http://127.0.0.1:1/fhir/R4'));
  let checkouts: Checkouts;
  let refunds: Refunds;
  let booking: BookingPerformer;

  beforeAll(async () => {
    database = await openDatabase({ url: undefined, dataDir: undefined });
    checkouts = new Checkouts(
      database.prisma,
      gateway,
      holds,
      {
        fees: { currency: 'EUR', byDepartment: {}, otherwise: 2_500 },
        holdMs: 30 * 60_000,
        publicBaseUrl: 'http://127.0.0.1:1',
      },
      clock,
      logger,
    );
    refunds = new Refunds(database.prisma, gateway, DEFAULT_REFUND_POLICY, clock, async () => undefined);
    booking = new BookingPerformer(hospital, async () => undefined, 'Europe/Paris', clock, logger, {
      holds,
      checkouts,
      refunds,
    });
  });
  afterAll(async () => {
    await jobs.close();
    await database?.close();
  });

  it('cannot be built without the ports it needs (checked by tsc)', () => {
    // Never called: these only have to fail to compile, which `npm run typecheck` checks.
    const withoutBooker = () =>
      // @ts-expect-error a Payments without a booker would take money for slots it cannot book
      new Payments({
        prisma: database.prisma,
        gateway,
        jobs,
        holds,
        refunds,
        clock,
        logger,
        tell: async () => undefined,
      });
    const withoutHolds = () =>
      // @ts-expect-error a Payments without holds would let a paid-for slot go to someone else
      new Payments({
        prisma: database.prisma,
        gateway,
        jobs,
        booker: booking,
        refunds,
        clock,
        logger,
        tell: async () => undefined,
      });
    const settlementWithoutBooker = () =>
      // @ts-expect-error settling a payment books the slot: no booker, no settlement
      new Settlement(database.prisma, holds, refunds, clock, async () => undefined);
    const bookingWithoutHolds = () =>
      // @ts-expect-error booking without holds would count every hold as held
      new BookingPerformer(hospital, async () => undefined, 'Europe/Paris', clock, logger, {
        checkouts,
        refunds,
      });
    const assignedAfterwards = (payments: Payments) => {
      // @ts-expect-error the booker is given once, in the constructor
      payments.booker = booking;
    };
    expect([
      withoutBooker,
      withoutHolds,
      settlementWithoutBooker,
      bookingWithoutHolds,
      assignedAfterwards,
    ]).toHaveLength(5);
  });

  it('reports a hold refused because another patient holds the slot as taken', async () => {
    expect(await holds.hold({ ...address, channelUserId: 'someone-else' }, 'slot-1', 'other-patient')).toBe(
      true,
    );
    expect(await booking.hold(address, 'this-patient', 'slot-1')).toEqual({
      kind: 'taken',
    });
    expect(await booking.hold(address, 'this-patient', 'slot-2')).toEqual({
      kind: 'held',
      slotId: 'slot-2',
    });
  });

  it('opens no checkout for a slot someone else holds, and tells the patient it is taken', async () => {
    const patient = await database.prisma.patient.create({ data: { locale: 'en' } });
    expect(await holds.hold({ ...address, channelUserId: 'someone-else' }, 'slot-3', 'other-patient')).toBe(
      true,
    );
    const result = await checkouts.startCheckout(address, patient.id, 'en', {
      slotId: 'slot-3',
      start: '2026-03-03T09:00:00Z',
      department: 'general_medicine',
      pending: false,
    });
    expect(result).toEqual({ kind: 'taken' });
    const payments = await database.prisma.payment.findMany({ where: { patientId: patient.id } });
    expect(payments.map((payment) => [payment.status, payment.checkoutSessionId])).toEqual([
      ['expired', null],
    ]);
    expect(await kv.get('hold:{slot:slot-3}')).toBe('other-patient');
  });
});
