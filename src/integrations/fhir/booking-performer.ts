// Answers the conversation's booking questions against the hospital, one method each, and turns
// the outcome into the plain BookingResult the flow reads. A hospital failure becomes "failed" (the flow says so
// kindly); nothing is left half-booked because Hospital.book gives the slot back on failure.
import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import type {
  AppointmentView,
  BookingChoice,
  BookingResult,
  BookingService,
  CheckoutChoice,
  SlotQuery,
} from '../../domain/booking.ts';
import { addDays, zonedInstant } from '../../domain/time-zone.ts';
import type { Department } from '../../domain/triage.ts';
import type { ConversationAddress } from '../../conversation/message.ts';
import type { SlotHolds } from './slot-holds.ts';
import type { PaidBooker, PaidSlot, PaymentCheckout, PaymentRefunds } from '../../domain/paid-booking.ts';
import { FhirError } from './fhir-client.ts';
import {
  SlotTaken,
  type BookedAppointment,
  type DepartmentInfo,
  type Doctor,
  type Hospital,
} from './hospital.ts';

/** What booking needs to know of one of our patients to find or create them at the hospital. */
export type PatientLookup = (
  patientId: string,
) => Promise<{ id: string; fullName: string; birthDate: string; phone: string } | undefined>;

/** Departments and doctors change rarely; asking for them on every request would be waste. */
const DIRECTORY_TTL_MS = 5 * 60_000;
/** Times offered per message; the rest of the day is reached with "Later times". */
const SLOTS_PER_PAGE = 8;

export class BookingPerformer implements BookingService, PaidBooker {
  private directory?: {
    at: number;
    departments: Map<Department, { info: DepartmentInfo; doctors: Doctor[] }>;
  };

  private readonly holds: SlotHolds;
  private readonly checkouts: PaymentCheckout;
  private readonly refunds: PaymentRefunds;

  constructor(
    private readonly hospital: Hospital,
    private readonly patients: PatientLookup,
    private readonly timeZone: string,
    private readonly clock: Clock,
    private readonly logger: Logger,
    deps: {
      holds: SlotHolds;
      checkouts: PaymentCheckout;
      refunds: PaymentRefunds;
    },
  ) {
    this.holds = deps.holds;
    this.checkouts = deps.checkouts;
    this.refunds = deps.refunds;
  }

  /** One question to the hospital; its failures become answers the flow can say kindly. */
  private async answer(question: string, ask: () => Promise<BookingResult>): Promise<BookingResult> {
    try {
      return await ask();
    } catch (error) {
      if (error instanceof SlotTaken) return { kind: 'taken' };
      if (error instanceof FhirError) {
        this.logger.warn({ status: error.status, err: error, request: question }, 'hospital call failed');
        return { kind: 'failed' };
      }
      throw error;
    }
  }

  doctors(department: Department): Promise<BookingResult> {
    return this.answer('doctors', async () => {
      const { doctors } = await this.department(department);
      return {
        kind: 'doctors',
        doctors: doctors.map((doctor) => ({ scheduleId: doctor.scheduleId, names: doctor.names })),
      };
    });
  }

  slots(patientId: string, query: SlotQuery): Promise<BookingResult> {
    return this.answer('slots', async () => {
      const { doctors } = await this.department(query.department);
      const chosen = query.scheduleId ? doctors.filter((d) => d.scheduleId === query.scheduleId) : doctors;
      const now = new Date(this.clock.now());
      const dayStart = zonedInstant(query.day, 0, this.timeZone);
      const after = query.after ? new Date(new Date(query.after).getTime() + 1) : undefined;
      const from = [dayStart, now, ...(after ? [after] : [])].reduce((a, b) => (a > b ? a : b));
      // One more than a page is asked for, to know whether "Later times" leads anywhere.
      const slots = await this.hospital.freeSlots({
        department: query.department,
        doctors: chosen,
        from,
        to: zonedInstant(addDays(query.day, 1), 0, this.timeZone),
        count: SLOTS_PER_PAGE + 1,
      });
      const free = [];
      for (const slot of slots) if (!(await this.holds.heldByOther(slot.id, patientId))) free.push(slot);
      return {
        kind: 'slots',
        day: query.day,
        more: free.length > SLOTS_PER_PAGE,
        slots: free.slice(0, SLOTS_PER_PAGE).map((slot) => ({
          id: slot.id,
          start: slot.start.toISOString(),
          scheduleId: slot.doctor.scheduleId,
          doctor: slot.doctor.names,
        })),
      };
    });
  }

  hold(address: ConversationAddress, patientId: string, slotId: string): Promise<BookingResult> {
    return this.answer('hold', async () => {
      const held = await this.holds.hold(address, slotId, patientId);
      return held ? { kind: 'held', slotId } : { kind: 'taken' };
    });
  }

