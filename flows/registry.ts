// The flow registry handed to the engine by main.ts: all flows, the global interrupts that
// apply in every step (emergency phrases, language, menu, help, media, stale buttons), and
// the dispatch to the current step.
import type {
  ConversationState,
  Effect,
  FlowEvent,
  FlowRegistry,
  FlowSettings,
  KnownPatient,
  StepContext,
  StepResult,
} from '../src/conversation/flow.ts';
import type { ConversationAddress } from '../src/conversation/message.ts';
import { emergencyNumberFor, findRedFlag } from '../src/domain/red-flags.ts';
import { isLocale, type Locale } from '../src/i18n/locales.ts';
import { emergencyMessage, parseButton, send, type Flow, type Outcome, type StepDefinition } from './kit.ts';
import {
  appointmentApproved,
  appointmentReminder,
  appointments,
  reminderAnswer,
  booking,
  bookingResult,
  holdExpired,
  startAppointments,
  startBooking,
} from './booking.ts';
import { emergencyStop, intake } from './intake.ts';
import { menu, system } from './menu.ts';
import { onboarding } from './onboarding.ts';
import { checkoutMessage, paymentEvent } from './payment.ts';
import { deleteDataAnswer, privacyRequest, withdrawConsent, type PrivacyRequest } from './privacy.ts';

/** Bump when a saved state of the previous version can no longer be stepped. */
export const FLOW_VERSION = 1;

export const FLOWS: Flow[] = [onboarding, menu, intake, booking, appointments, system];

const STEPS = new Map<string, StepDefinition>(
  FLOWS.flatMap((flow) =>
    Object.entries(flow.steps).map(([name, step]) => [`${flow.name}.${name}`, step] as const),
  ),
);

const COUNTRY_OF_LOCALE: Partial<Record<Locale, string>> = {
  vi: 'VN',
  'zh-CN': 'CN',
  th: 'TH',
  ja: 'JP',
  fr: 'FR',
};

