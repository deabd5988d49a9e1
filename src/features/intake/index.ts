// Symptom intake and triage, and the nurse's thread with the patient.
import type { Feature } from '../feature.ts';
import { send } from '../kit.ts';
import { intakeEffects } from './effects.ts';
import { intake } from './steps.ts';
import { intakeRedFlag, staffMessage, threadReply } from './thread.ts';
import { intakeConsole } from './console.ts';

export const intakeFeature: Feature = {
  name: 'intake',
  console: intakeConsole,
  flows: [intake],
  effects: ({ intakes }) => intakeEffects(intakes),
  menu: {
    symptoms: {
      needsPatient: true,
      run: (state, context) => ({
        state: { ...state, draft: {} },
        effects: [send({ text: context.text(state.locale)('triage:intake.start') })],
        to: 'intake.complaint',
      }),
    },
  },
  text: threadReply,
  redFlag: intakeRedFlag,
  events: { 'staff.message': staffMessage },
};
