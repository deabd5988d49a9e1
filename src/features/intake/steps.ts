// Symptom intake: the chief complaint, then only the questions that complaint needs (from the
// triage table in src/domain/triage.ts), then the triage result. "Back" works on every question;
// "I don't know" wherever a patient may not know. The patient's own words are asked last and
// handed straight to storage, so they never sit in the conversation state.
import type { ConversationState, Effect, FlowEvent, StepContext } from '../../conversation/flow.ts';
import type { TypedRedFlag } from '../../domain/intakes.ts';
import type { OutboundMessage } from '../../conversation/message.ts';
import {
  COMPLAINTS,
  ONSETS,
  TRIAGE_RULES_VERSION,
  ageOn,
  complaintRule,
  parseTemperature,
  questionsFor,
  raised,
  triage,
  type Answer,
  type IntakeAnswers,
  type IntakeQuestion,
  type Onset,
} from '../../domain/triage.ts';
import {
  choices,
  emergencyMessage,
  pressed,
  send,
  stay,
  typedText,
  type Flow,
  type Outcome,
} from '../kit.ts';
import { typedAnswer } from './answers.ts';

/** Longest description kept (a chat message, not a letter). */
export const DESCRIPTION_MAX = 1000;

const QUESTION_STEPS = [
  'intake.onset',
  'intake.severity',
  'intake.redFlag',
  'intake.pregnancy',
  'intake.temperature',
  'intake.describe',
];
const NEXT = ['intake.complaint', ...QUESTION_STEPS, 'menu.main'];

const stepOf = (question: IntakeQuestion): string => `intake.${question.kind}`;

/** The questions this patient's complaint needs, in order. */
function plan(state: ConversationState, context: StepContext): IntakeQuestion[] {
  const rule = complaintRule(state.draft.complaint ?? '');
  if (!rule) return [];
  return questionsFor(rule, age(state, context));
}

function age(state: ConversationState, context: StepContext): number | undefined {
  return state.birthDate ? ageOn(state.birthDate, context.now) : undefined;
}

function current(state: ConversationState, context: StepContext): IntakeQuestion | undefined {
  return plan(state, context)[Number(state.draft.at ?? 0)];
}

/** Moves to question `index` of the plan, or finishes when there is none left. */
function moveTo(state: ConversationState, index: number, context: StepContext): Outcome {
  if (index < 0) return { state: { ...state, draft: {} }, effects: [], to: 'intake.complaint' };
  const question = plan(state, context)[index];
  if (!question) return finish(state, context);
  const draft: Record<string, string> = { ...state.draft, at: String(index) };
  if (question.kind === 'redFlag') draft.flag = question.id;
  return { state: { ...state, draft }, effects: [], to: stepOf(question) };
}

function advance(state: ConversationState, context: StepContext, answer: Record<string, string>): Outcome {
  const next = { ...state, draft: { ...state.draft, ...answer } };
  return moveTo(next, Number(state.draft.at ?? 0) + 1, context);
}

function back(state: ConversationState, context: StepContext): Outcome {
  return moveTo(state, Number(state.draft.at ?? 0) - 1, context);
}

/** The answers in the draft, as the triage table reads them. */
function answersOf(state: ConversationState, context: StepContext): IntakeAnswers {
  const { draft } = state;
  const redFlags: Record<string, Answer> = {};
  for (const [key, value] of Object.entries(draft)) {
    if (key.startsWith('rf.')) redFlags[key.slice(3)] = value as Answer;
  }
  return {
    complaint: draft.complaint ?? 'other',
    onset: draft.onset as Onset | 'unknown' | undefined,
    severity:
      draft.severity === undefined || draft.severity === 'unknown' ? undefined : Number(draft.severity),
    redFlags,
    pregnant: draft.pregnant as Answer | undefined,
    temperature: draft.temperature === undefined ? undefined : Number(draft.temperature),
    age: age(state, context),
  };
}

/**
 * Triage, storage and the answer: the emergency number for level 1, what happens next otherwise.
 * An emergency phrase the patient typed raises the level and is stored with the intake.
 */
