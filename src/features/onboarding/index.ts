// Patients: first contact, consent, registration, the menu, language and privacy requests.
import { emergencyNumberFor } from '../../domain/red-flags.ts';
import type { Feature } from '../feature.ts';
import { stay } from '../kit.ts';
import { changeLanguage, menuActions, privacyAction, start, understood } from './commands.ts';
import { onboardingEffects } from './effects.ts';
import { menu, system } from './menu.ts';
import { onboarding } from './steps.ts';

export const onboardingFeature: Feature = {
  name: 'onboarding',
  flows: [onboarding, menu, system],
  effects: ({ directory }) => onboardingEffects(directory),
  start,
  consentDecision: (effect) => (effect.type === 'recordConsent' ? effect.granted : undefined),
  menu: menuActions,
  text: understood,
  buttons: {
    lang: changeLanguage,
    privacy: (state, value, context) =>
      value === 'withdraw' ? privacyAction('withdraw', state, context) : stay(state),
  },
  // Giving emergency advice is recorded (never the message text).
  redFlag: (state, flag, _text, context) => ({
    effects: [
      {
        type: 'recordRedFlag',
        phrase: flag.phrase,
        phraseLocale: flag.locale,
        emergencyNumber: emergencyNumberFor(
          state.country,
          context.settings.emergencyNumbers,
          context.settings.hospitalCountry,
        ),
      },
    ],
  }),
};
