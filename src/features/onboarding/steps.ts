// First contact: greeting, separate explicit consent for health data (stored with the text
// version and time), then name, date of birth and phone, after which the patient is
// registered or recognised.
import { checkBirthDate, examplePhone, normaliseFullName, normalisePhone } from '../../domain/patients.ts';
import type { Effect, FlowSettings, StepContext } from '../../conversation/flow.ts';
import type { OutboundMessage } from '../../conversation/message.ts';
import type { Locale } from '../../i18n/locales.ts';
import { choices, collect, pressed, send, stay, typedText, type Flow } from '../kit.ts';

/** Version of the consent text in locales (onboarding.consent.*); bump when its meaning changes. */
export const CONSENT_TEXT_VERSION = '2026-11-24';

const CONSENT = 'onboarding.consent';
const DECLINED = 'onboarding.declined';

/** How to reach the hospital without the chat, with a button to start again. */
export function declinedMessage(
  locale: Locale,
  text: StepContext['text'],
  settings: FlowSettings,
): OutboundMessage {
  const t = text(locale);
  return {
    text: t('onboarding.consent.declined', {
      phone: settings.hospitalPhone,
      address: settings.hospitalAddress,
    }),
    choices: choices(DECLINED, [['again', t('onboarding.consent.startAgain')]]),
    ...hospitalCall(t, settings),
  };
}

/** A tap-to-call button for the hospital's phone, where the chat names it. */
export function hospitalCall(
  t: ReturnType<StepContext['text']>,
  settings: FlowSettings,
): Pick<OutboundMessage, 'calls'> {
  const number = settings.hospitalPhone.trim();
  return number ? { calls: [{ label: t('emergency.call', { number }), number }] } : {};
}

const consentDecision = (granted: boolean): Effect => ({
  type: 'recordConsent',
  purpose: 'health-data',
  textVersion: CONSENT_TEXT_VERSION,
  granted,
});

export const onboarding: Flow = {
  name: 'onboarding',
  typedAnswers: true,
  steps: {
    begin: {
      next: ['onboarding.consent'],
      prompt: () => [],
      handle: (state, _event, { text, settings }) => ({
        state,
        effects: [
          send({ text: text(state.locale)('onboarding.welcome', { hospital: settings.hospitalName }) }),
        ],
        to: CONSENT,
      }),
    },

    consent: {
      next: ['onboarding.name', 'onboarding.declined'],
      prompt: (state, { text, settings }) => {
        const t = text(state.locale);
        return [
          {
            text: t('onboarding.consent.ask'),
            links: [
              {
                label: t('onboarding.consent.privacyNotice'),
                url: `${settings.privacyUrl}?lang=${state.locale}`,
              },
            ],
            choices: [
              ...choices(CONSENT, [
                ['yes', t('onboarding.consent.agree')],
                ['no', t('onboarding.consent.decline')],
              ]),
              { data: 'menu|language', label: t('menu.language') },
            ],
          },
        ];
      },
      handle: (state, event, { text }) => {
        const t = text(state.locale);
        const answer = pressed(event, CONSENT);
        if (answer === 'yes') {
          return {
            state,
            effects: [consentDecision(true), send({ text: t('onboarding.consent.thanks') })],
            to: 'onboarding.name',
          };
        }
        if (answer === 'no') return { state, effects: [consentDecision(false)], to: 'onboarding.declined' };
        return stay(state, send({ text: t('onboarding.consent.useButtons') }));
      },
    },

    // Without consent the chat cannot help: say where the hospital is, and keep the way back open.
    declined: {
      next: ['onboarding.consent'],
      prompt: (state, { text, settings }) => [declinedMessage(state.locale, text, settings)],
      handle: (state, event) =>
        pressed(event, DECLINED) === 'again'
          ? { state, effects: [], to: CONSENT }
          : { state, effects: [], to: DECLINED },
    },

    name: {
      next: ['onboarding.birthDate'],
      prompt: (state, { text }) => [{ text: text(state.locale)('onboarding.name.ask') }],
      handle: (state, event, { text }) =>
        collect(
          state,
          event,
          normaliseFullName,
          'fullName',
          'onboarding.birthDate',
          text(state.locale)('onboarding.name.invalid'),
        ),
    },

    birthDate: {
      next: ['onboarding.phone'],
      prompt: (state, { text }) => {
        const t = text(state.locale);
        return [{ text: t('onboarding.birthDate.ask', { example: t('onboarding.birthDate.example') }) }];
      },
      handle: (state, event, { text, now }) => {
        const t = text(state.locale);
        const typed = typedText(event);
        const checked =
          typed === undefined ? { problem: 'unreadable' as const } : checkBirthDate(typed, new Date(now));
        if (checked.date === undefined) {
          // Say what is wrong: a 31 February needs another day, a future date another year.
          const why = t(`onboarding.birthDate.problem.${checked.problem}`);
          const example = t('onboarding.birthDate.example');
          return stay(state, send({ text: t('onboarding.birthDate.invalid', { example, why }) }));
        }
        return {
          state: { ...state, draft: { ...state.draft, birthDate: checked.date } },
          effects: [],
          to: 'onboarding.phone',
        };
      },
    },

    phone: {
      next: ['onboarding.identifying'],
      prompt: (state, { text }) => {
        const t = text(state.locale);
        // Only Telegram has a button that shares the number; LINE and the web chat type it.
        if (state.channel !== 'telegram') return [{ text: t('onboarding.phone.askTyped') }];
        return [
          {
            text: t('onboarding.phone.ask'),
            request: { kind: 'contact', label: t('onboarding.phone.share') },
          },
        ];
      },
      handle: (state, event, { text }) => {
        const t = text(state.locale);
        const raw = event.kind === 'contact' ? event.phone : typedText(event);
        if (event.kind === 'contact' && !event.ownContact)
          return stay(state, send({ text: t('onboarding.phone.notOwn') }));
        const phone = raw === undefined ? undefined : normalisePhone(raw, state.country);
        if (!phone) {
          const country =
            new Intl.DisplayNames([state.locale], { type: 'region' }).of(state.country) ?? state.country;
          return stay(
            state,
            send({ text: t('onboarding.phone.invalid', { country, example: examplePhone(state.country) }) }),
          );
        }
        const { fullName = '', birthDate = '' } = state.draft;
        return {
          state: { ...state, country: phone.country, draft: { ...state.draft, phone: phone.e164 } },
          effects: [
            { type: 'identifyPatient', fullName, birthDate, phone: phone.e164, country: phone.country },
          ],
          to: 'onboarding.identifying',
        };
      },
    },

    identifying: {
      next: ['menu.main'],
      prompt: () => [],
      handle: (state, event, { text }) => {
        const t = text(state.locale);
        if (event.kind !== 'system' || event.name !== 'patient.identified') {
          return { state, effects: [send({ text: t('onboarding.identifying.wait') })] };
        }
        const name = state.draft.fullName ?? '';
        const greeting = event.data.returning
          ? 'onboarding.identified.returning'
          : 'onboarding.identified.new';
        return {
          // The draft held personal data only until the register had it.
          state: {
            ...state,
            patientId: String(event.data.patientId),
            birthDate: state.draft.birthDate,
            draft: {},
          },
          effects: [send({ text: t(greeting, { name }) })],
          to: 'menu.main',
        };
      },
    },
  },
};
