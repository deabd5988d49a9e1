// A nurse's messages from the console, and the patient's answers on that intake's thread:
// what the patient types next (outside steps that read typed answers) goes back to the intake,
// and an emergency phrase typed meanwhile raises it.
import type { ConversationState, StepContext, SystemEventOf } from '../../conversation/flow.ts';
import type { TypedRedFlag } from '../../domain/intakes.ts';
import { emergencyNumberFor } from '../../domain/red-flags.ts';
import type { Feature, FlowLookup } from '../feature.ts';
import { emergencyMessage, send, type Outcome } from '../kit.ts';
import { emergencyStop } from './steps.ts';

/** How long after a nurse's message the patient's free text is taken as their answer. */
export const NURSE_THREAD_HOURS = 24;

/**
 * A message a staff member sent from the console: said as is, the conversation stays where it
 * is, and the patient's next free text goes back to that intake's thread.
 */
export function staffMessage(
  state: ConversationState,
  { data }: SystemEventOf<'staff.message'>,
  context: StepContext,
): Outcome {
  const t = context.text(state.locale);
  const thread = data.intakeId
    ? { intakeId: data.intakeId, until: context.now + NURSE_THREAD_HOURS * 3_600_000 }
    : state.nurseThread;
  const next = thread ? { ...state, nurseThread: thread } : state;
  if (data.template === 'emergency')
    return {
      state: next,
      effects: [
        send(emergencyMessage(state, context, (number) => t('triage:staff.templates.emergency', { number }))),
      ],
    };
  const number = emergencyNumberFor(
    state.country,
    context.settings.emergencyNumbers,
    context.settings.hospitalCountry,
  );
  const text = data.template
    ? t(`triage:staff.templates.${data.template}`, { number })
    : t('triage:staff.message', { text: data.text ?? '' });
  return { state: next, effects: [send({ text })] };
}

/** The intake a nurse is waiting on an answer for, unless the current step reads typed answers. */
function openThread(state: ConversationState, context: StepContext, flows: FlowLookup): string | undefined {
  const thread = state.nurseThread;
  if (!thread || thread.until <= context.now) return undefined;
  return flows.typedAnswers(state.step) ? undefined : thread.intakeId;
}

/** Free text while a nurse waits on an answer goes to the intake's thread. */
export function threadReply(
  state: ConversationState,
  text: string,
  context: StepContext,
  flows: FlowLookup,
): Outcome | undefined {
  const intakeId = openThread(state, context, flows);
  if (!intakeId || !text.trim()) return undefined;
  return {
    state,
    effects: [
      { type: 'intakeReply', intakeId, text: text.trim().slice(0, 2000) },
      send({ text: context.text(state.locale)('triage:staff.replyPassedOn') }),
    ],
  };
}

/**
 * During an intake the questions stop and the intake is stored with the phrase; with a nurse
 * waiting on an answer, the message goes to that intake and raises it.
 */
export const intakeRedFlag: Feature['redFlag'] = (state, flag: TypedRedFlag, text, context, flows) => {
  if (flows.featureOf(state.step) === 'intake' && state.patientId)
    return { takeOver: emergencyStop(state, context, flag, text) };
  const intakeId = openThread(state, context, flows);
  return intakeId ? { effects: [{ type: 'intakeReply', intakeId, text, redFlag: flag }] } : undefined;
};
