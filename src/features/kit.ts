// The small vocabulary flows are written in: a step declares where it can lead (for the
// diagrams) and reacts to events; moving to a step asks that step's question.
import type { ConversationState, Effect, FlowEvent, StepContext } from '../conversation/flow.ts';
import type { Choice, OutboundMessage } from '../conversation/message.ts';
import { emergencyNumberFor, homeEmergencyNumber } from '../domain/red-flags.ts';

/** What a step decided: new state, effects, and optionally the step to move to. */
export interface Outcome {
  state: ConversationState;
  effects: Effect[];
  /** Qualified step to move to; its prompt is sent after `effects`. */
  to?: string;
}

export interface StepDefinition {
  /** Steps this one may lead to (drawn in docs/flows, checked at run time). */
  next: string[];
  /** The question this step asks when entered or repeated. */
  prompt(state: ConversationState, context: StepContext): OutboundMessage[];
  /** Reaction to an event while the conversation waits here. */
  handle(state: ConversationState, event: FlowEvent, context: StepContext): Outcome;
}

export interface Flow {
  name: string;
  /**
   * Its steps read what the patient types as answers, so free text is not taken for a reply
   * to a nurse meanwhile.
   */
  typedAnswers?: boolean;
  /** Steps by their short name; qualified as "<flow>.<step>". */
  steps: Record<string, StepDefinition>;
}

/** Button data: the step that asked, and the answer. Lets us spot a button from an old message. */
export function buttonData(step: string, value: string): string {
  return `${step}|${value}`;
}

/** Splits button data into its step and value. */
export function parseButton(data: string): { step: string; value: string } {
  const at = data.lastIndexOf('|');
  return at < 0 ? { step: '', value: data } : { step: data.slice(0, at), value: data.slice(at + 1) };
}

/** Answer buttons for `step`. */
export function choices(step: string, options: [value: string, label: string][]): Choice[] {
  return options.map(([value, label]) => ({ data: buttonData(step, value), label }));
}

export const send = (message: OutboundMessage): Effect => ({ type: 'send', message });

/** Text the patient typed, or undefined for any other event. */
export function typedText(event: FlowEvent): string | undefined {
  return event.kind === 'text' ? event.text.trim() : undefined;
}

/** The value of a button pressed on `step`'s own question, or undefined. */
export function pressed(event: FlowEvent, step: string): string | undefined {
  if (event.kind !== 'button') return undefined;
  const button = parseButton(event.data);
  return button.step === step ? button.value : undefined;
}

/** Stay on this step, saying `messages` and asking again. */
export function stay(state: ConversationState, ...effects: Effect[]): Outcome {
  return { state, effects, to: state.step };
}

/**
 * A typed answer: parsed into `field` of the draft before moving to `to`, or, when `parse`
 * refuses it, `invalid` is said and the question asked again.
 */
export function collect(
  state: ConversationState,
  event: FlowEvent,
  parse: (text: string) => string | undefined,
  field: string,
  to: string,
  invalid: string,
): Outcome {
  const typed = typedText(event);
  const value = typed === undefined ? undefined : parse(typed);
  if (!value) return stay(state, send({ text: invalid }));
  return { state: { ...state, draft: { ...state.draft, [field]: value } }, effects: [], to };
}

/**
 * Emergency guidance as one urgent message: `text` (given the hospital country's number), a
 * line with the home number for a phone from abroad, and a call button for each.
 */
export function emergencyMessage(
  state: ConversationState,
  context: StepContext,
  text: (number: string) => string,
): OutboundMessage {
  const t = context.text(state.locale);
  const { emergencyNumbers, hospitalCountry } = context.settings;
  const number = emergencyNumberFor(state.country, emergencyNumbers, hospitalCountry);
  const home = homeEmergencyNumber(state.country, emergencyNumbers, hospitalCountry);
  const lines = [text(number)];
  // "15/112" is two numbers to dial, each its own button.
  const dial = (numbers: string) =>
    numbers
      .split(/[/,]/)
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part) => ({ label: t('emergency.call', { number: part }), number: part }));
  const calls = dial(number);
  if (home) {
    const country = new Intl.DisplayNames([state.locale], { type: 'region' }).of(home.country);
    lines.push(t('emergency.abroad', { country: country ?? home.country, number: home.number }));
    calls.push(...dial(home.number));
  }
  return { text: lines.join('\n\n'), urgent: true, calls };
}
