// When booking's and payments' timers are due, and the ids they are set under: flows decide
// them as `schedule` effects; an id set again replaces its timer, so a step that runs twice,
// or an appointment moved to another time, leaves one timer per reminder or payment.

/** Appointment reminders go out this many hours before the appointment. */
export const REMINDER_OFFSETS_HOURS = [24, 2] as const;

const HOUR_MS = 3_600_000;

/** When each reminder is due for an appointment at `start`; those already past are left out. */
export function reminderSchedule(start: Date, now: number): { hours: number; at: number }[] {
  return REMINDER_OFFSETS_HOURS.map((hours) => ({ hours, at: start.getTime() - hours * HOUR_MS })).filter(
    (reminder) => reminder.at > now,
  );
}

/** The timer of one reminder of one appointment (the id older versions gave its job, too). */
export const reminderTimerId = (appointmentId: string, hours: number) =>
  `reminder:${appointmentId}:${hours}h`;

/**
 * Stripe sends "expired" within moments of a session's expires_at; the webhook settles the
 * payment then. Only this long after it do we ask ourselves (the webhook may never come).
 */
export const CHECKOUT_EXPIRY_GRACE_MS = 2 * 60_000;

/** The timer that settles a checkout nobody reported on. */
export const checkoutTimerId = (paymentId: string) => `checkout:${paymentId}`;
