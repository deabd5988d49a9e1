// The hospital as booking needs it, over FHIR R4: departments (HealthcareService), doctors
// (PractitionerRole/Practitioner via Schedule), free slots, patients, appointments. Booking
// takes the slot with an If-Match update, so of two patients confirming the same slot exactly
// one wins, on any number of instances; every create is conditional on an identifier, so a
// retried call never books twice; a failure half-way gives the slot back.
import type {
  Appointment,
  Encounter,
  Extension,
  HealthcareService,
  Patient,
  Practitioner,
  Schedule,
  Slot,
} from '@medplum/fhirtypes';
import type { Department } from '../../domain/triage.ts';
import type { Names } from '../../domain/booking.ts';
import { SlotTaken } from '../../domain/paid-booking.ts';
import { isLocale } from '../../i18n/locales.ts';
import { appointmentsOn, type DayAppointment, type DayAppointmentsQuery } from './appointments-on.ts';
import { FhirError, type FhirClient } from './fhir-client.ts';
import { BOOKING_SYSTEM, CHECKIN_SYSTEM, DEPARTMENT_SYSTEM, PATIENT_SYSTEM } from './identifier-systems.ts';

const TRANSLATION = 'http://hl7.org/fhir/StructureDefinition/translation';

export interface DepartmentInfo {
  id: string;
  code: Department;
  names: Names;
}

export interface Doctor {
  practitionerId: string;
  scheduleId: string;
  names: Names;
}

export interface FreeSlot {
  id: string;
  start: Date;
  end: Date;
  doctor: Doctor;
}

export interface BookedAppointment {
  id: string;
  slotId: string;
  start: Date;
  end: Date;
  status: Appointment['status'];
  department?: Department;
  practitionerId?: string;
  /** The doctor's name as the hospital shows it. */
  doctorDisplay?: string;
}

export interface Booking {
  slotId: string;
  hospitalPatientId: string;
  /** Identifies this booking: booking again with the same key returns the same appointment. */
  bookingKey: string;
  department: Department;
  /** "pending" while a nurse must still approve (triage asked for review). */
  status?: 'booked' | 'pending';
}

export { SlotTaken };
export type { DayAppointment, DayAppointmentsQuery };

function namesOf(text: string | undefined, holder: { extension?: Extension[] } | undefined): Names {
  const names: Names = { default: text ?? '' };
  for (const extension of holder?.extension ?? []) {
    if (extension.url !== TRANSLATION) continue;
    const lang = extension.extension?.find((part) => part.url === 'lang')?.valueCode;
    const content = extension.extension?.find((part) => part.url === 'content')?.valueString;
    if (isLocale(lang) && content) names[lang] = content;
  }
  return names;
}

const reference = (value: string | undefined) => value?.split('/')[1] ?? '';

export class Hospital {
  /** False once the hospital refused an Encounter: it does not take them from us. */
  private encounters = true;

  constructor(private readonly fhir: FhirClient) {}

  /**
   * The patient is here: the appointment becomes `arrived` (If-Match, read again once when
   * someone changed it meanwhile) and, where the hospital takes them, an Encounter opens for it,
   * created conditionally on the appointment, so a second check-in changes nothing. Undefined
   * when the appointment is unknown, cancelled or otherwise not one to check in for.
   */
  async checkIn(appointmentId: string, now: Date): Promise<BookedAppointment | undefined> {
    let arrived: Appointment | undefined;
    for (let attempt = 0; attempt < 2 && !arrived; attempt++) {
      const appointment = await this.fhir.read<Appointment>('Appointment', appointmentId).catch((error) => {
        if (error instanceof FhirError && (error.status === 404 || error.status === 410)) return undefined;
        throw error;
      });
      if (!appointment || !['booked', 'arrived', 'checked-in', 'fulfilled'].includes(appointment.status))
        return undefined;
      if (appointment.status !== 'booked') arrived = appointment;
      else
        arrived = await this.fhir
          .update<Appointment>({ ...appointment, status: 'arrived' }, appointment.meta?.versionId)
          .catch((error) => {
            if (error instanceof FhirError && error.conflict && attempt === 0) return undefined;
            throw error;
          });
    }
    if (!arrived) return undefined;
    if (this.encounters) await this.openEncounter(arrived, now);
    return appointmentOf(arrived);
  }

