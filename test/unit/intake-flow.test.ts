// The symptom intake as a pure flow: questions asked per complaint, back and "I don't know",
// the triage result and what is handed to storage, the emergency stop in every language, and
// messages from the nurse console.
import { beforeAll, describe, expect, it } from 'vitest';
import type {
  ConversationState,
  Effect,
  FlowEvent,
  StepContext,
  SystemEventOf,
} from '../../src/conversation/flow.ts';
import type { IntakeRecord } from '../../src/domain/intakes.ts';
import { TRIAGE_RULES_VERSION } from '../../src/domain/triage.ts';
import { SUPPORTED_LOCALES, createTranslator, type Locale } from '../../src/i18n/locales.ts';
import { button, flowContext, patientAtMenu, runFlow, sent, text } from '../support/flow-harness.ts';

let context: StepContext;
beforeAll(async () => {
  context = await flowContext();
});

const recorded = (effects: Effect[]): IntakeRecord[] =>
  effects.flatMap((effect) => (effect.type === 'recordIntake' ? [effect.intake] : []));

const chestPainCalm = [
  button('menu|symptoms'),
  button('intake.complaint|chest_pain'),
  button('intake.onset|today'),
  button('intake.severity|3'),
  button('intake.redFlag|no'),
  button('intake.redFlag|no'),
  button('intake.redFlag|unknown'),
];

