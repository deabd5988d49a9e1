// What a flow is: pure steps from (state, event, context) to (next state, effects). Flows live
// in src/features/ and are handed to the engine by the composition root; the engine never
// imports them.
import type { KnownPatient } from '../domain/patients.ts';
import type { FeeTable } from '../domain/payments.ts';
import type { TriageResult } from '../domain/triage.ts';
import type { Locale } from '../i18n/locales.ts';
import type { ChannelName, ConversationAddress, InboundContent, OutboundMessage } from './message.ts';

/** The saved conversation of one patient on one channel (JSON in the key-value store, with a TTL). */
export interface ConversationState {
  /** Flow version the state was written by; an older one is migrated (or restarts politely). */
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

/**
 * The system events features declare, by name: each feature's events.ts adds its members with
 * `declare module '../../conversation/flow.ts' { interface SystemEventMap { ... } }`, so the
 * engine carries them without knowing any of them. Payloads are JSON values, never JSON strings.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface SystemEventMap {}

export type SystemEventName = keyof SystemEventMap;

/** Something that happened outside the patient's messages (an effect's result, a timer, staff). */
export type SystemEvent = {
  [K in SystemEventName]: { kind: 'system'; name: K; data: SystemEventMap[K] };
}[SystemEventName];

/** The system event called `name`. */
export type SystemEventOf<K extends SystemEventName> = Extract<SystemEvent, { name: K }>;

/** Everything a step can react to. */
export type FlowEvent = InboundContent | SystemEvent;

/**
 * Effects by type: the engine's own (messages and timers) here, every other one declared by
 * the feature that handles it (its effects.ts augments this interface and registers a handler).
 */
export interface EffectMap {
  send: { message: OutboundMessage };
  /**
   * A timer: `event` comes back to this conversation at `at` (epoch ms). Scheduling an `id`
   * again replaces its timer; timers survive restarts of Redis and of the process.
   */
  schedule: { id: string; at: number; event: SystemEvent };
  cancelSchedule: { id: string };
}

export type EffectType = keyof EffectMap;

/** Things a step decides; the engine performs them. Data only. */
export type Effect = { [K in EffectType]: { type: K } & EffectMap[K] }[EffectType];

export type EffectOf<K extends EffectType> = Extract<Effect, { type: K }>;

/** What a handler knows of the effect it performs. */
export interface EffectContext {
  address: ConversationAddress;
  /** The conversation's language when the effect was decided. */
  locale: Locale;
  /** Unique and stable per effect: handlers are idempotent by it (it survives retries). */
  effectId: string;
  /**
   * When the step decided it (epoch ms): jobs run out of order and retry late, so a decision
   * (a consent given, then withdrawn) is dated by this, not by when its job ran.
   */
  decidedAt: number;
  /** Hands the effect's result back to the conversation, once however often it is retried. */
  notify: (event: SystemEvent) => Promise<void>;
}

export type EffectHandler<K extends EffectType> = (
  effect: EffectOf<K>,
  context: EffectContext,
) => Promise<void>;

/** Handlers a feature registers with the engine, by effect type. */
export type EffectHandlers = { [K in EffectType]?: EffectHandler<K> };

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

/** Turns a state saved by the version before the one it is keyed by into that version's shape. */
export type StateMigration = (state: ConversationState) => ConversationState;

/** Why a conversation starts from scratch. */
export type StartReason = 'new' | 'upgraded';

/** The flows as the engine sees them. */
export interface FlowRegistry {
  /** Bumped whenever the saved state changes shape; older states are migrated when they can be. */
  version: number;
  /**
   * A state saved by an older version, brought up to this one; undefined when no migration
   * leads here (the conversation then restarts politely).
   */
  migrate?(state: ConversationState): ConversationState | undefined;
  /** Initial state of a conversation; its first step greets whatever event comes first. */
  start(
    address: ConversationAddress,
    locale: Locale,
    patient: KnownPatient | undefined,
    reason: StartReason,
    settings: FlowSettings,
  ): ConversationState;
  step(state: ConversationState, event: FlowEvent, context: StepContext): StepResult;
  /**
   * The patient's consent decision among a step's effects (granted or refused), undefined when
   * they decide nothing: the engine keeps an unconsented conversation for a shorter time.
   */
  consentDecision?(effects: readonly Effect[]): boolean | undefined;
}
