// The patient's privacy requests, understood in every step and in all six languages:
// "withdraw consent" stops processing at once; "delete my data" explains what erasure means
// today and offers withdrawing. Consent records and booked appointments stay, as the law asks.
import type { ConversationState, Effect, StepContext } from '../../conversation/flow.ts';
import { SUPPORTED_LOCALES } from '../../i18n/locales.ts';
import { choices, send } from '../kit.ts';
import { CONSENT_TEXT_VERSION, hospitalCall } from './steps.ts';

export type PrivacyRequest = 'withdraw' | 'deleteData';

/** Lower case, without punctuation and doubled spaces, for matching phrases. */
const plain = (text: string) =>
  text
    .toLowerCase()
    .replace(/[\p{P}\p{S}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();

/**
 * The privacy request in `text`, whatever language it is written in: each locale lists its
 * phrases (commands.withdraw, commands.deleteData), separated by "|".
 */
export function privacyRequest(text: string, context: StepContext): PrivacyRequest | undefined {
  const typed = plain(text);
  if (!typed) return undefined;
  for (const request of ['withdraw', 'deleteData'] as const) {
    for (const locale of SUPPORTED_LOCALES) {
      const phrases = context.text(locale)(`commands.${request}`).split('|').map(plain);
      if (phrases.some((phrase) => phrase && typed.includes(phrase))) return request;
    }
  }
  return undefined;
}

/**
 * Consent withdrawn: recorded, the conversation forgets the patient (nothing more is processed)
 * and the patient is told what is kept and why, then how to reach the hospital.
 */
export function withdrawConsent(
  state: ConversationState,
  context: StepContext,
): { state: ConversationState; effects: Effect[] } {
  const t = context.text(state.locale);
  const { patientId: _forgotten, birthDate: _birth, triage: _triage, ...rest } = state;
  return {
    state: { ...rest, draft: {} },
    effects: [
      { type: 'recordConsent', purpose: 'health-data', textVersion: CONSENT_TEXT_VERSION, granted: false },
      send({ text: t('privacyRequest.withdrawn') }),
    ],
  };
}

/** "Delete my data": what happens to it, and the button that stops processing now. */
export function deleteDataAnswer(state: ConversationState, context: StepContext): Effect[] {
  const t = context.text(state.locale);
  const { hospitalPhone: phone, hospitalAddress: address } = context.settings;
  return [
    send({
      text: t('privacyRequest.deleteData', { phone, address }),
      choices: choices('privacy', [
        ['withdraw', t('privacyRequest.withdrawButton')],
        ['keep', t('privacyRequest.keepButton')],
      ]),
      ...hospitalCall(t, context.settings),
    }),
  ];
}
