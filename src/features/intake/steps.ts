// Symptom intake: the chief complaint, then only the questions that complaint needs (from the
// triage table in src/domain/triage.ts), then the triage result. "Back" works on every question;
// "I don't know" wherever a patient may not know. The patient's own words are asked last and
// handed straight to storage, so they never sit in the conversation state.
import type { ConversationState, Effect, StepContext, Translate } from '../../conversation/flow.ts';
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
  type StepDefinition,
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

/** Whether the patient's own words are required here (some complaints need them), not skippable. */
function describeRequired(state: ConversationState, context: StepContext): boolean {
  const question = current(state, context);
  return question?.kind === 'describe' && question.required;
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

/** What a question says and the answers its buttons give. */
type Asking = (
  t: Translate,
  state: ConversationState,
  context: StepContext,
) => { text: string; options: [string, string][] };

/** A question's prompt: its text, and buttons for its answers, then "Back". */
function question(step: string, asking: Asking): StepDefinition['prompt'] {
  return (state, context) => {
    const t = context.text(state.locale);
    const { text, options } = asking(t, state, context);
    return [{ text, choices: choices(step, [...options, ['back', t('triage:intake.back')]]) }];
  };
}

function yesNoUnknown(t: Translate): [string, string][] {
  return [
    ['yes', t('triage:intake.yes')],
    ['no', t('triage:intake.no')],
    ['unknown', t('triage:intake.unknown')],
  ];
}

/** How a question reads its answer. */
interface Reading {
  /** The answer typed text gives, when typing one is allowed (undefined: it is not one). */
  typed?: (text: string, t: Translate) => string | undefined;
  /** The draft fields an answer stores; undefined when it is not an answer to this question. */
  store: (value: string, state: ConversationState) => Record<string, string> | undefined;
  /** What is said when it is not (default: use the buttons). */
  invalid?: string;
  /** Where a stored answer leads (default: the next question). */
  then?: (state: ConversationState, context: StepContext, answer: Record<string, string>) => Outcome;
}

/**
 * The handler every question shares: "Back" returns to the question before, an answer (a
 * button of this question, or typed text it reads) is stored and leads on, anything else is
 * told why and asked again.
 */
function answer(
  step: string,
  { typed, store, invalid = 'triage:intake.useButtons', then = advance }: Reading,
): StepDefinition['handle'] {
  return (state, event, context) => {
    const t = context.text(state.locale);
    const text = typedText(event);
    const value = pressed(event, step) ?? (text === undefined ? undefined : typed?.(text, t));
    if (value === 'back') return back(state, context);
    const stored = value === undefined ? undefined : store(value, state);
    if (!stored) return stay(state, send({ text: t(invalid) }));
    return then(state, context, stored);
  };
}

const YES_NO_UNKNOWN: readonly string[] = ['yes', 'no', 'unknown'];

/** A yes / no / don't know question: stores the answer under `field`. */
function answerYesNo(step: string, field: (state: ConversationState) => string): StepDefinition['handle'] {
  return answer(step, {
    typed: typedAnswer,
    store: (value, state) => (YES_NO_UNKNOWN.includes(value) ? { [field(state)]: value } : undefined),
    then: (state, context, stored) => {
      const emergency =
        step === 'intake.redFlag' &&
        Object.values(stored)[0] === 'yes' &&
        complaintRule(state.draft.complaint ?? '')?.redFlags.some(
          (flag) => flag.id === state.draft.flag && flag.acuity === 1,
        );
      // A red flag that means an emergency on its own stops the questions at once (the rest are
      // recorded as never asked).
      if (emergency)
        return finish(
          { ...state, draft: { ...state.draft, ...stored } },
          context,
          undefined,
          undefined,
          Number(state.draft.at ?? 0) + 1,
        );
      return advance(state, context, stored);
    },
  });
}

/** One of the intake's questions: what it asks, and how it reads the answer. */
function questionStep(
  step: string,
  asking: Asking,
  reading: Reading | StepDefinition['handle'],
): StepDefinition {
  return {
    next: NEXT,
    prompt: question(step, asking),
    handle: typeof reading === 'function' ? reading : answer(step, reading),
  };
}

export const intake: Flow = {
  name: 'intake',
  typedAnswers: true,
  steps: {
    complaint: questionStep(
      'intake.complaint',
      (t) => ({
        text: t('triage:intake.complaint'),
        options: COMPLAINTS.map((rule) => [rule.id, t(`triage:complaint.${rule.id}`)]),
      }),
      (state, event, context) => {
        const value = pressed(event, 'intake.complaint');
        if (value === 'back') return { state: { ...state, draft: {} }, effects: [], to: 'menu.main' };
        if (!value || !complaintRule(value))
          return stay(state, send({ text: context.text(state.locale)('triage:intake.useButtons') }));
        // A new complaint starts its questions afresh.
        return moveTo({ ...state, draft: { complaint: value } }, 0, context);
      },
    ),

    onset: questionStep(
      'intake.onset',
      (t) => ({
        text: t('triage:intake.onset'),
        options: [
          ...ONSETS.map((onset): [string, string] => [onset, t(`triage:onset.${onset}`)]),
          ['unknown', t('triage:intake.unknown')],
        ],
      }),
      {
        store: (value) =>
          value === 'unknown' || (ONSETS as readonly string[]).includes(value) ? { onset: value } : undefined,
      },
    ),

    severity: questionStep(
      'intake.severity',
      (t) => ({
        text: t('triage:intake.severity'),
        options: [
          ...Array.from({ length: 11 }, (_, n): [string, string] => [String(n), String(n)]),
          ['unknown', t('triage:intake.unknown')],
        ],
      }),
      {
        typed: (text) => text,
        store: (value) =>
          value === 'unknown' || /^(?:10|\d)$/.test(value) ? { severity: value } : undefined,
        invalid: 'triage:intake.severityInvalid',
      },
    ),

    redFlag: questionStep(
      'intake.redFlag',
      (t, state) => ({ text: t(`triage:redFlag.${state.draft.flag ?? ''}`), options: yesNoUnknown(t) }),
      answerYesNo('intake.redFlag', (state) => `rf.${state.draft.flag ?? ''}`),
    ),

    pregnancy: questionStep(
      'intake.pregnancy',
      (t) => ({ text: t('triage:intake.pregnancy'), options: yesNoUnknown(t) }),
      answerYesNo('intake.pregnancy', () => 'pregnant'),
    ),

    temperature: questionStep(
      'intake.temperature',
      (t) => ({ text: t('triage:intake.temperature'), options: [['unknown', t('triage:intake.unknown')]] }),
      {
        // Typed, it must read as a temperature; "I don't know" is its button.
        typed: (text) => {
          const celsius = parseTemperature(text);
          return celsius === undefined ? undefined : String(celsius);
        },
        store: (value): Record<string, string> | undefined => {
          if (value === 'unknown') return {};
          const celsius = parseTemperature(value);
          return celsius === undefined ? undefined : { temperature: String(celsius) };
        },
        invalid: 'triage:intake.temperatureInvalid',
      },
    ),

    describe: questionStep(
      'intake.describe',
      (t, state, context) => {
        const required = describeRequired(state, context);
        return {
          text: t(required ? 'triage:intake.describeRequired' : 'triage:intake.describe'),
          options: required ? [] : [['skip', t('triage:intake.skip')]],
        };
      },
      (state, event, context) => {
        const t = context.text(state.locale);
        const value = pressed(event, 'intake.describe');
        if (value === 'back') return back(state, context);
        if (value === 'skip' && !describeRequired(state, context)) return finish(state, context);
        const typed = typedText(event);
        if (!typed) return stay(state, send({ text: t('triage:intake.describeRequired') }));
        if (typed.length > DESCRIPTION_MAX)
          return stay(state, send({ text: t('triage:intake.tooLong', { max: DESCRIPTION_MAX }) }));
        return finish(state, context, typed);
      },
    ),
  },
};
