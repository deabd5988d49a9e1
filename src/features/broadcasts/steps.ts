// The patient's side of hospital notices: "stop" (in any of the six languages, in any step)
// turns them off without leaving the step the patient is in; "Hospital notices" in the menu
// says whether they are on and offers to turn them on or off. Appointment and queue news are
// about the patient's own care and reach them either way (isAboutCare).
import type { ConversationState, StepContext } from '../../conversation/flow.ts';
import type { Reaction } from '../feature.ts';
import { choices, send, stay, type Flow, type Outcome } from '../kit.ts';
import { isStopWord } from './texts.ts';

declare module '../../conversation/flow.ts' {
  interface ConversationState {
    /**
     * Hospital notices as this chat last set them (the register keeps every decision; a chat
     * that never set them shows them off, as the subscribers audience counts it).
     */
    notices?: boolean;
  }
}

/** Buttons "notices|on" and "notices|off": from the menu's question or any older message. */
export const NOTICES_BUTTONS = 'notices';
const CHOOSE = 'notices.choose';

const decided = (state: ConversationState, granted: boolean) => ({
  state: { ...state, notices: granted },
  effect: { type: 'broadcasts.notices' as const, granted },
});

/**
 * "stop" typed as the whole message: notices off, said in the patient's language, then the
 * question they were at asked again, so they go on where they were.
 */
export const stopNotices: Reaction<[text: string]> = (state, text, context) => {
  if (!isStopWord(text, (locale) => context.text(locale)('broadcasts:stopWords'))) return undefined;
  const { state: next, effect } = decided(state, false);
  return stay(next, effect, send({ text: context.text(state.locale)('broadcasts:stopped') }));
};

/** "Hospital notices" from the menu. */
export function startNotices(state: ConversationState): Outcome {
  return { state, effects: [], to: CHOOSE };
}

/** The menu's question: on or off now, and the buttons to change it. */
export const notices: Flow = {
  name: 'notices',
  steps: {
    choose: {
      next: ['menu.main'],
      prompt: (state, context: StepContext) => {
        const t = context.text(state.locale);
        const now = state.notices ? t('broadcasts:status.on') : t('broadcasts:status.off');
        return [
          {
            text: `${now}\n${t('broadcasts:status.care')}`,
            choices: [
              ...choices(NOTICES_BUTTONS, [
                ['on', t('broadcasts:turnOn')],
                ['off', t('broadcasts:turnOff')],
              ]),
              { data: 'menu|main', label: t('broadcasts:back') },
            ],
          },
        ];
      },
      // Anything else said here is not an answer: back to the menu, as the queue's question does.
      handle: (state) => ({ state, effects: [], to: 'menu.main' }),
    },
  },
};

/** "Turn on" / "Turn off": recorded and confirmed; from the menu's question, back to the menu. */
export const noticesButton: Reaction<[value: string]> = (state, value, context) => {
  if (value !== 'on' && value !== 'off') return undefined;
  if (!state.patientId)
    return stay(state, send({ text: context.text(state.locale)('onboarding.finishFirst') }));
  const { state: next, effect } = decided(state, value === 'on');
  const t = context.text(state.locale);
  return {
    state: next,
    effects: [effect, send({ text: t(value === 'on' ? 'broadcasts:started' : 'broadcasts:stopped') })],
    to: state.step === CHOOSE ? 'menu.main' : state.step,
  };
};
