// The built-in demo hospital as a test reads it: over FHIR, with the instance's own token.
import type { Appointment } from '@medplum/fhirtypes';
import { FhirClient } from '../../src/integrations/fhir/fhir-client.ts';
import type { Frontdoor } from '../../src/runtime.ts';

/** A FHIR client for the instance's built-in hospital. */
export const demoHospital = (frontdoor: Frontdoor) =>
  new FhirClient(`${frontdoor.url}/fhir/R4`, { bearerToken: frontdoor.demoHospitalToken });

/** The appointments on a slot that still stand (a cancelled one frees the slot). */
export async function liveAppointments(fhir: FhirClient, slotId: string): Promise<Appointment[]> {
  const { resources } = await fhir.search<Appointment>('Appointment', { slot: `Slot/${slotId}` });
  return resources.filter((appointment) => appointment.status !== 'cancelled');
}
