// What a flow is: pure steps from (state, event, context) to (next state, effects). Flows live
// in flows/ and are handed to the engine by main.ts; the engine never imports them.
import type { FeeTable } from '../domain/payments.ts';
import type { Acuity, Department, IntakeAnswers, TriageResult } from '../domain/triage.ts';
import type { Locale } from '../i18n/locales.ts';
import type { ChannelName, ConversationAddress, InboundContent, OutboundMessage } from './message.ts';

/** The saved conversation of one patient on one channel (JSON in the key-value store, with a TTL). */
export interface ConversationState {
  /** Flow version the state was written by; another version restarts politely. */
  version: number;
  /** Current step, qualified by its flow: "onboarding.name". */
  step: string;
  locale: Locale;
  /** The channel, for wording that depends on it (only Telegram can share a phone number). */
  channel?: ChannelName;
  patientId?: string;
  /** YYYY-MM-DD, for age-dependent triage questions. */
  birthDate?: string;
  /** The latest triage result: what booking must honour (no symptoms, only the decision). */
  triage?: Pick<TriageResult, 'acuity' | 'department' | 'reviewRequired' | 'bookingUrgency'>;
  /** Country for phone numbers and the emergency number (ISO 3166-1 alpha-2). */
  country: string;
  /** Answers collected by the current flow, cleared when it ends. Never diagnosis text. */
  draft: Record<string, string>;
  /** Sequence number of the last batch of outbound messages. */
  outSeq: number;
  /**
   * The intake a nurse last wrote about, until when: the patient's free text goes to that
   * intake's thread in the console meanwhile (outside steps that read typed answers).
   */
  nurseThread?: { intakeId: string; until: number };
  /** Whether the patient has consented (kept by the engine, from the consent effects). */
  consented?: boolean;
}

/** A result from an effect, fed back to the conversation as an event. */
export interface SystemEvent {
  kind: 'system';
  name: string;
  data: Record<string, string | boolean | undefined>;
}

/** Everything a step can react to. */
export type FlowEvent = InboundContent | SystemEvent;

/** Things a step decides; the engine performs them. Data only. */
export type Effect =
  | { type: 'send'; message: OutboundMessage }
  | { type: 'recordConsent'; purpose: 'health-data'; textVersion: string; granted: boolean }
  | { type: 'identifyPatient'; fullName: string; birthDate: string; phone: string; country: string }
  | { type: 'recordRedFlag'; phrase: string; phraseLocale: Locale; emergencyNumber: string }
  | { type: 'setLocale'; locale: Locale }
  | { type: 'recordIntake'; patientId: string; intake: IntakeRecord }
  /** The patient's words for the nurse, on an intake's thread; an emergency phrase raises it. */
  | { type: 'intakeReply'; intakeId: string; text: string; redFlag?: TypedRedFlag }
  | { type: 'booking'; patientId: string; request: BookingRequest };

/** What booking asks of the hospital; the answer comes back as the system event "booking". */
export type BookingRequest =
  | { kind: 'doctors'; department: Department }
  | {
      kind: 'slots';
      department: Department;
      scheduleId?: string;
      day: string;
      sameDayOnly: boolean;
      /** Paging through the day: only times after this instant (ISO). */
      after?: string;
    }
  | {
      kind: 'book';
      slotId: string;
      department: Department;
      bookingKey: string;
      pending: boolean;
      /** Moving an appointment: this one is cancelled once the new one is booked. */
      replaces?: string;
    }
  | { kind: 'hold'; slotId: string }
  /** A consultation with a fee: open a Checkout session; the slot is booked once it is paid. */
  | {
      kind: 'checkout';
      slotId: string;
      /** The slot's time, echoed in the answer so the payment message can name it anywhere. */
      start: string;
      department: Department;
      pending: boolean;
      locale: Locale;
    }
  | { kind: 'appointments' }
  | { kind: 'cancel'; appointmentId: string };

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

/** Looks up patient-facing text in one language. */
export type Translate = (key: string, values?: Record<string, string | number>) => string;

/** What a step may read besides state and event: text, settings and time. */
export interface StepContext {
  /** Text in `locale`, from locales/. */
  text: (locale: Locale) => Translate;
  now: number;
  settings: FlowSettings;
}

export interface FlowSettings {
  hospitalName: string;
  /** Phone and address, for patients the chat cannot help (consent declined or withdrawn). */
  hospitalPhone: string;
  hospitalAddress: string;
  hospitalCountry: string;
  emergencyNumbers: Record<string, string>;
  privacyUrl: string;
  /** IANA zone in which appointment times are shown. */
  hospitalTimeZone: string;
  /** How long a chosen slot is held while the patient confirms. */
  bookingHoldMinutes: number;
  /** Consultation fees; a department with fee 0 books without paying. */
  fees: FeeTable;
}

export interface StepResult {
  state: ConversationState;
  effects: Effect[];
}

/** Why a conversation starts from scratch. */
export type StartReason = 'new' | 'upgraded';

/** The flows as the engine sees them. */
export interface FlowRegistry {
  /** Bumped whenever a saved state of the previous version could no longer be stepped. */
  version: number;
  /** Initial state of a conversation; its first step greets whatever event comes first. */
  start(
    address: ConversationAddress,
    locale: Locale,
    patient: KnownPatient | undefined,
    reason: StartReason,
    settings: FlowSettings,
  ): ConversationState;
  step(state: ConversationState, event: FlowEvent, context: StepContext): StepResult;
}
