// A hospital-zone day's appointments, for the broadcasts audience "everyone with an appointment
// on a date": one FHIR search paged to its end, asking the server to include each
// appointment's Patient (`_include`) so their identifiers come in the same pages; patients a
// server did not include are read in batches by `_id`, never one request per appointment.
import type { Appointment, Patient, Resource } from '@medplum/fhirtypes';
import { addDays, zonedInstant } from '../../domain/time-zone.ts';
import type { Department } from '../../domain/triage.ts';
import type { FhirClient } from './fhir-client.ts';
import { DEPARTMENT_SYSTEM, PATIENT_SYSTEM } from './identifier-systems.ts';

export interface DayAppointmentsQuery {
  /** YYYY-MM-DD in `timeZone`. */
  date: string;
  timeZone: string;
  department?: Department;
  /** The doctor's Practitioner id. */
  doctor?: string;
  /** Appointments per page asked of the server (default 100). */
  pageSize?: number;
}

/** One appointment of the day and whose it is. */
export interface DayAppointment {
  id: string;
  start: Date;
  status: Appointment['status'];
  department?: Department;
  practitionerId?: string;
  /** Our patient id (the PATIENT_SYSTEM identifier); undefined for a patient not ours. */
  ourPatientId?: string;
}

/**
 * Whose appointment that day still stands: booked or awaiting approval, and those already here
 * (arrived, checked-in): the waiting room is exactly who "Dr Minh is 30 minutes late" is for.
 * Not cancelled, noshow, fulfilled (seen already) or entered-in-error.
 */
export const STANDING_STATUSES: readonly Appointment['status'][] = [
  'booked',
  'pending',
  'arrived',
  'checked-in',
];

const PAGE = 100;
/** Ids per batch read of patients the server did not include: a URL stays short. */
const PATIENT_BATCH = 50;
/** A runaway server (a next link that never ends) stops here: 1,000 pages of 100. */
const MAX_PAGES = 1_000;

const idOf = (reference: string | undefined, type: string) =>
  reference?.startsWith(`${type}/`) ? reference.slice(type.length + 1) : undefined;

const ourIdOf = (patient: Patient) =>
  patient.identifier?.find((identifier) => identifier.system === PATIENT_SYSTEM)?.value;

export async function appointmentsOn(
  fhir: FhirClient,
  query: DayAppointmentsQuery,
): Promise<DayAppointment[]> {
  const params = new URLSearchParams({
    status: STANDING_STATUSES.join(','),
    _count: String(query.pageSize ?? PAGE),
  });
  params.append('date', `ge${zonedInstant(query.date, 0, query.timeZone).toISOString()}`);
  params.append('date', `lt${zonedInstant(addDays(query.date, 1), 0, query.timeZone).toISOString()}`);
  if (query.department) params.set('service-type', `${DEPARTMENT_SYSTEM}|${query.department}`);
  if (query.doctor) params.set('practitioner', `Practitioner/${query.doctor}`);
  params.set('_include', 'Appointment:patient');

  const appointments: Appointment[] = [];
  const ours = new Map<string, string | undefined>();
  let next: string | undefined = `Appointment?${params.toString()}`;
  for (let page = 0; next && page < MAX_PAGES; page++) {
    const result: { resources: Resource[]; next?: string } = await fhir.page<Resource>(next);
    for (const resource of result.resources) {
      if (resource.resourceType === 'Appointment') appointments.push(resource);
      else if (resource.resourceType === 'Patient' && resource.id) ours.set(resource.id, ourIdOf(resource));
    }
    next = result.next;
  }

  const patientOf = (appointment: Appointment) =>
    appointment.participant
      .map((participant) => idOf(participant.actor?.reference, 'Patient'))
      .find((id) => id !== undefined);
  const missing = [
    ...new Set(appointments.map(patientOf).filter((id): id is string => id !== undefined && !ours.has(id))),
  ];
  for (let start = 0; start < missing.length; start += PATIENT_BATCH) {
    const batch = missing.slice(start, start + PATIENT_BATCH);
    const { resources } = await fhir.search<Patient>('Patient', {
      _id: batch.join(','),
      _count: String(batch.length),
    });
    for (const patient of resources) if (patient.id) ours.set(patient.id, ourIdOf(patient));
  }

  // The filters are applied here too: a server that ignores a search parameter it does not
  // know would otherwise widen a department's notice to the whole hospital.
  return appointments
    .filter((appointment) => STANDING_STATUSES.includes(appointment.status))
    .map((appointment) => {
      const patient = patientOf(appointment);
      const practitioner = appointment.participant
        .map((participant) => idOf(participant.actor?.reference, 'Practitioner'))
        .find((id) => id !== undefined);
      return {
        id: appointment.id ?? '',
        start: new Date(appointment.start ?? 0),
        status: appointment.status,
        department: appointment.serviceType?.[0]?.coding?.find(
          (coding) => coding.system === DEPARTMENT_SYSTEM,
        )?.code as Department | undefined,
        practitionerId: practitioner,
        ourPatientId: patient ? ours.get(patient) : undefined,
      };
    })
    .filter(
      (appointment) =>
        (!query.department || appointment.department === query.department) &&
        (!query.doctor || appointment.practitionerId === query.doctor),
    );
}