function finish(
  state: ConversationState,
  context: StepContext,
  description?: string,
  typed?: TypedRedFlag,
  stoppedAt?: number,
): Outcome {
  const t = context.text(state.locale);
  const answers: IntakeAnswers = {
    ...answersOf(state, context),
    ...(stoppedAt === undefined ? {} : { stoppedAt }),
  };
  const rules = triage(answers);
  const result = typed ? raised(rules, typed.acuity, `typed:${typed.phrase}`) : rules;
  const record: Effect = {
    type: 'recordIntake',
    patientId: state.patientId ?? '',
    intake: {
      answers,
      description,
      result,
      rulesVersion: TRIAGE_RULES_VERSION,
      locale: state.locale,
      ...(typed ? { typedRedFlags: [typed] } : {}),
    },
  };
  const notDiagnosis = t('triage:intake.notDiagnosis');
  const said: OutboundMessage[] =
    result.acuity === 1
      ? [
          emergencyMessage(state, context, (number) =>
            t(typed ? 'emergency.alert' : 'triage:intake.emergency', { number }),
          ),
          { text: notDiagnosis },
        ]
      : [
          {
            text: `${t(`triage:intake.result.${result.acuity}`, {
              department: t(`triage:department.${result.department}`),
            })}\n\n${notDiagnosis}`,
          },
        ];
  const { acuity, department, reviewRequired, bookingUrgency } = result;
  return {
    state: { ...state, draft: {}, triage: { acuity, department, reviewRequired, bookingUrgency } },
    effects: [record, ...said.map(send)],
    to: 'menu.main',
  };
}

/**
 * An emergency phrase typed during the intake: the questions stop, and the intake is stored at
 * once with what is known, the phrase and the message it was in, so the nurse sees it on top.
 */
export function emergencyStop(
  state: ConversationState,
  context: StepContext,
  typed: TypedRedFlag,
  text: string,
): Outcome {
  // Typed at the question it interrupted: that one and those after it have no answer.
  return finish(state, context, text.slice(0, DESCRIPTION_MAX), typed, Number(state.draft.at ?? 0));
}

/** Buttons under every question: its answers, then "Back". */
function ask(
  step: string,
  text: string,
  options: [string, string][],
  t: (key: string) => string,
): OutboundMessage[] {
  return [{ text, choices: choices(step, [...options, ['back', t('triage:intake.back')]]) }];
}

function yesNoUnknown(t: (key: string) => string): [string, string][] {
  return [
    ['yes', t('triage:intake.yes')],
    ['no', t('triage:intake.no')],
    ['unknown', t('triage:intake.unknown')],
  ];
}

/** A yes / no / don't know question: stores the answer under `field`. */
function answerYesNo(
  step: string,
  field: (state: ConversationState) => string,
): (state: ConversationState, event: FlowEvent, context: StepContext) => Outcome {
  return (state, event, context) => {
    const value = pressed(event, step) ?? typedAnswer(typedText(event), context.text(state.locale));
    if (value === 'back') return back(state, context);
    if (value !== 'yes' && value !== 'no' && value !== 'unknown')
      return stay(state, send({ text: context.text(state.locale)('triage:intake.useButtons') }));
    const answer = { [field(state)]: value };
    const emergency =
      value === 'yes' &&
      step === 'intake.redFlag' &&
      complaintRule(state.draft.complaint ?? '')?.redFlags.some(
        (flag) => flag.id === state.draft.flag && flag.acuity === 1,
      );
    // A red flag that means an emergency on its own stops the questions at once (the rest are
    // recorded as never asked).
    if (emergency)
      return finish(
        { ...state, draft: { ...state.draft, ...answer } },
        context,
        undefined,
        undefined,
        Number(state.draft.at ?? 0) + 1,
      );
    return advance(state, context, answer);
  };
}