describe('symptom intake', () => {
  it('is offered in the main menu', () => {
    const { effects } = runFlow(context, [text('menu')], patientAtMenu());
    const menu = effects.find((effect) => effect.type === 'send' && effect.message.choices);
    expect(menu?.type === 'send' && menu.message.choices?.[0]).toEqual({
      data: 'menu|symptoms',
      label: 'Check my symptoms',
    });
  });

  it('asks the chest-pain questions, then triages and hands the intake to storage', () => {
    const { state, effects } = runFlow(
      context,
      [...chestPainCalm, text('It started while climbing stairs')],
      patientAtMenu(),
    );
    expect(sent(effects)).toEqual([
      "Let's look at your symptoms. It takes about two minutes; press “Back” to change an answer.",
      'What is bothering you most?',
      'When did it start?',
      'How bad is it now, from 0 (nothing) to 10 (the worst you can imagine)?',
      'Does the pain spread to your arm, jaw, neck or back?',
      'Are you sweating, feeling sick or faint with the pain?',
      'Are you short of breath with the pain?',
      'In your own words, is there anything else the nurse should know? Type it, or press “Skip”.',
      'A nurse will review your answers within the hour, before you book. Suggested department: Cardiology.\n\nThis is not a diagnosis: it only helps the hospital decide how soon you should be seen.',
      'What would you like to do?',
    ]);
    expect(recorded(effects)).toEqual([
      {
        answers: {
          complaint: 'chest_pain',
          onset: 'today',
          severity: 3,
          redFlags: { chest_spreading: 'no', chest_sweating: 'no', chest_breathless: 'unknown' },
          pregnant: undefined,
          temperature: undefined,
          age: 36,
        },
        description: 'It started while climbing stairs',
        result: {
          acuity: 3,
          department: 'cardiology',
          reasons: [],
          reviewRequired: true,
          bookingUrgency: 'within-24h',
        },
        rulesVersion: TRIAGE_RULES_VERSION,
        locale: 'en',
      },
    ]);
    // The patient's words went to storage only: nothing of the intake stays in the state.
    expect(state).toMatchObject({ step: 'menu.main', draft: {} });
    expect(JSON.stringify(state)).not.toContain('stairs');
  });

  it('asks pregnancy and temperature where the complaint needs them, and reads a typed temperature', () => {
    const { effects } = runFlow(
      context,
      [
        button('menu|symptoms'),
        button('intake.complaint|abdominal_pain'),
        button('intake.onset|days'),
        text('6'),
        button('intake.redFlag|no'),
        button('intake.redFlag|no'),
        button('intake.pregnancy|yes'),
        text('38,2'),
        button('intake.describe|skip'),
      ],
      patientAtMenu(),
    );
    const [intake] = recorded(effects);
    expect(intake?.answers).toMatchObject({ severity: 6, pregnant: 'yes', temperature: 38.2 });
    expect(intake?.description).toBeUndefined();
    expect(intake?.result).toMatchObject({ acuity: 2, department: 'obstetrics' });
  });

  it('skips the pregnancy question outside the age range', () => {
    const { state } = runFlow(
      context,
      [
        button('menu|symptoms'),
        button('intake.complaint|abdominal_pain'),
        button('intake.onset|days'),
        button('intake.severity|2'),
        button('intake.redFlag|no'),
        button('intake.redFlag|no'),
      ],
      patientAtMenu('en', { birthDate: '1950-01-01' }),
    );
    expect(state.step).toBe('intake.temperature');
  });

  it('goes back one question at a time, to the complaint list, and to the menu', () => {
    let { state } = runFlow(context, chestPainCalm.slice(0, 5), patientAtMenu());
    expect(state.step).toBe('intake.redFlag');
    expect(state.draft.flag).toBe('chest_sweating');
    ({ state } = runFlow(context, [button('intake.redFlag|back')], state));
    expect([state.step, state.draft.flag]).toEqual(['intake.redFlag', 'chest_spreading']);
    ({ state } = runFlow(context, [button('intake.redFlag|back')], state));
    expect(state.step).toBe('intake.severity');
    ({ state } = runFlow(context, [button('intake.severity|back'), button('intake.onset|back')], state));
    expect(state.step).toBe('intake.complaint');
    ({ state } = runFlow(context, [button('intake.complaint|back')], state));
    expect(state).toMatchObject({ step: 'menu.main', draft: {} });
  });

  it('accepts "I don\'t know" and asks again after an answer it cannot read', () => {
    const { state, effects } = runFlow(
      context,
      [
        button('menu|symptoms'),
        button('intake.complaint|cough_cold'),
        button('intake.onset|unknown'),
        text('eleven'),
      ],
      patientAtMenu(),
    );
    expect(state.step).toBe('intake.severity');
    expect(sent(effects).slice(-2)).toEqual([
      'Please choose a number from 0 to 10.',
      'How bad is it now, from 0 (nothing) to 10 (the worst you can imagine)?',
    ]);
    const after = runFlow(context, [button('intake.severity|unknown')], state);
    expect(after.state.step).toBe('intake.redFlag');
    expect(after.state.draft.severity).toBe('unknown');
  });

  it('requires a description for "something else"', () => {
    const { state, effects } = runFlow(
      context,
      [
        button('menu|symptoms'),
        button('intake.complaint|other'),
        button('intake.onset|week'),
        button('intake.severity|4'),
        button('intake.describe|skip'),
      ],
      patientAtMenu(),
    );
    expect(state.step).toBe('intake.describe');
    expect(recorded(effects)).toEqual([]);
    expect(sent(effects).at(-1)).toBe('Please describe your problem in a few words.');
    const done = runFlow(context, [text('My ears ring all day')], state);
    expect(recorded(done.effects)[0]).toMatchObject({
      description: 'My ears ring all day',
      result: { acuity: 4 },
    });
  });

  it('refuses a button from an earlier question', () => {
    const { state, effects } = runFlow(
      context,
      [...chestPainCalm.slice(0, 4), button('intake.onset|hour')],
      patientAtMenu(),
    );
    expect(state.step).toBe('intake.redFlag');
    expect(sent(effects)).toContain('That button belongs to an earlier message. Here is where we are now:');
  });

  it('is only for registered patients', () => {
    const { state } = runFlow(context, [button('menu|symptoms')], {
      ...patientAtMenu(),
      patientId: undefined,
      step: 'onboarding.name',
    });
    expect(state.step).toBe('onboarding.name');
  });
});

