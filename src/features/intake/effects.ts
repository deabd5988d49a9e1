// The intake feature's effects and their handlers: finished intakes and the patient's words on
// an intake's thread go to the intake store, idempotent by the effect's id.
import type { EffectHandlers } from '../../conversation/flow.ts';
import type { IntakeRecord, IntakeRecorder, TypedRedFlag } from '../../domain/intakes.ts';
import './events.ts';

declare module '../../conversation/flow.ts' {
  interface EffectMap {
    recordIntake: { patientId: string; intake: IntakeRecord };
    /** The patient's words for the nurse, on an intake's thread; an emergency phrase raises it. */
    intakeReply: { intakeId: string; text: string; redFlag?: TypedRedFlag };
  }
}

export function intakeEffects(intakes: IntakeRecorder): EffectHandlers {
  return {
    recordIntake: (effect, { address, effectId }) =>
      intakes.record(address, effect.patientId, effect.intake, effectId),
    intakeReply: (effect, { address, effectId }) =>
      intakes.patientReply(address, effect.intakeId, effect, effectId),
  };
}