  private async openEncounter(appointment: Appointment, now: Date): Promise<void> {
    const patient = appointment.participant.find((p) => p.actor?.reference?.startsWith('Patient/'));
    try {
      await this.fhir.create<Encounter>(
        {
          resourceType: 'Encounter',
          identifier: [{ system: CHECKIN_SYSTEM, value: appointment.id ?? '' }],
          status: 'arrived',
          class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
          ...(patient?.actor?.reference ? { subject: { reference: patient.actor.reference } } : {}),
          appointment: [{ reference: `Appointment/${appointment.id ?? ''}` }],
          ...(appointment.serviceType?.[0] ? { serviceType: appointment.serviceType[0] } : {}),
          period: { start: now.toISOString() },
        },
        `identifier=${CHECKIN_SYSTEM}|${appointment.id ?? ''}`,
      );
    } catch (error) {
      // A hospital that does not take Encounters from us (unknown type, not allowed) keeps the
      // arrival on the appointment alone; anything else is a real failure.
      if (error instanceof FhirError && [400, 403, 404, 405, 422].includes(error.status)) {
        this.encounters = false;
        return;
      }
      throw error;
    }
  }

  async departments(): Promise<DepartmentInfo[]> {
    const { resources } = await this.fhir.search<HealthcareService>('HealthcareService', {
      active: 'true',
      _count: '100',
    });
    return resources.flatMap((service) => {
      const code = service.identifier?.find((id) => id.system === DEPARTMENT_SYSTEM)?.value as
        Department | undefined;
      if (!code || !service.id) return [];
      const withTranslations = service as HealthcareService & { _name?: { extension?: Extension[] } };
      return [{ id: service.id, code, names: namesOf(service.name, withTranslations._name) }];
    });
  }

  /** The doctors who hold schedules in a department. */
  async doctors(department: DepartmentInfo): Promise<Doctor[]> {
    const { resources } = await this.fhir.search<Schedule>('Schedule', {
      actor: `HealthcareService/${department.id}`,
      active: 'true',
      _count: '100',
    });
    const doctors: Doctor[] = [];
    for (const schedule of resources) {
      const actor = schedule.actor.find((ref) => ref.reference?.startsWith('Practitioner/'));
      if (!actor || !schedule.id) continue;
      const practitioner = await this.fhir.read<Practitioner>('Practitioner', reference(actor.reference));
      // HumanName's typings leave out the _text element that carries the translations.
      const first: unknown = practitioner.name?.[0];
      const name = first as { text?: string; _text?: { extension?: Extension[] } } | undefined;
      doctors.push({
        practitionerId: practitioner.id ?? '',
        scheduleId: schedule.id,
        names: namesOf(name?.text ?? actor.display, name?._text),
      });
    }
    return doctors;
  }

  /** Free slots from `from` to `to`, earliest first, for the department or one of its doctors. */
  async freeSlots(options: {
    department: Department;
    doctors: Doctor[];
    from: Date;
    to: Date;
    count: number;
  }): Promise<FreeSlot[]> {
    const bySchedule = new Map(options.doctors.map((doctor) => [doctor.scheduleId, doctor]));
    const params = new URLSearchParams({
      status: 'free',
      'service-type': `${DEPARTMENT_SYSTEM}|${options.department}`,
      _sort: 'start',
      _count: String(Math.min(options.count * 4, 200)),
    });
    params.append('start', `ge${options.from.toISOString()}`);
    params.append('start', `lt${options.to.toISOString()}`);
    if (options.doctors.length === 1) params.set('schedule', `Schedule/${options.doctors[0]!.scheduleId}`);
    const { resources } = await this.fhir.page<Slot>(`Slot?${params.toString()}`);
    return resources
      .flatMap((slot) => {
        const doctor = bySchedule.get(reference(slot.schedule.reference));
        return doctor && slot.id
          ? [{ id: slot.id, start: new Date(slot.start), end: new Date(slot.end), doctor }]
          : [];
      })
      .slice(0, options.count);
  }

