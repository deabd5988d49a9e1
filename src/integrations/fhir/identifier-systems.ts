// Frontdoor's own FHIR identifier systems, shared by the client that books at a hospital and
// the demo hospital that answers it, so neither has to import the other.

/** HealthcareService.identifier and Appointment.serviceType: the department code. */
export const DEPARTMENT_SYSTEM = 'urn:frontdoor:department';
/** Appointment.identifier: one booking, so a retried call books once. */
export const BOOKING_SYSTEM = 'urn:frontdoor:booking';
/** Patient.identifier: our patient id at the hospital. */
export const PATIENT_SYSTEM = 'urn:frontdoor:patient';
/** Encounter.identifier: the visit a check-in opened (one per appointment). */
export const CHECKIN_SYSTEM = 'urn:frontdoor:checkin';