describe('an emergency answer, in every language', () => {
  const countries: Record<Locale, [country: string, number: string]> = {
    en: ['US', '911'],
    vi: ['VN', '115'],
    'zh-CN': ['CN', '120'],
    fr: ['FR', '15/112'],
    th: ['TH', '1669'],
    ja: ['JP', '119'],
  };

  it.each(SUPPORTED_LOCALES)(
    '%s: stops at once with the hospital’s emergency number (the phone’s second) and records level 1',
    async (locale) => {
      const [country, home] = countries[locale];
      const number = '115';
      const i18n = await createTranslator();
      const { state, effects } = runFlow(
        context,
        [
          button('menu|symptoms'),
          button('intake.complaint|headache'),
          button('intake.onset|hour'),
          button('intake.severity|9'),
          button('intake.redFlag|yes'),
        ],
        patientAtMenu(locale, { country }),
      );
      const emergency = effects.find((effect) => effect.type === 'send' && effect.message.urgent);
      const message = emergency?.type === 'send' ? emergency.message : undefined;
      expect(message?.text.split('\n\n')[0]).toBe(
        i18n.getFixedT(locale, 'triage')('intake.emergency', { number }),
      );
      // A tap-to-call button for the hospital's number, then the home number for a foreign phone.
      expect(message?.calls?.[0]).toEqual({
        label: i18n.getFixedT(locale, 'chat')('emergency.call', { number }),
        number,
      });
      if (country !== 'VN') expect(message?.text).toContain(home.split('/')[0]);
      // Every result, the emergency too, says it is not a diagnosis.
      expect(sent(effects)).toContain(i18n.getFixedT(locale, 'triage')('intake.notDiagnosis'));
      const [intake] = recorded(effects);
      expect(intake?.result).toMatchObject({ acuity: 1, department: 'emergency' });
      expect(intake?.result.reasons).toContain('redFlag:headache_sudden');
      // No further question was asked.
      expect(state.step).toBe('menu.main');
      expect(intake?.answers.redFlags).toEqual({ headache_sudden: 'yes' });
    },
  );
});

describe('messages from the nurse console', () => {
  const staff = (data: Record<string, string>, state: ConversationState) =>
    runFlow(context, [{ kind: 'system', name: 'staff.message', data }], state);

  it('says a template in the patient’s language, with their emergency number, without moving', () => {
    const before = { ...patientAtMenu('vi', { country: 'VN' }), step: 'intake.severity' };
    const { state, effects } = staff({ template: 'emergency' }, before);
    expect(sent(effects)).toEqual([
      'Điều dưỡng đã xem câu trả lời của bạn: vui lòng đến khoa cấp cứu ngay, hoặc gọi 115.',
    ]);
    expect(state).toEqual(before);
  });

  it('relays typed text as the nurse’s message', () => {
    const { effects } = staff({ text: 'Please come at 3 pm.' }, patientAtMenu('fr'));
    expect(sent(effects)).toEqual(["Message de l'infirmière : Please come at 3 pm."]);
  });
});

describe('typed answers to yes / no questions', () => {
  const toFirstFlag = [
    button('menu|symptoms'),
    button('intake.complaint|fever'),
    button('intake.onset|today'),
    button('intake.severity|3'),
  ];
  it.each([
    ['en', 'no', 'yes'],
    ['en', 'No.', 'YES'],
    ['vi', 'không', 'có'],
    ['zh-CN', '没有', '是'],
    ['fr', 'non', 'oui'],
    ['th', 'ไม่', 'ใช่'],
    ['ja', 'いいえ', 'はい'],
  ] as const)('%s: typing "%s" and "%s" answers the question instead of being refused', (locale, no, yes) => {
    const { state, effects } = runFlow(
      context,
      [...toFirstFlag, text(no), text(no), text(yes)],
      patientAtMenu(locale),
    );
    expect(sent(effects).join('\n')).not.toContain(context.text(locale)('triage:intake.useButtons'));
    // fever_neck_rash no, fever_confused no, fever_long yes: the pregnancy question comes next.
    expect(state.step).toBe('intake.pregnancy');
    expect(state.draft).toMatchObject({
      'rf.fever_neck_rash': 'no',
      'rf.fever_confused': 'no',
      'rf.fever_long': 'yes',
    });
  });

  it('still refuses words that are not an answer', () => {
    const { state, effects } = runFlow(context, [...toFirstFlag, text('maybe tomorrow')], patientAtMenu());
    expect(sent(effects)).toContain('Please answer with the buttons, or press “Back”.');
    expect(state.step).toBe('intake.redFlag');
  });
});