  /**
   * The hospital's record of our patient: the one carrying our id, else the one the hospital
   * already has with the same phone and birth date, else a new one — created conditionally on
   * our id, so a retry never makes two.
   */
  async ensurePatient(patient: {
    id: string;
    fullName: string;
    birthDate: string;
    phone: string;
  }): Promise<string> {
    const ours = await this.fhir.search<Patient>('Patient', {
      identifier: `${PATIENT_SYSTEM}|${patient.id}`,
    });
    if (ours.resources[0]?.id) return ours.resources[0].id;
    const known = await this.fhir.search<Patient>('Patient', {
      phone: patient.phone,
      birthdate: patient.birthDate,
    });
    if (known.resources.length === 1 && known.resources[0]?.id) return known.resources[0].id;
    const created = await this.fhir.create<Patient>(
      {
        resourceType: 'Patient',
        identifier: [{ system: PATIENT_SYSTEM, value: patient.id }],
        name: [{ text: patient.fullName }],
        birthDate: patient.birthDate,
        telecom: [{ system: 'phone', value: patient.phone, use: 'mobile' }],
      },
      `identifier=${PATIENT_SYSTEM}|${patient.id}`,
    );
    return created.id ?? '';
  }

  /**
   * Books `slotId` for the patient. `bookingKey` identifies this booking: calling again with
   * the same key returns the same appointment. Throws SlotTaken when someone else has it.
   */
  async book(options: Booking): Promise<BookedAppointment> {
    const existing = await this.fhir.search<Appointment>('Appointment', {
      identifier: `${BOOKING_SYSTEM}|${options.bookingKey}`,
    });
    if (existing.resources[0]) return appointmentOf(existing.resources[0]);

    const slot = await this.fhir.read<Slot>('Slot', options.slotId);
    if (slot.status !== 'free') throw new SlotTaken(options.slotId);
    let taken: Slot;
    try {
      taken = await this.fhir.update<Slot>({ ...slot, status: 'busy' }, slot.meta?.versionId);
    } catch (error) {
      if (error instanceof FhirError && error.conflict) throw new SlotTaken(options.slotId);
      throw error;
    }
    try {
      const schedule = await this.fhir.read<Schedule>('Schedule', reference(slot.schedule.reference));
      const practitioner = schedule.actor.find((ref) => ref.reference?.startsWith('Practitioner/'));
      const appointment = await this.fhir.create<Appointment>(
        {
          resourceType: 'Appointment',
          identifier: [{ system: BOOKING_SYSTEM, value: options.bookingKey }],
          status: options.status ?? 'booked',
          serviceType: [{ coding: [{ system: DEPARTMENT_SYSTEM, code: options.department }] }],
          slot: [{ reference: `Slot/${options.slotId}` }],
          start: slot.start,
          end: slot.end,
          participant: [
            { actor: { reference: `Patient/${options.hospitalPatientId}` }, status: 'accepted' },
            ...(practitioner ? [{ actor: practitioner, status: 'accepted' as const }] : []),
          ],
        },
        `identifier=${BOOKING_SYSTEM}|${options.bookingKey}`,
      );
      return appointmentOf(appointment);
    } catch (error) {
      // Nothing half-booked: the slot goes back before the failure is reported.
      await this.fhir
        .update<Slot>({ ...taken, status: 'free' }, taken.meta?.versionId)
        .catch(() => undefined);
      throw error;
    }
  }

  /** Cancels the appointment and frees its slot; cancelling twice is harmless. */
  async cancel(appointmentId: string): Promise<BookedAppointment> {
    const appointment = await this.fhir.read<Appointment>('Appointment', appointmentId);
    if (appointment.status === 'cancelled') return appointmentOf(appointment);
    const cancelled = await this.fhir.update<Appointment>(
      { ...appointment, status: 'cancelled' },
      appointment.meta?.versionId,
    );
    for (const ref of appointment.slot ?? []) {
      const slot = await this.fhir.read<Slot>('Slot', reference(ref.reference));
      if (slot.status === 'busy')
        await this.fhir.update<Slot>({ ...slot, status: 'free' }, slot.meta?.versionId);
    }
    return appointmentOf(cancelled);
  }

