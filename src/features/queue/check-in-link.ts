// Checking in by a signed link opened outside the chat (the check-in page, reception's kiosk):
// the link names only the appointment, so the patient is found through the hospital, and the
// desk tells that patient's most recently used chat the new ticket.
import type { CheckInResult, QueueDesk } from '../../domain/queue.ts';
import type { Locale } from '../../i18n/locales.ts';

export interface CheckInByLinkDeps {
  hospital: { ourPatientOf(appointmentId: string): Promise<string | undefined> };
  queue: Pick<QueueDesk, 'checkIn'>;
  /** The patient's chat language (the ticket's). */
  localeOf(patientId: string): Promise<Locale | undefined>;
  /**
   * The acuity of the patient's latest triage (a nurse's override included), as the chat's
   * "I'm here" passes it: priority must not depend on how the patient checked in.
   */
  acuityOf(patientId: string): Promise<number | undefined>;
  fallbackLocale: Locale;
}

/** Undefined when the appointment is not one of our patients' (nobody to give a ticket to). */
export function checkInByLink(deps: CheckInByLinkDeps) {
  return async (appointmentId: string): Promise<CheckInResult | undefined> => {
    let patientId: string | undefined;
    try {
      patientId = await deps.hospital.ourPatientOf(appointmentId);
    } catch {
      return { refused: { reason: 'hospital_unavailable' } };
    }
    if (!patientId) return undefined;
    const [locale, acuity] = await Promise.all([deps.localeOf(patientId), deps.acuityOf(patientId)]);
    return deps.queue.checkIn({
      appointmentId,
      patientId,
      locale: locale ?? deps.fallbackLocale,
      ...(acuity ? { acuity } : {}),
    });
  };
}
