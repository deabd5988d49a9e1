// What works in every step for everyone: the words "menu", "help" and "language" (in English
// and the patient's language), the language buttons, privacy requests, and the first state of
// a conversation.
import type { ConversationState, Effect, FlowRegistry, StepContext } from '../../conversation/flow.ts';
import { emergencyNumberFor } from '../../domain/red-flags.ts';
import { isLocale, type Locale } from '../../i18n/locales.ts';
import type { FlowLookup, MenuAction } from '../feature.ts';
import { send, stay, type Outcome } from '../kit.ts';
import { deleteDataAnswer, privacyRequest, withdrawConsent, type PrivacyRequest } from './privacy.ts';

const COUNTRY_OF_LOCALE: Partial<Record<Locale, string>> = {
  vi: 'VN',
  'zh-CN': 'CN',
  th: 'TH',
  ja: 'JP',
  fr: 'FR',
};

const emergencyNumber = (state: ConversationState, context: StepContext) =>
  emergencyNumberFor(state.country, context.settings.emergencyNumbers, context.settings.hospitalCountry);

/** The main menu for a registered patient; before registering, the question where they are. */
const toMenu: MenuAction['run'] = (state, context) => {
  if (state.patientId) return { state: { ...state, draft: {} }, effects: [], to: 'menu.main' };
  if (state.step === 'onboarding.begin') return undefined;
  return stay(state, send({ text: context.text(state.locale)('onboarding.finishFirst') }));
};

export const menuActions: Record<string, MenuAction> = {
  main: { run: toMenu },
  help: {
    run: (state, context) =>
      stay(
        state,
        send({
          text: context.text(state.locale)('menu.helpText', { number: emergencyNumber(state, context) }),
        }),
      ),
  },
  language: {
    run: (state) => ({
      state: { ...state, draft: { ...state.draft, returnTo: state.step } },
      effects: [],
      to: 'menu.language',
    }),
  },
};

/** Words that work in every step, in English and in the patient's language. */
function command(text: string, state: ConversationState, context: StepContext): MenuAction | undefined {
  const word = text.trim().toLowerCase();
  if (word === '/start') return menuActions.main;
  const t = context.text(state.locale);
  for (const [name, action] of [
    ['menu', menuActions.main],
    ['help', menuActions.help],
    ['language', menuActions.language],
  ] as const) {
    if (word === `/${name}` || word === name || word === t(`commands.${name}`).toLowerCase()) return action;
  }
  return undefined;
}

/** Withdrawing consent ends the conversation's processing; "delete my data" explains first. */
export function privacyAction(
  request: PrivacyRequest,
  state: ConversationState,
  context: StepContext,
): Outcome {
  if (request === 'deleteData') return stay(state, ...deleteDataAnswer(state, context));
  const withdrawn = withdrawConsent(state, context);
  return { ...withdrawn, to: 'onboarding.declined' };
}

/** Commands, then privacy requests. */
export function understood(
  state: ConversationState,
  text: string,
  context: StepContext,
  flows: FlowLookup,
): Outcome | undefined {
  const action = command(text, state, context)?.run(state, context, flows);
  if (action) return { ...action, to: action.to ?? state.step };
  const privacy = privacyRequest(text, context);
  return privacy && privacyAction(privacy, state, context);
}

export function changeLanguage(
  state: ConversationState,
  value: string,
  context: StepContext,
  flows: FlowLookup,
): Outcome | undefined {
  if (!isLocale(value)) return undefined;
  const locale = value;
  const returnTo = state.draft.returnTo && flows.has(state.draft.returnTo) ? state.draft.returnTo : undefined;
  const { returnTo: _dropped, ...draft } = state.draft;
  const next: ConversationState = { ...state, locale, draft };
  const effects: Effect[] = [
    { type: 'setLocale', locale },
    send({ text: context.text(locale)('menu.languageChanged') }),
  ];
  const target =
    returnTo ??
    (state.step === 'menu.language' ? (state.patientId ? 'menu.main' : 'onboarding.consent') : state.step);
  return { state: next, effects, to: target };
}

export const start: FlowRegistry['start'] = (
  address,
  locale,
  patient,
  reason,
  settings,
): ConversationState => {
  const known = patient?.consented && patient.profileComplete ? patient : undefined;
  // After an upgrade the conversation's own language stands; a new one takes the language the
  // patient chose before, if we know them, over the platform's guess.
  const chosenLocale = reason === 'upgraded' ? locale : (patient?.locale ?? locale);
  const draft: Record<string, string> = known && reason === 'new' ? { displayName: known.displayName } : {};
  return {
    version: 0,
    step: reason === 'upgraded' ? 'system.upgraded' : known ? 'menu.welcomeBack' : 'onboarding.begin',
    locale: chosenLocale,
    channel: address.channel,
    patientId: known?.id,
    birthDate: known?.birthDate,
    country: patient?.country ?? COUNTRY_OF_LOCALE[chosenLocale] ?? settings.hospitalCountry,
    draft,
    outSeq: 0,
  };
};