  book(_address: ConversationAddress, patientId: string, choice: BookingChoice): Promise<BookingResult> {
    return this.answer('book', async () => {
      if (await this.holds.heldByOther(choice.slotId, patientId)) return { kind: 'taken' };
      const appointment = await this.bookPaid(patientId, choice);
      return { kind: 'booked', appointment, ...(choice.replaces ? { replaces: choice.replaces } : {}) };
    });
  }

  checkout(address: ConversationAddress, patientId: string, choice: CheckoutChoice): Promise<BookingResult> {
    return this.answer('checkout', async () => {
      return this.checkouts.startCheckout(address, patientId, choice.locale, choice);
    });
  }

  appointments(patientId: string): Promise<BookingResult> {
    return this.answer('appointments', async () => {
      const hospitalPatientId = await this.hospitalPatient(patientId);
      const now = this.clock.now();
      const upcoming = (await this.hospital.appointments(hospitalPatientId)).filter(
        (appointment) => appointment.start.getTime() > now,
      );
      const views = await Promise.all(
        upcoming.map(async (appointment) => {
          const view = await this.view(appointment);
          const refund = await this.refunds.refundPreview(view.id);
          return refund ? { ...view, refundIfCancelled: refund } : view;
        }),
      );
      // Times held while a payment is pending are the patient's too: listed, marked as such.
      const awaiting = await this.checkouts.awaitingPayment(patientId);
      const held = awaiting.map((payment): AppointmentView => ({
        id: `payment:${payment.id}`,
        start: payment.start.toISOString(),
        department: payment.department as Department,
        status: 'awaitingPayment',
        ...(payment.url ? { payUrl: payment.url } : {}),
      }));
      return {
        kind: 'appointments',
        appointments: [...views, ...held].sort((a, b) => a.start.localeCompare(b.start)),
      };
    });
  }

  cancel(_patientId: string, appointmentId: string): Promise<BookingResult> {
    return this.answer('cancel', async () => {
      const cancelled = await this.hospital.cancel(appointmentId);
      const refund = await this.refunds.refundOnCancel(appointmentId, 'patient');
      return { kind: 'cancelled', appointment: await this.view(cancelled), ...(refund ? { refund } : {}) };
    });
  }

  async releaseHold(slotId: string, patientId: string): Promise<void> {
    await this.holds.release(slotId, patientId);
  }

  async reminderStart(appointmentId: string): Promise<string | undefined> {
    const appointment = await this.hospital.appointment(appointmentId);
    if (!appointment || (appointment.status !== 'booked' && appointment.status !== 'pending'))
      return undefined;
    if (appointment.start.getTime() <= this.clock.now()) return undefined;
    return appointment.start.toISOString();
  }

  async cancelAppointment(appointmentId: string): Promise<void> {
    await this.hospital.cancel(appointmentId);
  }

  /**
   * Books (or moves to) a slot at the hospital, idempotent on `bookingKey`; a moved appointment
   * keeps its payment. Its reminders are the conversation's to set (from the answer it gets).
   * Throws SlotTaken when the slot is gone.
   */
  async bookPaid(patientId: string, request: PaidSlot & { replaces?: string }): Promise<AppointmentView> {
    const hospitalPatientId = await this.hospitalPatient(patientId);
    const booking = {
      slotId: request.slotId,
      hospitalPatientId,
      bookingKey: request.bookingKey,
      department: request.department,
      status: request.pending ? ('pending' as const) : ('booked' as const),
    };
    const appointment = request.replaces
      ? await this.hospital.reschedule({ ...booking, appointmentId: request.replaces })
      : await this.hospital.book(booking);
    const view = await this.view(appointment);
    if (request.replaces) await this.refunds.moveAppointment(request.replaces, view);
    await this.holds.release(request.slotId, patientId);
    return view;
  }

  private async hospitalPatient(patientId: string): Promise<string> {
    const patient = await this.patients(patientId);
    if (!patient) throw new FhirError(0, 'the patient is not registered');
    return this.hospital.ensurePatient(patient);
  }

  private async view(appointment: BookedAppointment): Promise<AppointmentView> {
    const doctor = appointment.department
      ? (await this.department(appointment.department)).doctors.find(
          (d) => d.practitionerId === appointment.practitionerId,
        )
      : undefined;
    return {
      id: appointment.id,
      start: appointment.start.toISOString(),
      department: appointment.department,
      doctor: doctor?.names,
      status: appointment.status,
    };
  }

  private async department(code: Department): Promise<{ info: DepartmentInfo; doctors: Doctor[] }> {
    const now = this.clock.now();
    if (!this.directory || now - this.directory.at > DIRECTORY_TTL_MS) {
      const departments = new Map<Department, { info: DepartmentInfo; doctors: Doctor[] }>();
      for (const info of await this.hospital.departments()) {
        departments.set(info.code, { info, doctors: await this.hospital.doctors(info) });
      }
      this.directory = { at: now, departments };
    }
    const found = this.directory.departments.get(code);
    if (!found) throw new FhirError(404, `the hospital has no department ${code}`);
    return found;
  }
}
