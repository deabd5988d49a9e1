// The onboarding feature's effects and their handlers: consent, identity, language and the
// record that emergency advice was given, all kept by the patient directory.
import type { EffectHandlers } from '../../conversation/flow.ts';
import type { PatientDirectory } from '../../domain/patients.ts';
import type { Locale } from '../../i18n/locales.ts';
import './events.ts';

declare module '../../conversation/flow.ts' {
  interface EffectMap {
    recordConsent: { purpose: 'health-data'; textVersion: string; granted: boolean };
    identifyPatient: { fullName: string; birthDate: string; phone: string; country: string };
    recordRedFlag: { phrase: string; phraseLocale: Locale; emergencyNumber: string };
    setLocale: { locale: Locale };
  }
}

export function onboardingEffects(directory: PatientDirectory): EffectHandlers {
  return {
    recordConsent: ({ type: _type, ...decision }, { address, locale, decidedAt }) =>
      directory.recordConsent(address, { ...decision, locale, decidedAt }),
    setLocale: (effect, { address }) => directory.setLocale(address, effect.locale),
    recordRedFlag: ({ type: _type, ...match }, { address }) => directory.recordRedFlag(address, match),
    identifyPatient: async ({ type: _type, ...identification }, { address, locale, notify }) => {
      const { patientId, returning } = await directory.identify(address, { ...identification, locale });
      await notify({ kind: 'system', name: 'patient.identified', data: { patientId, returning } });
    },
  };
}