  /** Moves a booking to another slot: the new one is taken first, then the old one let go. */
  async reschedule(options: Booking & { appointmentId: string }): Promise<BookedAppointment> {
    const moved = await this.book(options);
    await this.cancel(options.appointmentId);
    return moved;
  }

  /** Our patient's appointments awaiting a nurse's approval (none if the hospital does not know them). */
  async pendingFor(ourPatientId: string): Promise<BookedAppointment[]> {
    const { resources } = await this.fhir.search<Patient>('Patient', {
      identifier: `${PATIENT_SYSTEM}|${ourPatientId}`,
    });
    const hospitalPatientId = resources[0]?.id;
    if (!hospitalPatientId) return [];
    return (await this.appointments(hospitalPatientId)).filter(
      (appointment) => appointment.status === 'pending',
    );
  }

  /** One appointment, or undefined when the hospital does not have it. */
  async appointment(id: string): Promise<BookedAppointment | undefined> {
    try {
      return appointmentOf(await this.fhir.read<Appointment>('Appointment', id));
    } catch (error) {
      if (error instanceof FhirError && (error.status === 404 || error.status === 410)) return undefined;
      throw error;
    }
  }

  /** Confirms a pending appointment; false when it is no longer pending. */
  async approve(appointmentId: string): Promise<BookedAppointment | undefined> {
    const appointment = await this.fhir.read<Appointment>('Appointment', appointmentId);
    if (appointment.status !== 'pending') return undefined;
    return appointmentOf(
      await this.fhir.update<Appointment>({ ...appointment, status: 'booked' }, appointment.meta?.versionId),
    );
  }

  /** The patient's appointments that are booked or awaiting approval, earliest first. */
  async appointments(hospitalPatientId: string): Promise<BookedAppointment[]> {
    const { resources } = await this.fhir.search<Appointment>('Appointment', {
      patient: `Patient/${hospitalPatientId}`,
      status: 'booked,pending',
      _sort: 'date',
      _count: '50',
    });
    return resources.map(appointmentOf).sort((a, b) => a.start.getTime() - b.start.getTime());
  }

  /**
   * Every booked or awaiting-approval appointment on a hospital-zone day (optionally of one
   * department or doctor), with our id of each patient: the broadcasts' appointments audience.
   */
  appointmentsOn(query: DayAppointmentsQuery): Promise<DayAppointment[]> {
    return appointmentsOn(this.fhir, query);
  }

  /**
   * Our id of the patient an appointment is for (the hospital's Patient carries it as an
   * identifier), for a check-in link opened outside the chat; undefined when the hospital has
   * no such appointment or the patient is not one of ours.
   */
  async ourPatientOf(appointmentId: string): Promise<string | undefined> {
    const appointment = await this.fhir.read<Appointment>('Appointment', appointmentId).catch((error) => {
      if (error instanceof FhirError && (error.status === 404 || error.status === 410)) return undefined;
      throw error;
    });
    const reference = appointment?.participant.find((p) => p.actor?.reference?.startsWith('Patient/'))?.actor
      ?.reference;
    if (!reference) return undefined;
    const patient = await this.fhir.read<Patient>('Patient', reference.slice('Patient/'.length));
    return patient.identifier?.find((identifier) => identifier.system === PATIENT_SYSTEM)?.value;
  }
}

function appointmentOf(appointment: Appointment): BookedAppointment {
  const practitioner = appointment.participant.find((p) => p.actor?.reference?.startsWith('Practitioner/'));
  return {
    id: appointment.id ?? '',
    slotId: reference(appointment.slot?.[0]?.reference),
    start: new Date(appointment.start ?? 0),
    end: new Date(appointment.end ?? 0),
    status: appointment.status,
    department: appointment.serviceType?.[0]?.coding?.[0]?.code as Department | undefined,
    practitionerId: reference(practitioner?.actor?.reference),
    doctorDisplay: practitioner?.actor?.display,
  };
}
