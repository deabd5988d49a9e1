// The notices choice, kept by the patient directory: each "stop" and each "on"/"off" from the
// menu is a consent decision for HOSPITAL_NOTICES with the version of what the patient was told.
import type { EffectHandlers } from '../../conversation/flow.ts';
import { HOSPITAL_NOTICES } from '../../domain/broadcasts.ts';
import type { PatientDirectory } from '../../domain/patients.ts';
import { NOTICES_TEXT_VERSION } from './texts.ts';

declare module '../../conversation/flow.ts' {
  interface EffectMap {
    /** Hospital notices on (granted) or off (refused, as "stop" does). */
    'broadcasts.notices': { granted: boolean };
  }
}

export function broadcastsEffects(directory: PatientDirectory): EffectHandlers {
  return {
    'broadcasts.notices': ({ granted }, { address, locale, decidedAt }) =>
      directory.recordConsent(address, {
        purpose: HOSPITAL_NOTICES,
        textVersion: NOTICES_TEXT_VERSION,
        granted,
        locale,
        decidedAt,
      }),
  };
}
