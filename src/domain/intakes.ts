// Intakes as the nurse console sees them, and the ports that store them. The triage decision
// itself is in triage.ts; this is what happens to it afterwards.
import type { ConversationAddress } from '../conversation/message.ts';
import type { Locale } from '../i18n/locales.ts';
import type { Acuity, Answer, Department, IntakeAnswers, TriageResult } from './triage.ts';

/** An emergency phrase the patient typed, as the catalogue (src/domain/red-flags.ts) names it. */
export interface TypedRedFlag {
  phrase: string;
  locale: Locale;
  acuity: Acuity;
}

/** A finished symptom intake as the flow hands it over for storage and nurse review. */
export interface IntakeRecord {
  answers: IntakeAnswers;
  /** The patient's own words, if any: stored encrypted, never kept in conversation state. */
  description?: string;
  result: TriageResult;
  rulesVersion: string;
  locale: Locale;
  /** Emergency phrases typed during the intake (they raised `result`). */
  typedRedFlags?: TypedRedFlag[];
}

export const INTAKE_STATUSES = ['new', 'reviewed', 'closed'] as const;
export type IntakeStatus = (typeof INTAKE_STATUSES)[number];

/** A row of the triage inbox. */
export interface IntakeSummary {
  id: string;
  createdAt: Date;
  acuity: Acuity;
  triageAcuity: Acuity;
  department: Department;
  status: IntakeStatus;
  reviewRequired: boolean;
  complaint: string;
  /** Red-flag questions answered "yes". */
  redFlags: string[];
  /** Emergency phrases the patient typed (during the intake or on its thread): an alert. */
  typedRedFlags: TypedRedFlag[];
  patientName: string;
  channel: ConversationAddress['channel'];
  locale: string;
}

/** Something staff did on an intake. */
export interface IntakeAction {
  at: Date;
  /** "reply" is the patient writing on the intake's thread (no staff member). */
  kind: 'acuity' | 'route' | 'message' | 'close' | 'approve' | 'reply';
  staff: string;
  detail: Record<string, string | number>;
}

export interface IntakeDetail extends IntakeSummary {
  answers: IntakeAnswers;
  description?: string;
  reasons: string[];
  bookingUrgency: string;
  rulesVersion: string;
  patient: { id: string; fullName: string; birthDate: string; phone: string };
  address: ConversationAddress;
  actions: IntakeAction[];
}

/** Where the engine hands finished intakes. */
export interface IntakeRecorder {
  /** Idempotent by `sourceKey`: a retried effect stores the intake once. */
  record(
    address: ConversationAddress,
    patientId: string,
    intake: IntakeRecord,
    sourceKey: string,
  ): Promise<void>;
  /**
   * The patient's words on an intake's thread (idempotent by `sourceKey`); only for an intake
   * of the same conversation. An emergency phrase raises the intake and reopens it for review.
   */
  patientReply(
    address: ConversationAddress,
    intakeId: string,
    reply: { text: string; redFlag?: TypedRedFlag },
    sourceKey: string,
  ): Promise<void>;
}

/** Red-flag questions answered "yes". */
export function redFlagsOf(answers: IntakeAnswers): string[] {
  return Object.entries(answers.redFlags)
    .filter(([, answer]: [string, Answer]) => answer === 'yes')
    .map(([id]) => id);
}

/** Messages a nurse can send in the patient's own language (locales/<lang>/triage.json). */
export const STAFF_MESSAGE_TEMPLATES = ['reviewed', 'comeToday', 'emergency', 'moreInfo'] as const;
export type StaffMessageTemplate = (typeof STAFF_MESSAGE_TEMPLATES)[number];

/** The triage inbox as staff work it: read intakes, and act on open ones (false when not found or closed). */
export interface IntakeDesk {
  inbox(): Promise<IntakeSummary[]>;
  detail(id: string): Promise<IntakeDetail | undefined>;
  /** Confirms (same level) or overrides the acuity; either way the intake counts as reviewed. */
  setAcuity(id: string, staffId: string, acuity: Acuity, reason: string): Promise<boolean>;
  route(id: string, staffId: string, department: Department): Promise<boolean>;
  logMessage(id: string, staffId: string, message: Record<string, string>): Promise<boolean>;
  /** Records that a nurse approved a booking that triage had held for review. */
  logApproval(id: string, staffId: string, appointment: { start: string }): Promise<boolean>;
  close(id: string, staffId: string): Promise<boolean>;
}
