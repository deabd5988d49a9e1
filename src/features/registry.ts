// The flow registry handed to the engine, built from the features: every feature's steps, the
// reactions that work in every step (emergency phrases first, then what the features declare:
// menu items, words, buttons from old messages, system events), and the dispatch to the
// current step. It names no feature: each brings its own reactions.
import type {
  ConversationState,
  Effect,
  FlowEvent,
  FlowRegistry,
  StepContext,
  StepResult,
  SystemEvent,
} from '../conversation/flow.ts';
import { findRedFlag } from '../domain/red-flags.ts';
import type { Feature, FlowLookup, Reaction } from './feature.ts';
import { emergencyMessage, parseButton, send, type Flow, type Outcome, type StepDefinition } from './kit.ts';

/**
 * Bump when the saved state changes shape, with a migration keyed by the new version in the
 * feature whose part changed. 2: booking's lists moved from JSON strings in the draft to
 * `state.booking`.
 */
export const FLOW_VERSION = 2;

/** A label as typed or shown, without case, spacing or the emoji some labels start with. */
const labelKey = (label: string): string =>
  label
    .normalize('NFKC')
    .replace(/[\p{Extended_Pictographic}\uFE0F\u200D]/gu, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLocaleLowerCase();

/** The flows as the engine sees them, plus what the diagrams need. */
export interface FeatureFlows extends FlowRegistry {
  migrate(state: ConversationState): ConversationState | undefined;
  flows: Flow[];
  graph(): { flow: string; steps: { name: string; next: string[] }[] }[];
}

export function createFlowRegistry(features: Feature[]): FeatureFlows {
  const steps = new Map<string, { definition: StepDefinition; flow: Flow; feature: Feature }>();
  for (const feature of features)
    for (const flow of feature.flows)
      for (const [name, definition] of Object.entries(flow.steps))
        steps.set(`${flow.name}.${name}`, { definition, flow, feature });

  const lookup: FlowLookup = {
    has: (step) => steps.has(step),
    featureOf: (step) => steps.get(step)?.feature.name,
    typedAnswers: (step) => Boolean(steps.get(step)?.flow.typedAnswers),
  };
  const menu = new Map(features.flatMap((feature) => Object.entries(feature.menu ?? {})));
  const buttons = new Map(features.flatMap((feature) => Object.entries(feature.buttons ?? {})));

  function stepDefinition(name: string): StepDefinition {
    const step = steps.get(name);
    if (!step) throw new Error(`unknown flow step ${name}`);
    return step.definition;
  }

  /** Moves to `step` after `effects` and asks that step's question. */
  function goTo(
    state: ConversationState,
    step: string,
    context: StepContext,
    effects: Effect[] = [],
  ): StepResult {
    const next = { ...state, step };
    return { state: next, effects: [...effects, ...stepDefinition(step).prompt(next, context).map(send)] };
  }

  /** Applies a step's outcome: checks the move is declared, then asks the next step's question. */
  function settle(from: string, outcome: Outcome, context: StepContext): StepResult {
    if (!outcome.to) return { state: outcome.state, effects: outcome.effects };
    if (outcome.to !== from && !stepDefinition(from).next.includes(outcome.to)) {
      throw new Error(`flow step ${from} moved to undeclared step ${outcome.to}`);
    }
    return goTo(outcome.state, outcome.to, context, outcome.effects);
  }

  /** Applies a reaction from outside the step: it may move anywhere. */
  function apply(outcome: Outcome, context: StepContext): StepResult {
    return outcome.to ? goTo(outcome.state, outcome.to, context, outcome.effects) : outcome;
  }

  function menuAction(name: string, state: ConversationState, context: StepContext): Outcome | undefined {
    const action = menu.get(name);
    if (!action) return undefined;
    if (action.needsPatient && !state.patientId)
      return {
        state,
        effects: [send({ text: context.text(state.locale)('onboarding.finishFirst') })],
        to: state.step,
      };
    const outcome = action.run(state, context, lookup);
    return outcome && { ...outcome, to: outcome.to ?? state.step };
  }

  function first<A extends unknown[]>(
    reactions: (Reaction<A> | undefined)[],
    state: ConversationState,
    args: A,
    context: StepContext,
  ): Outcome | undefined {
    for (const reaction of reactions) {
      const outcome = reaction?.(state, ...args, context, lookup);
      if (outcome) return outcome;
    }
    return undefined;
  }

  function systemEvent(
    state: ConversationState,
    event: SystemEvent,
    context: StepContext,
  ): Outcome | undefined {
    type AnyReaction = Reaction<[SystemEvent]> | undefined;
    const everywhere = features.map((feature) => feature.events?.[event.name] as AnyReaction);
    const stray = features.map((feature) =>
      lookup.featureOf(state.step) === feature.name
        ? undefined
        : (feature.strayEvents?.[event.name] as AnyReaction),
    );
    return first([...everywhere, ...stray], state, [event], context);
  }

  function emergency(state: ConversationState, text: string, context: StepContext): StepResult | undefined {
    const flag = findRedFlag(text);
    if (!flag) return undefined;
    const typed = { phrase: flag.phrase, locale: flag.locale, acuity: flag.acuity };
    const effects: Effect[] = [];
    for (const feature of features) {
      const answer = feature.redFlag?.(state, typed, text, context, lookup);
      if (answer && 'takeOver' in answer)
        return settle(
          state.step,
          { ...answer.takeOver, effects: [...effects, ...answer.takeOver.effects] },
          context,
        );
      if (answer) effects.push(...answer.effects);
    }
    const t = context.text(state.locale);
    const alert = (number: string) => {
      const own = t('emergency.alert', { number });
      // Typed in another language than the conversation's: whoever typed it (a relative, a
      // patient who changed language) may read only that one.
      if (flag.locale === state.locale) return own;
      return `${own}\n\n${context.text(flag.locale)('emergency.alert', { number })}`;
    };
    effects.push(send(emergencyMessage(state, context, alert)));
    return { state, effects };
  }

  /**
   * The press of the button of the question being asked whose label the patient typed (a web
   * chat user typing "Cardiology" under the Cardiology button): one exact match only.
   */
  function typedLabel(state: ConversationState, text: string, context: StepContext): FlowEvent | undefined {
    const typed = labelKey(text);
    if (!typed) return undefined;
    const matching = stepDefinition(state.step)
      .prompt(state, context)
      .flatMap((message) => message.choices ?? [])
      .filter((choice) => labelKey(choice.label) === typed);
    return matching.length === 1 ? { kind: 'button', data: matching[0]!.data } : undefined;
  }

  function step(state: ConversationState, event: FlowEvent, context: StepContext): StepResult {
    const t = context.text(state.locale);

    // The emergency interrupt comes before everything, in every step and every language.
    if (event.kind === 'text') {
      const alerted = emergency(state, event.text, context);
      if (alerted) return alerted;
      const understood = first(
        features.map((feature) => feature.text),
        state,
        [event.text],
        context,
      );
      if (understood) return apply(understood, context);
      const press = typedLabel(state, event.text, context);
      if (press) return step(state, press, context);
    }

    switch (event.kind) {
      case 'media':
        return goTo(state, state.step, context, [send({ text: t('fallback.media') })]);
      case 'edited':
        return goTo(state, state.step, context, [send({ text: t('fallback.edited') })]);
      case 'location':
        return goTo(state, state.step, context, [send({ text: t('fallback.notExpected') })]);
      case 'unfollow':
        // The patient blocked or left the bot: nothing can be sent; keep the state as it is.
        return { state, effects: [] };
      case 'follow':
        // Following is a greeting only before the first step has answered anything.
        if (stepDefinition(state.step) !== firstStep) return goTo(state, state.step, context);
        break;
      case 'button': {
        const button = parseButton(event.data);
        if (button.step === 'menu' && menu.has(button.value))
          return apply(
            menuAction(button.value, state, context) ?? { state, effects: [], to: state.step },
            context,
          );
        const pressed = buttons.get(button.step)?.(state, button.value, context, lookup);
        if (pressed) return apply(pressed, context);
        if (button.step !== state.step)
          return goTo(state, state.step, context, [send({ text: t('fallback.staleButton') })]);
        break;
      }
      case 'system': {
        const told = systemEvent(state, event, context);
        if (told) return apply(told, context);
        break;
      }
      case 'text':
      case 'contact':
        break;
    }

    return settle(state.step, stepDefinition(state.step).handle(state, event, context), context);
  }

  const [firstFeature] = features;
  const firstFlow = firstFeature?.flows[0];
  const firstStep = firstFlow ? Object.values(firstFlow.steps)[0] : undefined;

  const starter = features.find((feature) => feature.start)?.start;
  if (!starter) throw new Error('no feature starts conversations');
  const start: FlowRegistry['start'] = (...args) => ({ ...starter(...args), version: FLOW_VERSION });

  /** Applies each version's migrations in turn; undefined when a version has none. */
  function migrate(saved: ConversationState): ConversationState | undefined {
    let state = saved;
    for (let version = saved.version + 1; version <= FLOW_VERSION; version += 1) {
      const steps = features.flatMap((feature) => feature.migrations?.[version] ?? []);
      if (steps.length === 0) return undefined;
      state = { ...steps.reduce((current, migration) => migration(current), state), version };
    }
    return state;
  }

  const deciders = features.flatMap((feature) => feature.consentDecision ?? []);
  const consentDecision = (effects: readonly Effect[]): boolean | undefined => {
    let decision: boolean | undefined;
    for (const effect of effects) for (const decide of deciders) decision = decide(effect) ?? decision;
    return decision;
  };

  const flows = features.flatMap((feature) => feature.flows);
  return {
    version: FLOW_VERSION,
    start,
    step,
    migrate,
    consentDecision,
    flows,
    graph: () =>
      flows.map((flow) => ({
        flow: flow.name,
        steps: Object.entries(flow.steps).map(([name, definition]) => ({
          name: `${flow.name}.${name}`,
          next: definition.next,
        })),
      })),
  };
}
