// How an appointment reads to the patient: day and time in the hospital's zone, in their
// language, with doctor and department.
import type { ConversationState, StepContext } from '../../conversation/flow.ts';
import { nameIn, type SlotOption } from '../../domain/booking.ts';
import { zonedInstant } from '../../domain/time-zone.ts';
import type { Locale } from '../../i18n/locales.ts';

/** Day and time of an instant as the patient reads them, in the hospital's zone. */
export function when(iso: string, locale: Locale, timeZone: string): { day: string; time: string } {
  const at = new Date(iso);
  return {
    day: new Intl.DateTimeFormat(locale, { timeZone, weekday: 'long', day: 'numeric', month: 'long' }).format(
      at,
    ),
    time: new Intl.DateTimeFormat(locale, {
      timeZone,
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(at),
  };
}

export function dayName(day: string, locale: Locale, timeZone: string): string {
  return when(zonedInstant(day, 12 * 60, timeZone).toISOString(), locale, timeZone).day;
}

export function departmentName(department: string | undefined, context: StepContext, locale: Locale): string {
  return context.text(locale)(`triage:department.${department ?? ''}`);
}

export function describe(
  view: { start: string; department?: string; doctor?: SlotOption['doctor'] },
  state: ConversationState,
  context: StepContext,
) {
  return {
    ...when(view.start, state.locale, context.settings.hospitalTimeZone),
    doctor: nameIn(view.doctor, state.locale),
    department: departmentName(view.department ?? state.draft.department, context, state.locale),
  };
}
