// Who the patient is: validation of what they type during onboarding (pure), and the port the
// engine uses to find, register and link patients.
import { parsePhoneNumberFromString, getExampleNumber, type CountryCode } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';
import type { ConversationAddress } from '../conversation/message.ts';
import type { Locale } from '../i18n/locales.ts';

/** The patient as known before the first step of a new conversation. */
export interface KnownPatient {
  id: string;
  displayName: string;
  locale: Locale;
  country: string | undefined;
  birthDate: string | undefined;
  consented: boolean;
  profileComplete: boolean;
}

/** A full name as typed: 2-100 characters, at least one letter, no digits. */
export function normaliseFullName(text: string): string | undefined {
  const name = text.trim().replace(/\s+/g, ' ');
  if (name.length < 2 || name.length > 100) return undefined;
  if (!/\p{L}/u.test(name) || /\p{N}/u.test(name)) return undefined;
  return name;
}

/** Why a typed birth date was refused, so the patient can be told what to fix. */
export type BirthDateProblem = 'unreadable' | 'impossible' | 'future' | 'tooLongAgo';

/** The oldest age we accept; older dates are almost always a typo in the year. */
const MAX_AGE_YEARS = 125;

/**
 * A birth date typed as 1980-12-31, 31/12/1980, 31.12.1980, 1980/12/31 or 1980年12月31日,
 * as an ISO date, or what is wrong with it. Thai patients often write the Buddhist-era year
 * (2523 = 1980).
 */
export function checkBirthDate(
  text: string,
  today: Date,
): { date: string; problem?: undefined } | { date?: undefined; problem: BirthDateProblem } {
  const cleaned = text
    .trim()
    .replace(/[年月]/g, '/')
    .replace(/[日号]/g, '');
  let match = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(cleaned);
  let [year, month, day] = match ? [match[1], match[2], match[3]] : [];
  if (!match) {
    match = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$/.exec(cleaned);
    if (!match) return { problem: 'unreadable' };
    [day, month, year] = [match[1], match[2], match[3]];
  }
  let y = Number(year);
  if (y > 2400) y -= 543;
  const m = Number(month);
  const d = Number(day);
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d)
    return { problem: 'impossible' };
  if (date.getTime() > today.getTime()) return { problem: 'future' };
  if (today.getUTCFullYear() - y > MAX_AGE_YEARS) return { problem: 'tooLongAgo' };
  return { date: date.toISOString().slice(0, 10) };
}

/** The ISO birth date in `text`, or undefined when it is not a plausible one. */
export function parseBirthDate(text: string, today: Date): string | undefined {
  return checkBirthDate(text, today).date;
}

/** A phone number valid for `country` (or any country in +international form), as E.164. */
export function normalisePhone(text: string, country: string): { e164: string; country: string } | undefined {
  const parsed = parsePhoneNumberFromString(text.trim(), country as CountryCode);
  if (!parsed?.isValid()) return undefined;
  return { e164: parsed.number, country: parsed.country ?? country };
}

/** An example mobile number for `country`, in its national format, for error messages. */
export function examplePhone(country: string): string {
  return getExampleNumber(country as CountryCode, examples)?.formatNational() ?? '+84 912 345 678';
}

/** What onboarding collected, to register or recognise the patient. */
export interface Identification {
  fullName: string;
  birthDate: string;
  phone: string;
  country: string;
  locale: Locale;
}

/** The patient register, as the conversation needs it. */
/** A consent given or refused, with the version of the text the patient was shown. */
export interface ConsentDecision {
  purpose: string;
  textVersion: string;
  granted: boolean;
  locale: Locale;
  /** When the patient decided (epoch ms); the latest decision is the one that stands. */
  decidedAt?: number;
}

export interface PatientDirectory {
  /** The patient linked to this channel account, if any. */
  findByChannel(address: ConversationAddress): Promise<KnownPatient | undefined>;
  /** Records a consent decision with the text version and time; creates the patient on first contact. */
  recordConsent(address: ConversationAddress, decision: ConsentDecision): Promise<void>;
  /**
   * Stores the identity, or recognises a patient already registered with the same phone and
   * birth date (e.g. on another channel) and links this channel account to them.
   */
  identify(
    address: ConversationAddress,
    identification: Identification,
  ): Promise<{ patientId: string; returning: boolean }>;
  setLocale(address: ConversationAddress, locale: Locale): Promise<void>;
  /** Keeps a record that the emergency advice was given (never the message text). */
  recordRedFlag(
    address: ConversationAddress,
    match: { phrase: string; phraseLocale: Locale; emergencyNumber: string },
  ): Promise<void>;
}