export const intake: Flow = {
  name: 'intake',
  typedAnswers: true,
  steps: {
    complaint: {
      next: NEXT,
      prompt: (state, { text }) => {
        const t = text(state.locale);
        return ask(
          'intake.complaint',
          t('triage:intake.complaint'),
          COMPLAINTS.map((rule) => [rule.id, t(`triage:complaint.${rule.id}`)]),
          t,
        );
      },
      handle: (state, event, context) => {
        const value = pressed(event, 'intake.complaint');
        if (value === 'back') return { state: { ...state, draft: {} }, effects: [], to: 'menu.main' };
        if (!value || !complaintRule(value))
          return stay(state, send({ text: context.text(state.locale)('triage:intake.useButtons') }));
        // A new complaint starts its questions afresh.
        return moveTo({ ...state, draft: { complaint: value } }, 0, context);
      },
    },

    onset: {
      next: NEXT,
      prompt: (state, { text }) => {
        const t = text(state.locale);
        return ask(
          'intake.onset',
          t('triage:intake.onset'),
          [
            ...ONSETS.map((onset): [string, string] => [onset, t(`triage:onset.${onset}`)]),
            ['unknown', t('triage:intake.unknown')],
          ],
          t,
        );
      },
      handle: (state, event, context) => {
        const value = pressed(event, 'intake.onset');
        if (value === 'back') return back(state, context);
        if (!value || !(value === 'unknown' || (ONSETS as readonly string[]).includes(value)))
          return stay(state, send({ text: context.text(state.locale)('triage:intake.useButtons') }));
        return advance(state, context, { onset: value });
      },
    },

    severity: {
      next: NEXT,
      prompt: (state, { text }) => {
        const t = text(state.locale);
        const scale = Array.from({ length: 11 }, (_, n): [string, string] => [String(n), String(n)]);
        return ask(
          'intake.severity',
          t('triage:intake.severity'),
          [...scale, ['unknown', t('triage:intake.unknown')]],
          t,
        );
      },
      handle: (state, event, context) => {
        const value = pressed(event, 'intake.severity') ?? typedText(event);
        if (value === 'back') return back(state, context);
        if (value === 'unknown') return advance(state, context, { severity: 'unknown' });
        if (!value || !/^(?:10|\d)$/.test(value))
          return stay(state, send({ text: context.text(state.locale)('triage:intake.severityInvalid') }));
        return advance(state, context, { severity: value });
      },
    },

    redFlag: {
      next: NEXT,
      prompt: (state, { text }) => {
        const t = text(state.locale);
        return ask('intake.redFlag', t(`triage:redFlag.${state.draft.flag ?? ''}`), yesNoUnknown(t), t);
      },
      handle: answerYesNo('intake.redFlag', (state) => `rf.${state.draft.flag ?? ''}`),
    },

    pregnancy: {
      next: NEXT,
      prompt: (state, { text }) => {
        const t = text(state.locale);
        return ask('intake.pregnancy', t('triage:intake.pregnancy'), yesNoUnknown(t), t);
      },
      handle: answerYesNo('intake.pregnancy', () => 'pregnant'),
    },

    temperature: {
      next: NEXT,
      prompt: (state, { text }) => {
        const t = text(state.locale);
        return ask(
          'intake.temperature',
          t('triage:intake.temperature'),
          [['unknown', t('triage:intake.unknown')]],
          t,
        );
      },
      handle: (state, event, context) => {
        const value = pressed(event, 'intake.temperature');
        if (value === 'back') return back(state, context);
        if (value === 'unknown') return advance(state, context, {});
        const typed = typedText(event);
        const celsius = typed === undefined ? undefined : parseTemperature(typed);
        if (celsius === undefined)
          return stay(state, send({ text: context.text(state.locale)('triage:intake.temperatureInvalid') }));
        return advance(state, context, { temperature: String(celsius) });
      },
    },

    describe: {
      next: NEXT,
      prompt: (state, context) => {
        const t = context.text(state.locale);
        const question = current(state, context);
        const required = question?.kind === 'describe' && question.required;
        return ask(
          'intake.describe',
          t(required ? 'triage:intake.describeRequired' : 'triage:intake.describe'),
          required ? [] : [['skip', t('triage:intake.skip')]],
          t,
        );
      },
      handle: (state, event, context) => {
        const t = context.text(state.locale);
        const value = pressed(event, 'intake.describe');
        if (value === 'back') return back(state, context);
        const question = current(state, context);
        const required = question?.kind === 'describe' && question.required;
        if (value === 'skip' && !required) return finish(state, context);
        const typed = typedText(event);
        if (!typed) return stay(state, send({ text: t('triage:intake.describeRequired') }));
        if (typed.length > DESCRIPTION_MAX)
          return stay(state, send({ text: t('triage:intake.tooLong', { max: DESCRIPTION_MAX }) }));
        return finish(state, context, typed);
      },
    },
  },
};
