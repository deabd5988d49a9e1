// What the queue's steps read from the flow settings: the signed links they hand out and the
// departments that take walk-ins. The links are an HMAC of the appointment or ticket (no I/O),
// so a step can put the check-in code in the same message as the confirmation.
import type { DepartmentQueueRules } from '../../domain/queue-rules.ts';
import type { Department } from '../../domain/triage.ts';
import type { Locale } from '../../i18n/locales.ts';

/** The signed links the chat hands out (src/security/checkin-token.ts makes them). */
export interface QueueLinks {
  /** `${PUBLIC_BASE_URL}/checkin/<token>`: the check-in page of an appointment starting at `start` (epoch ms). */
  checkInUrl(appointmentId: string, start: number): string;
  /** `${PUBLIC_BASE_URL}/ticket/<token>`: the live ticket page. */
  ticketUrl(ticketId: string): string;
}

export interface QueueFlowSettings {
  links: QueueLinks;
  /** Departments that take walk-in tickets (QUEUE_DEPARTMENTS). */
  walkInDepartments: readonly Department[];
}

declare module '../../conversation/flow.ts' {
  interface FlowSettings {
    /** Absent where flows run without the queue (no check-in codes, no walk-ins). */
    queue?: QueueFlowSettings;
  }
}

/**
 * A page link as the chat hands it out: in the conversation's language (the pages read
 * `?lang=` before the browser's); the signed token in the path is untouched.
 */
export const inLanguage = (url: string, locale: Locale) => `${url}?lang=${encodeURIComponent(locale)}`;

/** The QR image of a bare check-in link (served by qr-route.ts). */
export const qrUrlOf = (checkInUrl: string) => `${checkInUrl}/qr.png`;

/** The queue's part of the flow settings, from QUEUE_DEPARTMENTS and the instance's link signer. */
export function queueFlowSettings(departments: DepartmentQueueRules, links: QueueLinks): QueueFlowSettings {
  return {
    links,
    walkInDepartments: (Object.keys(departments) as Department[]).filter(
      (department) => departments[department].walkIn,
    ),
  };
}
