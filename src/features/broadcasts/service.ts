// Broadcasts as the hospital API and the console use them: who an audience reaches, sending (the
// recipients found now, kept with the broadcast in one transaction, then delivery started) and
// the reports. The checks of what is asked are plain functions, so the API and the console
// refuse bad input (400) with the same words before anything is stored.
import type { Clock } from '../../clock.ts';
import {
  MAX_BROADCAST_TEXT,
  type Audience,
  type AudienceCount,
  type AudienceFinder,
  type BroadcastDesk,
  type BroadcastReport,
  type BroadcastRequest,
  type Broadcasts,
  type BroadcastTexts,
} from '../../domain/broadcasts.ts';
import { addDays, zonedDate } from '../../domain/time-zone.ts';
import { DEPARTMENTS, type Department } from '../../domain/triage.ts';
import { isLocale, SUPPORTED_LOCALES } from '../../i18n/locales.ts';

/** What was asked cannot be sent as it is; the message says why and is safe to show. */
export class InvalidBroadcast extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidBroadcast';
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The texts as they are kept (blank ones left out): only our languages, each at most
 * MAX_BROADCAST_TEXT characters, at least one written. Throws InvalidBroadcast otherwise.
 */
export function validateBroadcastTexts(texts: unknown): BroadcastTexts {
  if (!isRecord(texts)) throw new InvalidBroadcast('text must be an object of texts by language');
  const kept: BroadcastTexts = {};
  for (const [locale, text] of Object.entries(texts)) {
    if (!isLocale(locale))
      throw new InvalidBroadcast(`"${locale}" is not a language: use ${SUPPORTED_LOCALES.join(', ')}`);
    if (typeof text !== 'string') throw new InvalidBroadcast(`the ${locale} text must be a string`);
    // Characters as people count them (an emoji is one), not UTF-16 units.
    if ([...text].length > MAX_BROADCAST_TEXT)
      throw new InvalidBroadcast(`the ${locale} text is longer than ${MAX_BROADCAST_TEXT} characters`);
    if (text.trim()) kept[locale] = text;
  }
  if (Object.keys(kept).length === 0) throw new InvalidBroadcast('write the notice in at least one language');
  return kept;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** A calendar date that exists (not 2026-02-30). */
const isDate = (value: unknown): value is string => {
  if (typeof value !== 'string' || !DATE.test(value)) return false;
  const at = new Date(`${value}T12:00:00Z`);
  return !Number.isNaN(at.getTime()) && at.toISOString().slice(0, 10) === value;
};
/**
 * How far ahead an appointments notice may be about. Hospitals book months ahead, a yearly
 * check-up at most a year: a later day has nobody booked and is a typo (2062 for 2026) to
 * refuse, not a search to send to the hospital. 366 days, so the same date next year always
 * fits, even across 29 February. It also keeps every day asked far inside the years Date and
 * Intl handle (a 10000-01-01 end of day was a RangeError, a 500).
 */
export const MAX_DAYS_AHEAD = 366;

/** Today (YYYY-MM-DD) in the hospital's zone: the first day an appointments audience may name. */
export const hospitalToday = (clock: Clock, timeZone: string): string =>
  zonedDate(new Date(clock.now()), timeZone);

const isDepartment = (value: unknown): value is Department =>
  typeof value === 'string' && (DEPARTMENTS as readonly string[]).includes(value);

/**
 * The audience as asked for, checked. Throws InvalidBroadcast when it names nobody we can find:
 * an appointments day before `today` (the hospital's, hospitalToday) is over, one more than
 * MAX_DAYS_AHEAD after it is too far.
 */
export function validateAudience(audience: unknown, today: string): Audience {
  if (!isRecord(audience)) throw new InvalidBroadcast('audience must be an object with a kind');
  const department = (value: unknown): Department => {
    if (!isDepartment(value)) throw new InvalidBroadcast(`"${String(value)}" is not a department`);
    return value;
  };
  switch (audience.kind) {
    case 'appointments': {
      const date = audience.date;
      if (!isDate(date)) throw new InvalidBroadcast('an appointments audience needs a date as YYYY-MM-DD');
      // Both YYYY-MM-DD with four-digit years: as strings they sort as the days do.
      if (date < today)
        throw new InvalidBroadcast(`${date} is over: the date must be today (${today}) or later`);
      const last = addDays(today, MAX_DAYS_AHEAD);
      if (date > last)
        throw new InvalidBroadcast(`${date} is too far ahead: the date must be ${last} at the latest`);
      const doctor = audience.doctor;
      if (doctor !== undefined && (typeof doctor !== 'string' || !/^[A-Za-z0-9\-.]{1,64}$/.test(doctor)))
        throw new InvalidBroadcast('doctor must be the id of a practitioner');
      return {
        kind: 'appointments',
        date,
        ...(audience.department !== undefined ? { department: department(audience.department) } : {}),
        ...(doctor !== undefined ? { doctor } : {}),
      };
    }
    case 'queue':
      return { kind: 'queue', department: department(audience.department) };
    case 'subscribers':
      return { kind: 'subscribers' };
    default:
      throw new InvalidBroadcast('audience kind must be appointments, queue or subscribers');
  }
}

export class BroadcastService implements Broadcasts {
  constructor(
    private readonly desk: BroadcastDesk,
    private readonly finder: AudienceFinder,
    /** Queues the broadcast's delivery; starting it again while it runs must be harmless. */
    private readonly startDelivery: (broadcastId: string) => Promise<void>,
    /** Whose "today" an appointments day is checked against: the hospital's. */
    private readonly calendar: { clock: Clock; timeZone: string },
  ) {}

  private checkedAudience(audience: unknown): Audience {
    return validateAudience(audience, hospitalToday(this.calendar.clock, this.calendar.timeZone));
  }

  async count(audience: Audience): Promise<AudienceCount> {
    const recipients = await this.finder.recipients(this.checkedAudience(audience));
    const count: AudienceCount = { total: recipients.length, channels: {}, locales: {} };
    for (const recipient of recipients) {
      count.channels[recipient.channel] = (count.channels[recipient.channel] ?? 0) + 1;
      count.locales[recipient.locale] = (count.locales[recipient.locale] ?? 0) + 1;
    }
    return count;
  }

  /**
   * Keeps the broadcast and starts its delivery. The same idempotency key again returns the
   * first broadcast and starts its delivery again if it is still sending, so a caller whose
   * first request failed after the broadcast was kept (delivery not started) recovers by retrying.
   */
  async send(request: BroadcastRequest): Promise<{ id: string; recipients: number; created: boolean }> {
    if (
      typeof request.idempotencyKey !== 'string' ||
      !request.idempotencyKey ||
      request.idempotencyKey.length > 200
    )
      throw new InvalidBroadcast('idempotencyKey must be 1 to 200 characters');
    const checked: BroadcastRequest = {
      ...request,
      audience: this.checkedAudience(request.audience),
      texts: validateBroadcastTexts(request.texts),
    };
    // A repeat (a retried request) finds its broadcast without looking the audience up again.
    const kept =
      (await this.desk.made(checked.idempotencyKey)) ??
      (await this.desk.create(checked, await this.finder.recipients(checked.audience)));
    if (kept.created ? kept.recipients > 0 : (await this.desk.report(kept.id))?.status === 'sending')
      await this.startDelivery(kept.id);
    return kept;
  }

  report(id: string): Promise<BroadcastReport | undefined> {
    return this.desk.report(id);
  }

  list(limit: number): Promise<BroadcastReport[]> {
    return this.desk.list(limit);
  }

  cancel(id: string): Promise<BroadcastReport | undefined> {
    return this.desk.cancel(id);
  }
}