function stepDefinition(name: string): StepDefinition {
  const step = STEPS.get(name);
  if (!step) throw new Error(`unknown flow step ${name}`);
  return step;
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

/** Applies an outcome: checks the move is declared, then asks the next step's question. */
function settle(from: string, outcome: Outcome, context: StepContext): StepResult {
  if (!outcome.to) return { state: outcome.state, effects: outcome.effects };
  if (outcome.to !== from && !stepDefinition(from).next.includes(outcome.to)) {
    throw new Error(`flow step ${from} moved to undeclared step ${outcome.to}`);
  }
  return goTo(outcome.state, outcome.to, context, outcome.effects);
}

/** Repeats the current question after `effects`. */
function reprompt(state: ConversationState, context: StepContext, ...effects: Effect[]): StepResult {
  return goTo(state, state.step, context, effects);
}

/** Words that work in every step, in English and in the patient's language. */
function command(
  text: string,
  state: ConversationState,
  context: StepContext,
): 'menu' | 'help' | 'language' | 'start' | undefined {
  const word = text.trim().toLowerCase();
  if (word === '/start') return 'start';
  const t = context.text(state.locale);
  for (const name of ['menu', 'help', 'language'] as const) {
    if (word === `/${name}` || word === name || word === t(`commands.${name}`).toLowerCase()) return name;
  }
  return undefined;
}

type GlobalAction = 'menu' | 'help' | 'language' | 'start' | 'symptoms' | 'book' | 'appointments';

function globalAction(
  action: GlobalAction,
  state: ConversationState,
  context: StepContext,
): StepResult | undefined {
  const t = context.text(state.locale);
  const onboarded = Boolean(state.patientId);
  switch (action) {
    case 'language':
      return goTo({ ...state, draft: { ...state.draft, returnTo: state.step } }, 'menu.language', context);
    case 'help':
      return reprompt(
        state,
        context,
        send({ text: t('menu.helpText', { number: emergencyNumber(state, context.settings) }) }),
      );
    case 'book':
    case 'appointments': {
      if (!onboarded) return reprompt(state, context, send({ text: t('onboarding.finishFirst') }));
      const outcome = (action === 'book' ? startBooking : startAppointments)(state, context);
      return goTo(outcome.state, outcome.to ?? state.step, context, outcome.effects);
    }
    case 'symptoms':
      if (!onboarded) return reprompt(state, context, send({ text: t('onboarding.finishFirst') }));
      return goTo({ ...state, draft: {} }, 'intake.complaint', context, [
        send({ text: t('triage:intake.start') }),
      ]);
    case 'menu':
    case 'start':
      if (onboarded) return goTo({ ...state, draft: {} }, 'menu.main', context);
      if (state.step === 'onboarding.begin') return undefined;
      return reprompt(state, context, send({ text: t('onboarding.finishFirst') }));
  }
}

function emergencyNumber(state: ConversationState, settings: FlowSettings): string {
  return emergencyNumberFor(state.country, settings.emergencyNumbers, settings.hospitalCountry);
}

function changeLanguage(state: ConversationState, locale: Locale, context: StepContext): StepResult {
  const returnTo = state.draft.returnTo && STEPS.has(state.draft.returnTo) ? state.draft.returnTo : undefined;
  const { returnTo: _dropped, ...draft } = state.draft;
  const next: ConversationState = { ...state, locale, draft };
  const effects: Effect[] = [
    { type: 'setLocale', locale },
    send({ text: context.text(locale)('menu.languageChanged') }),
  ];
  const target =
    returnTo ??
    (state.step === 'menu.language' ? (state.patientId ? 'menu.main' : 'onboarding.consent') : state.step);
  return goTo(next, target, context, effects);
}

/** Menu buttons work from any message, old or new. */
const MENU_BUTTONS: Record<string, GlobalAction | undefined> = {
  main: 'menu',
  help: 'help',
  language: 'language',
  symptoms: 'symptoms',
  book: 'book',
  appointments: 'appointments',
};

/** How long after a nurse's message the patient's free text is taken as their answer. */
export const NURSE_THREAD_HOURS = 24;

/**
 * A message a staff member sent from the console: said as is, the conversation stays where it
 * is, and the patient's next free text goes back to that intake's thread.
 */
function staffMessage(
  state: ConversationState,
  data: Record<string, unknown>,
  context: StepContext,
): StepResult {
  const t = context.text(state.locale);
  const thread =
    typeof data.intakeId === 'string'
      ? { intakeId: data.intakeId, until: context.now + NURSE_THREAD_HOURS * 3_600_000 }
      : state.nurseThread;
  const next = thread ? { ...state, nurseThread: thread } : state;
  if (data.template === 'emergency')
    return {
      state: next,
      effects: [
        send(emergencyMessage(state, context, (number) => t('triage:staff.templates.emergency', { number }))),
      ],
    };
  const text =
    typeof data.template === 'string'
      ? t(`triage:staff.templates.${data.template}`, { number: emergencyNumber(state, context.settings) })
      : t('triage:staff.message', { text: typeof data.text === 'string' ? data.text : '' });
  return { state: next, effects: [send({ text })] };
}

/** The intake a nurse is waiting on an answer for, unless the current step reads typed answers. */
function openThread(state: ConversationState, context: StepContext): string | undefined {
  const thread = state.nurseThread;
  if (!thread || thread.until <= context.now) return undefined;
  return /^(intake|onboarding)\./.test(state.step) ? undefined : thread.intakeId;
}

/** Withdrawing consent ends the conversation's processing; "delete my data" explains first. */
function privacyAction(request: PrivacyRequest, state: ConversationState, context: StepContext): StepResult {
  if (request === 'deleteData') return reprompt(state, context, ...deleteDataAnswer(state, context));
  const withdrawn = withdrawConsent(state, context);
  return goTo(withdrawn.state, 'onboarding.declined', context, withdrawn.effects);
}

function step(state: ConversationState, event: FlowEvent, context: StepContext): StepResult {
  const t = context.text(state.locale);

  // The emergency interrupt comes before everything, in every step and every language.
  if (event.kind === 'text') {
    const redFlag = findRedFlag(event.text);
    if (redFlag) {
      const number = emergencyNumber(state, context.settings);
      const logged: Effect = {
        type: 'recordRedFlag',
        phrase: redFlag.phrase,
        phraseLocale: redFlag.locale,
        emergencyNumber: number,
      };
      // During an intake the questions stop and the intake is stored with the phrase; with a
      // nurse waiting on an answer, the message goes to that intake and raises it.
      if (state.step.startsWith('intake.') && state.patientId) {
        const outcome = emergencyStop(state, context, redFlag, event.text);
        return settle(state.step, { ...outcome, effects: [logged, ...outcome.effects] }, context);
      }
      const intakeId = openThread(state, context);
      const typed = { phrase: redFlag.phrase, locale: redFlag.locale, acuity: redFlag.acuity };
      return {
        state,
        effects: [
          logged,
          ...(intakeId ? [{ type: 'intakeReply' as const, intakeId, text: event.text, redFlag: typed }] : []),
          send(emergencyMessage(state, context, (n) => t('emergency.alert', { number: n }))),
        ],
      };
    }
    const action = command(event.text, state, context);
    const result = action && globalAction(action, state, context);
    if (result) return result;
    const privacy = privacyRequest(event.text, context);
    if (privacy) return privacyAction(privacy, state, context);
    const intakeId = openThread(state, context);
    if (intakeId && event.text.trim())
      return {
        state,
        effects: [
          { type: 'intakeReply', intakeId, text: event.text.trim().slice(0, 2000) },
          send({ text: t('triage:staff.replyPassedOn') }),
        ],
      };
  }

  switch (event.kind) {
    case 'media':
      return reprompt(state, context, send({ text: t('fallback.media') }));
    case 'edited':
      return reprompt(state, context, send({ text: t('fallback.edited') }));
    case 'location':
      return reprompt(state, context, send({ text: t('fallback.notExpected') }));
    case 'unfollow':
      // The patient blocked or left the bot: nothing can be sent; keep the state as it is.
      return { state, effects: [] };
    case 'follow':
      if (state.step !== 'onboarding.begin') return reprompt(state, context);
      break;
    case 'button': {
      const button = parseButton(event.data);
      if (button.step === 'lang' && isLocale(button.value))
        return changeLanguage(state, button.value, context);
      if (button.step === 'remind') {
        if (!state.patientId) return reprompt(state, context);
        const outcome = reminderAnswer(state, button.value, context);
        return outcome.to ? goTo(outcome.state, outcome.to, context, outcome.effects) : outcome;
      }
      if (button.step === 'privacy')
        return button.value === 'withdraw'
          ? privacyAction('withdraw', state, context)
          : reprompt(state, context);
      const menuAction = button.step === 'menu' ? MENU_BUTTONS[button.value] : undefined;
      if (menuAction) return globalAction(menuAction, state, context) ?? reprompt(state, context);
      if (button.step !== state.step)
        return reprompt(state, context, send({ text: t('fallback.staleButton') }));
      break;
    }
    case 'system':
      if (event.name === 'staff.message') return staffMessage(state, event.data, context);
      if (event.name === 'booking.approved') return appointmentApproved(state, event.data, context);
      if (event.name === 'booking.reminder') return appointmentReminder(state, event.data, context);
      if (event.name.startsWith('payment.')) {
        const told = paymentEvent(state, event.name, event.data, context);
        // News that needs no answer is followed by the menu, so the next step is one tap away.
        const plain = told.effects.every(
          (effect) => effect.type === 'send' && !effect.message.choices && !effect.message.links,
        );
        return state.step === 'menu.main' && plain && told.effects.length > 0
          ? reprompt(told.state, context, ...told.effects)
          : told;
      }
      if (event.name === 'booking.holdExpired') {
        const outcome = holdExpired(state, event.data, context);
        return outcome.to ? settle(state.step, outcome, context) : outcome;
      }
      // The hospital answered after the patient moved on: nothing to say, except the payment
      // link they asked for (the slot is held for them meanwhile).
      if (!/^(booking|appointments)\./.test(state.step)) {
        const stray = bookingResult(event);
        if (stray?.kind === 'checkout')
          return { state, effects: [send(checkoutMessage(state, stray, context))] };
        if (stray) return { state, effects: [] };
      }
      break;
    case 'text':
    case 'contact':
      break;
  }

  return settle(state.step, stepDefinition(state.step).handle(state, event, context), context);
}

function start(
  address: ConversationAddress,
  locale: Locale,
  patient: KnownPatient | undefined,
  reason: 'new' | 'upgraded',
  settings: FlowSettings,
): ConversationState {
  const known = patient?.consented && patient.profileComplete ? patient : undefined;
  // After an upgrade the conversation's own language stands; a new one takes the language the
  // patient chose before, if we know them, over the platform's guess.
  const chosenLocale = reason === 'upgraded' ? locale : (patient?.locale ?? locale);
  return {
    version: FLOW_VERSION,
    step: reason === 'upgraded' ? 'system.upgraded' : known ? 'menu.welcomeBack' : 'onboarding.begin',
    locale: chosenLocale,
    channel: address.channel,
    patientId: known?.id,
    birthDate: known?.birthDate,
    country: patient?.country ?? COUNTRY_OF_LOCALE[chosenLocale] ?? settings.hospitalCountry,
    draft: known && reason === 'new' ? { displayName: known.displayName } : {},
    outSeq: 0,
  };
}

/** The registry main.ts hands to the engine. */
export const flowRegistry: FlowRegistry = { version: FLOW_VERSION, start, step };

/** Every step with its declared next steps, for the diagrams. */
export function flowGraph(): { flow: string; steps: { name: string; next: string[] }[] }[] {
  return FLOWS.map((flow) => ({
    flow: flow.name,
    steps: Object.entries(flow.steps).map(([name, definition]) => ({
      name: `${flow.name}.${name}`,
      next: definition.next,
    })),
  }));
}
