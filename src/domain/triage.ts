// Triage rules as data: which complaints we ask about, the questions each one needs, which
// answers are red flags, and the acuity and department that result. Reviewed as a table (see
// docs/triage.md); the functions below only read it. Texts live in locales/<lang>/triage.json
// under the same ids. Nothing here is a diagnosis: it decides how fast a nurse must look.

/** 1 emergency, 2 very urgent, 3 urgent, 4 standard, 5 self-care. */
export type Acuity = 1 | 2 | 3 | 4 | 5;
export const ACUITY_LEVELS: readonly Acuity[] = [1, 2, 3, 4, 5];

export const DEPARTMENTS = [
  'emergency',
  'general_medicine',
  'cardiology',
  'pulmonology',
  'gastroenterology',
  'neurology',
  'orthopaedics',
  'dermatology',
  'urology',
  'obstetrics',
] as const;
export type Department = (typeof DEPARTMENTS)[number];

/** A yes/no question whose "yes" raises the acuity to `acuity`. */
export interface RedFlagQuestion {
  id: string;
  acuity: Acuity;
}

export interface ComplaintRule {
  id: string;
  department: Department;
  /** Acuity when no answer raises it. */
  baseAcuity: Acuity;
  redFlags: RedFlagQuestion[];
  /** Ask whether the patient could be pregnant (and route to obstetrics when so). */
  asksPregnancy: boolean;
  asksTemperature: boolean;
  /** The patient's own words are required (the complaint says too little by itself). */
  needsDescription: boolean;
  /** Patients this old or older are seen one level sooner. */
  olderFromAge?: number;
}

export const COMPLAINTS: readonly ComplaintRule[] = [
  {
    id: 'chest_pain',
    department: 'cardiology',
    baseAcuity: 3,
    redFlags: [
      { id: 'chest_spreading', acuity: 1 },
      { id: 'chest_sweating', acuity: 1 },
      { id: 'chest_breathless', acuity: 1 },
    ],
    asksPregnancy: false,
    asksTemperature: false,
    needsDescription: false,
    olderFromAge: 50,
  },
  {
    id: 'breathing',
    department: 'pulmonology',
    baseAcuity: 3,
    redFlags: [
      { id: 'breathing_sentences', acuity: 1 },
      { id: 'breathing_blue', acuity: 1 },
      { id: 'breathing_inhaler', acuity: 2 },
    ],
    asksPregnancy: false,
    asksTemperature: true,
    needsDescription: false,
    olderFromAge: 65,
  },
  {
    id: 'fever',
    department: 'general_medicine',
    baseAcuity: 4,
    redFlags: [
      { id: 'fever_neck_rash', acuity: 1 },
      { id: 'fever_confused', acuity: 1 },
      { id: 'fever_long', acuity: 3 },
    ],
    asksPregnancy: true,
    asksTemperature: true,
    needsDescription: false,
    olderFromAge: 65,
  },
  {
    id: 'abdominal_pain',
    department: 'gastroenterology',
    baseAcuity: 4,
    redFlags: [
      { id: 'abdominal_blood', acuity: 1 },
      { id: 'abdominal_rigid', acuity: 2 },
    ],
    asksPregnancy: true,
    asksTemperature: true,
    needsDescription: false,
    olderFromAge: 65,
  },
  {
    id: 'headache',
    department: 'neurology',
    baseAcuity: 4,
    redFlags: [
      { id: 'headache_sudden', acuity: 1 },
      { id: 'headache_weakness', acuity: 1 },
      { id: 'headache_injury', acuity: 2 },
    ],
    asksPregnancy: true,
    asksTemperature: false,
    needsDescription: false,
  },
  {
    id: 'injury',
    department: 'orthopaedics',
    baseAcuity: 4,
    redFlags: [
      { id: 'injury_bleeding', acuity: 1 },
      { id: 'injury_head', acuity: 2 },
      { id: 'injury_deformed', acuity: 2 },
    ],
    asksPregnancy: false,
    asksTemperature: false,
    needsDescription: false,
  },
  {
    id: 'skin',
    department: 'dermatology',
    baseAcuity: 5,
    redFlags: [
      { id: 'skin_swelling', acuity: 1 },
      { id: 'skin_spreading', acuity: 2 },
    ],
    asksPregnancy: false,
    asksTemperature: true,
    needsDescription: false,
  },
  {
    id: 'urinary',
    department: 'urology',
    baseAcuity: 4,
    redFlags: [
      { id: 'urinary_flank', acuity: 2 },
      { id: 'urinary_blood', acuity: 3 },
    ],
    asksPregnancy: true,
    asksTemperature: true,
    needsDescription: false,
  },
  {
    id: 'cough_cold',
    department: 'general_medicine',
    baseAcuity: 5,
    redFlags: [
      { id: 'cough_blood', acuity: 2 },
      { id: 'cough_breathless', acuity: 2 },
    ],
    asksPregnancy: false,
    asksTemperature: true,
    needsDescription: false,
    olderFromAge: 75,
  },
  {
    id: 'other',
    department: 'general_medicine',
    baseAcuity: 4,
    redFlags: [],
    asksPregnancy: false,
    asksTemperature: false,
    needsDescription: true,
  },
];

