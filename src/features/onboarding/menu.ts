// The main menu (only items that work today), the language chooser, and the greeting for a
// patient we already know.
import { SUPPORTED_LOCALES } from '../../i18n/locales.ts';
import { send, stay, type Flow } from '../kit.ts';

/** Each language named in itself, so a patient can find theirs whatever the current one. */
export const LANGUAGE_NAMES = {
  en: 'English',
  vi: 'Tiếng Việt',
  'zh-CN': '简体中文',
  fr: 'Français',
  th: 'ไทย',
  ja: '日本語',
} as const;

export const menu: Flow = {
  name: 'menu',
  steps: {
    welcomeBack: {
      next: ['menu.main'],
      prompt: () => [],
      handle: (state, _event, { text }) => ({
        state: { ...state, draft: {} },
        effects: [
          send({ text: text(state.locale)('menu.welcomeBack', { name: state.draft.displayName ?? '' }) }),
        ],
        to: 'menu.main',
      }),
    },

    main: {
      next: ['menu.language', 'intake.complaint', 'booking.department', 'appointments.list'],
      prompt: (state, { text }) => {
        const t = text(state.locale);
        return [
          {
            text: t('menu.prompt'),
            choices: [
              { data: 'menu|symptoms', label: t('menu.symptoms') },
              { data: 'menu|book', label: t('booking:menu.book') },
              { data: 'menu|appointments', label: t('booking:menu.appointments') },
              { data: 'menu|queue', label: t('queue:menu') },
              { data: 'menu|language', label: t('menu.language') },
              { data: 'menu|help', label: t('menu.help') },
              { data: 'menu|notices', label: t('broadcasts:menu') },
            ],
          },
        ];
      },
      handle: (state, _event, { text }) =>
        stay(state, send({ text: text(state.locale)('menu.notUnderstood') })),
    },

    language: {
      next: ['menu.main', 'onboarding.consent'],
      prompt: (state, { text }) => [
        {
          text: text(state.locale)('menu.chooseLanguage'),
          choices: SUPPORTED_LOCALES.map((locale) => ({
            data: `lang|${locale}`,
            label: LANGUAGE_NAMES[locale],
          })),
        },
      ],
      handle: (state, _event, { text }) =>
        stay(state, send({ text: text(state.locale)('menu.chooseLanguageButtons') })),
    },
  },
};

export const system: Flow = {
  name: 'system',
  steps: {
    upgraded: {
      next: ['menu.main', 'onboarding.consent'],
      prompt: () => [],
      handle: (state, _event, { text }) => ({
        state,
        effects: [send({ text: text(state.locale)('system.upgraded') })],
        to: state.patientId ? 'menu.main' : 'onboarding.consent',
      }),
    },
  },
};