describe('an emergency phrase typed during an intake', () => {
  it('stops the questions and stores the intake at level 1 with the phrase, not "no red flag"', () => {
    const { state, effects } = runFlow(
      context,
      [
        button('menu|symptoms'),
        button('intake.complaint|cough_cold'),
        button('intake.onset|today'),
        text('tôi bị khó thở quá'),
      ],
      patientAtMenu('vi'),
    );
    const [intake] = recorded(effects);
    expect(intake?.result).toMatchObject({ acuity: 1, department: 'emergency', bookingUrgency: 'emergency' });
    expect(intake?.result.reasons).toContain('typed:khó thở');
    expect(intake?.typedRedFlags).toEqual([{ phrase: 'khó thở', locale: 'vi', acuity: 1 }]);
    expect(intake?.description).toBe('tôi bị khó thở quá');
    expect(effects).toContainEqual(expect.objectContaining({ type: 'recordRedFlag', phrase: 'khó thở' }));
    const urgent = effects.filter((effect) => effect.type === 'send' && effect.message.urgent);
    expect(urgent).toHaveLength(1);
    expect(state).toMatchObject({ step: 'menu.main', draft: {}, triage: { acuity: 1 } });
  });
});

describe('the patient answering the nurse', () => {
  const fromNurse = (data: SystemEventOf<'staff.message'>['data']): FlowEvent => ({
    kind: 'system',
    name: 'staff.message',
    data,
  });
  const intakeId = '6f1c1e0e-6b1a-4c55-9a43-5f8a3f0e9d11';

  it('passes free text after "A nurse would like to know more" on to that intake, in the patient’s language', () => {
    const { state, effects } = runFlow(
      context,
      [fromNurse({ template: 'moreInfo', intakeId }), text('Tôi thấy đỡ hơn, nhưng vẫn sốt')],
      patientAtMenu('vi'),
    );
    expect(effects).toContainEqual({ type: 'intakeReply', intakeId, text: 'Tôi thấy đỡ hơn, nhưng vẫn sốt' });
    const said = sent(effects);
    expect(said).not.toContain('Xin lỗi, tôi chưa hiểu. Vui lòng chọn một trong các nút.');
    expect(said.at(-1)).toBe(context.text('vi')('triage:staff.replyPassedOn'));
    expect(state.step).toBe('menu.main');
  });

  it('raises that intake with an emergency phrase on the thread', () => {
    const { effects } = runFlow(
      context,
      [fromNurse({ template: 'moreInfo', intakeId }), text('my chest hurts now')],
      patientAtMenu('en', { country: 'US' }),
    );
    expect(effects).toContainEqual({
      type: 'intakeReply',
      intakeId,
      text: 'my chest hurts now',
      redFlag: { phrase: 'chest hurts', locale: 'en', acuity: 1 },
    });
  });

  it('leaves typed answers to the intake questions alone, and stops after a day', () => {
    const during = runFlow(
      context,
      [
        fromNurse({ template: 'moreInfo', intakeId }),
        button('menu|symptoms'),
        button('intake.complaint|fever'),
        button('intake.onset|today'),
        text('4'),
      ],
      patientAtMenu(),
    );
    expect(during.effects.some((effect) => effect.type === 'intakeReply')).toBe(false);
    expect(during.state.step).toBe('intake.redFlag');
    const later = { ...context, now: context.now + 25 * 3_600_000 };
    const { effects } = runFlow(later, [text('hello?')], { ...during.state, step: 'menu.main' });
    expect(effects.some((effect) => effect.type === 'intakeReply')).toBe(false);
  });

  it('gives the emergency template with call buttons and a single full stop', () => {
    const { effects } = runFlow(
      context,
      [fromNurse({ template: 'emergency', intakeId })],
      patientAtMenu('en', { country: 'US' }),
    );
    const [message] = effects.flatMap((effect) => (effect.type === 'send' ? [effect.message] : []));
    expect(message?.text).toContain('or call 115.');
    expect(message?.text).not.toContain('..');
    expect(message?.calls).toEqual([
      { label: 'Call 115', number: '115' },
      { label: 'Call 911', number: '911' },
    ]);
  });
});