export const ONSETS = ['hour', 'today', 'days', 'week', 'longer'] as const;
export type Onset = (typeof ONSETS)[number];

/** A yes/no answer; "unknown" is the patient's "I don't know". */
export type Answer = 'yes' | 'no' | 'unknown';

/** Severity from this value up (0-10 scale) is "severe" / "moderate". */
export const SEVERE_FROM = 8;
export const MODERATE_FROM = 5;
/** Temperatures (°C) that raise the acuity. */
export const HIGH_FEVER_FROM = 39.5;
export const FEVER_FROM = 38;
export const HYPOTHERMIA_BELOW = 35;
/** Pregnancy is asked only in this age range, when the age is known. */
export const PREGNANCY_AGES = { from: 12, to: 55 } as const;

/** What happens after each level: review before booking, and how soon a booking must be. */
export const DISPOSITIONS: Record<
  Acuity,
  { reviewRequired: boolean; bookingUrgency: BookingUrgency; reviewWithinMinutes: number | null }
> = {
  1: { reviewRequired: true, bookingUrgency: 'emergency', reviewWithinMinutes: 0 },
  2: { reviewRequired: true, bookingUrgency: 'same-day', reviewWithinMinutes: 15 },
  3: { reviewRequired: true, bookingUrgency: 'within-24h', reviewWithinMinutes: 60 },
  4: { reviewRequired: false, bookingUrgency: 'within-7d', reviewWithinMinutes: null },
  5: { reviewRequired: false, bookingUrgency: 'routine', reviewWithinMinutes: null },
};
export type BookingUrgency = 'emergency' | 'same-day' | 'within-24h' | 'within-7d' | 'routine';

/** Everything collected by the intake, as codes and numbers (the patient's words stay apart). */
export interface IntakeAnswers {
  complaint: string;
  onset?: Onset | 'unknown';
  /** 0-10, or undefined when the patient does not know. */
  severity?: number;
  redFlags: Record<string, Answer>;
  pregnant?: Answer;
  /** °C, or undefined when not measured. */
  temperature?: number;
  /** Age in whole years, from the registered birth date. */
  age?: number;
  /**
   * Set when an emergency phrase stopped the questions: how many had been answered; the phrase
   * was typed at the next one, and those after it were never asked.
   */
  stoppedAt?: number;
}

export interface TriageResult {
  acuity: Acuity;
  department: Department;
  /** Red-flag questions answered "yes", and the rules that raised the level, for the nurse. */
  reasons: string[];
  reviewRequired: boolean;
  bookingUrgency: BookingUrgency;
}

/** Version of this table, stored with every result so a review knows which rules applied. */
export const TRIAGE_RULES_VERSION = '2026-11-25';

const COMPLAINT_BY_ID = new Map(COMPLAINTS.map((rule) => [rule.id, rule]));

export function complaintRule(id: string): ComplaintRule | undefined {
  return COMPLAINT_BY_ID.get(id);
}

/** Questions still to ask, in order, for what is answered so far. */
export type IntakeQuestion =
  | { kind: 'onset' }
  | { kind: 'severity' }
  | { kind: 'redFlag'; id: string }
  | { kind: 'pregnancy' }
  | { kind: 'temperature' }
  | { kind: 'describe'; required: boolean };

/** Every question the complaint needs, in the order they are asked. */
export function questionsFor(rule: ComplaintRule, age: number | undefined): IntakeQuestion[] {
  const pregnancyPossible = age === undefined || (age >= PREGNANCY_AGES.from && age <= PREGNANCY_AGES.to);
  return [
    { kind: 'onset' },
    { kind: 'severity' },
    ...rule.redFlags.map((flag) => ({ kind: 'redFlag' as const, id: flag.id })),
    ...(rule.asksPregnancy && pregnancyPossible ? [{ kind: 'pregnancy' as const }] : []),
    ...(rule.asksTemperature ? [{ kind: 'temperature' as const }] : []),
    { kind: 'describe', required: rule.needsDescription },
  ];
}

