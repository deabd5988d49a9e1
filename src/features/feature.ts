// What a feature is: one folder (src/features/<name>/) that brings its flows, the handlers of
// its effects, its typed system events and its console API. The flow registry and the engine
// are built from the list in src/features/index.ts; neither names a feature.
import type {
  ConversationState,
  Effect,
  EffectHandlers,
  FlowRegistry,
  StateMigration,
  StepContext,
  SystemEventName,
  SystemEventOf,
} from '../conversation/flow.ts';
import type { ConsolePlugin } from '../server/console/plugin.ts';
import type { BookingService } from '../domain/booking.ts';
import type { IntakeRecorder, TypedRedFlag } from '../domain/intakes.ts';
import type { CheckoutSettlement } from '../domain/paid-booking.ts';
import type { PatientDirectory } from '../domain/patients.ts';
import type { QueueDesk } from '../domain/queue.ts';
import type { CheckInTokens } from '../security/checkin-token.ts';
import type { Flow, Outcome } from './kit.ts';

/**
 * A feature's console API (the web front end's plugin type, once src/server/console/plugin.ts
 * names it).
 */

/** The domain ports effect handlers speak to, handed over by the composition root. */
export interface FeatureServices {
  directory: PatientDirectory;
  intakes: IntakeRecorder;
  booking: BookingService;
  payments: CheckoutSettlement;
  /** The hospital's queues: check-in, walk-in tickets, the patient's ticket. */
  queue: QueueDesk;
  /** Signed check-in and live-ticket links (the QR codes). */
  checkInTokens: CheckInTokens;
}

/** What reactions outside a step may ask of the flows. */
export interface FlowLookup {
  has(step: string): boolean;
  /** The feature whose flow `step` belongs to. */
  featureOf(step: string): string | undefined;
  /** Whether `step` reads what the patient types as answers (Flow.typedAnswers). */
  typedAnswers(step: string): boolean;
}

/**
 * A reaction outside the current step. An outcome with `to` moves there (any step: these work
 * from everywhere); undefined leaves the event to the next reaction, then to the step.
 */
export type Reaction<A extends unknown[]> = (
  state: ConversationState,
  ...args: [...A, context: StepContext, flows: FlowLookup]
) => Outcome | undefined;

/** A menu item ("menu|<name>" buttons, and the words that name it). */
export interface MenuAction {
  /** Only for a registered patient; others are asked to finish registering first. */
  needsPatient?: boolean;
  run: Reaction<[]>;
}

export type EventReactions = { [K in SystemEventName]?: Reaction<[event: SystemEventOf<K>]> };

export interface Feature {
  name: string;
  flows: Flow[];
  /** Handlers for the effects this feature's steps decide. */
  effects?(services: FeatureServices): EffectHandlers;
  /** System events answered wherever the patient is. */
  events?: EventReactions;
  /** System events its own steps read, answered by these only while the patient is elsewhere. */
  strayEvents?: EventReactions;
  menu?: Record<string, MenuAction>;
  /** Buttons that work from any message: "<prefix>|<value>". */
  buttons?: Record<string, Reaction<[value: string]>>;
  /** Typed text this feature understands in every step (tried in the order of the features). */
  text?: Reaction<[text: string]>;
  /**
   * An emergency phrase was typed: the alert is always given; a feature may add effects, or
   * take the answer over (an intake stops its questions).
   */
  redFlag?: (
    state: ConversationState,
    flag: TypedRedFlag,
    text: string,
    context: StepContext,
    flows: FlowLookup,
  ) => { takeOver: Outcome } | { effects: Outcome['effects'] } | undefined;
  /**
   * This feature's part of moving a saved state to a new version, keyed by that version (as
   * grammY's session migrations are): version 2's migration turns a version-1 state into a 2.
   */
  migrations?: Record<number, StateMigration>;
  /** The initial state of a conversation (one feature, the first contact's, starts them). */
  start?: FlowRegistry['start'];
  /** Its console API routes and the permissions they need. */
  console?: ConsolePlugin;
  /** Reads the patient's consent decision from an effect of this feature (FlowRegistry). */
  consentDecision?: (effect: Effect) => boolean | undefined;
}