/** The red flag answered "yes" that means an emergency on its own, if any. */
export function emergencyFlag(rule: ComplaintRule, redFlags: Record<string, Answer>): string | undefined {
  return rule.redFlags.find((flag) => flag.acuity === 1 && redFlags[flag.id] === 'yes')?.id;
}

/** The triage decision for a complete (or, for an emergency, partial) intake. */
export function triage(answers: IntakeAnswers): TriageResult {
  const rule = complaintRule(answers.complaint);
  if (!rule) throw new Error(`unknown complaint ${answers.complaint}`);
  let acuity: Acuity = rule.baseAcuity;
  const reasons: string[] = [];
  const raise = (to: Acuity, reason: string) => {
    if (to < acuity) acuity = to;
    reasons.push(reason);
  };

  for (const flag of rule.redFlags) {
    if (answers.redFlags[flag.id] === 'yes') raise(flag.acuity, `redFlag:${flag.id}`);
  }
  const severity = answers.severity;
  if (severity !== undefined && severity >= SEVERE_FROM) raise(3, 'severity:severe');
  else if (severity !== undefined && severity >= MODERATE_FROM) raise(4, 'severity:moderate');

  const temperature = answers.temperature;
  if (temperature !== undefined) {
    if (temperature >= HIGH_FEVER_FROM) raise(2, 'temperature:high');
    else if (temperature >= FEVER_FROM) raise(3, 'temperature:fever');
    else if (temperature < HYPOTHERMIA_BELOW) raise(2, 'temperature:low');
  }

  const pregnant = answers.pregnant === 'yes';
  if (pregnant && rule.id === 'abdominal_pain') raise(2, 'pregnancy:abdominal');
  else if (pregnant) raise(3, 'pregnancy');

  if (rule.olderFromAge !== undefined && answers.age !== undefined && answers.age >= rule.olderFromAge) {
    raise(Math.max(1, acuity - 1) as Acuity, 'age:older');
  }

  const department: Department =
    acuity === 1 ? 'emergency' : pregnant && rule.id === 'abdominal_pain' ? 'obstetrics' : rule.department;
  return { acuity, department, reasons, ...dispositionFor(acuity) };
}

/** `result` raised to at least `to` for `reason` (an emergency phrase typed in the chat). */
export function raised(result: TriageResult, to: Acuity, reason: string): TriageResult {
  const acuity = Math.min(result.acuity, to) as Acuity;
  return {
    ...result,
    acuity,
    department: acuity === 1 ? 'emergency' : result.department,
    reasons: [...result.reasons, reason],
    ...dispositionFor(acuity),
  };
}

/** What follows a level, whether the rules or a nurse set it. */
export function dispositionFor(acuity: Acuity): Pick<TriageResult, 'reviewRequired' | 'bookingUrgency'> {
  const { reviewRequired, bookingUrgency } = DISPOSITIONS[acuity];
  return { reviewRequired, bookingUrgency };
}

export function isAcuity(value: unknown): value is Acuity {
  return typeof value === 'number' && (ACUITY_LEVELS as readonly number[]).includes(value);
}

/** Reads a temperature the patient typed: "38.5", "38,5 °C", "101.3F" (converted to °C). */
export function parseTemperature(text: string): number | undefined {
  const match = /^\s*(\d{2,3}(?:[.,]\d{1,2})?)\s*°?\s*([cf])?\s*$/i.exec(text);
  if (!match?.[1]) return undefined;
  const value = Number(match[1].replace(',', '.'));
  const fahrenheit = match[2]?.toLowerCase() === 'f' || (match[2] === undefined && value >= 90);
  const celsius = fahrenheit ? ((value - 32) * 5) / 9 : value;
  if (celsius < 30 || celsius > 45) return undefined;
  return Math.round(celsius * 10) / 10;
}

/** Whole years between a birth date (YYYY-MM-DD) and `now`. */
export function ageOn(birthDate: string, now: number): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate);
  if (!match) return undefined;
  const today = new Date(now);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  let age = today.getUTCFullYear() - year;
  if (today.getUTCMonth() + 1 < month || (today.getUTCMonth() + 1 === month && today.getUTCDate() < day))
    age -= 1;
  return age >= 0 ? age : undefined;
}
