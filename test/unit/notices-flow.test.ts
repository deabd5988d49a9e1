// Hospital notices, the patient's side, as pure reactions: "stop" in each of the six languages
// at any step turns notices off (a HOSPITAL_NOTICES decision) without leaving the step, and the
// menu's "Hospital notices" says whether they are on and turns them on or off.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Effect, StepContext } from '../../src/conversation/flow.ts';
import type { OutboundMessage } from '../../src/conversation/message.ts';
import { createTranslator, SUPPORTED_LOCALES, type Locale } from '../../src/i18n/locales.ts';
import { isStopWord } from '../../src/features/broadcasts/texts.ts';
import { button, flowContext, patientAtMenu, runFlow, sent, text } from '../support/flow-harness.ts';

let context: StepContext;
let english: (key: string) => string;
let inLocale: (locale: Locale, key: string) => string;
beforeAll(async () => {
  context = await flowContext();
  const i18n = await createTranslator();
  inLocale = (locale, key) => i18n.getFixedT(locale, 'broadcasts')(key);
  english = (key) => inLocale('en', key);
});

const messages = (effects: Effect[]): OutboundMessage[] =>
  effects.flatMap((effect) => (effect.type === 'send' ? [effect.message] : []));
const decisions = (effects: Effect[]) => effects.filter((effect) => effect.type === 'broadcasts.notices');

/** "stop" as a patient of each language would write it (mixed case, a full stop, spaces). */
const STOPS: [Locale, string][] = [
  ['en', 'STOP'],
  ['en', ' Unsubscribe '],
  ['vi', 'Dừng'],
  ['vi', 'ngừng thông báo'],
  ['zh-CN', '退订'],
  ['zh-CN', '停止。'],
  ['fr', 'Arrêter'],
  ['fr', 'stop !'],
  ['th', 'หยุด'],
  ['ja', '配信停止'],
  ['ja', 'ストップ'],
];

describe('"stop"', () => {
  it.each(STOPS)(
    'in %s (%s), in the middle of an intake, turns notices off and keeps the question',
    (locale, word) => {
      const atComplaint = runFlow(context, [button('menu|symptoms')], patientAtMenu(locale)).state;
      expect(atComplaint.step).toBe('intake.complaint');
      const question = messages(runFlow(context, [text('?')], atComplaint).effects).at(-1)!;

      const { state, effects } = runFlow(context, [text(word)], atComplaint);
      expect(decisions(effects)).toEqual([{ type: 'broadcasts.notices', granted: false }]);
      expect(state).toEqual({ ...atComplaint, notices: false });
      // Said in the patient's language, then the question they were at, with its buttons.
      const said = messages(effects);
      expect(said[0]!.text).toBe(inLocale(locale, 'stopped'));
      expect(said.at(-1)!.choices).toEqual(question.choices);
      if (locale !== 'en') expect(said[0]!.text).not.toBe(english('stopped'));

      // They go on answering where they were.
      const next = runFlow(context, [button('intake.complaint|chest_pain')], state);
      expect(next.state.step).toBe('intake.onset');
    },
  );

  it('works in any language, whatever the chat’s (a Thai patient answering an English footer)', () => {
    const { effects } = runFlow(context, [text('stop')], patientAtMenu('th'));
    expect(decisions(effects)).toHaveLength(1);
    expect(sent(effects)[0]).toBe(inLocale('th', 'stopped'));
  });

  it('is only the whole message: a sentence with "stop" in it is not', () => {
    for (const said of ['please stop the pain', 'stopped', 'don’t stop', 'dừng lại đi nào bạn ơi'])
      expect(decisions(runFlow(context, [text(said)], patientAtMenu()).effects), said).toEqual([]);
  });

  it('goes before a nurse’s open thread (it is not passed on as the answer)', () => {
    const state = patientAtMenu('en', { nurseThread: { intakeId: 'i-1', until: context.now + 3_600_000 } });
    const { effects } = runFlow(context, [text('Stop')], state);
    expect(decisions(effects)).toHaveLength(1);
    expect(effects.some((effect) => effect.type === 'intakeReply')).toBe(false);
    // Anything else still reaches the nurse.
    const other = runFlow(context, [text('Yes, still coughing')], state).effects;
    expect(other.some((effect) => effect.type === 'intakeReply')).toBe(true);
  });

  it('leaves emergency phrases their priority', () => {
    const { effects } = runFlow(context, [text('chest pain')], patientAtMenu());
    expect(decisions(effects)).toEqual([]);
    expect(messages(effects).some((message) => message.urgent)).toBe(true);
  });

  it('is understood before registration too (nothing is sent without a yes anyway)', () => {
    const state = runFlow(context, [text('hello')], flowStart()).state;
    const { state: after, effects } = runFlow(context, [text('stop')], state);
    expect(decisions(effects)).toHaveLength(1);
    expect(after.step).toBe(state.step);
  });

  it('matches every language’s words and nothing else', () => {
    const words = (locale: Locale) => inLocale(locale, 'stopWords');
    for (const locale of SUPPORTED_LOCALES)
      for (const word of words(locale).split('|'))
        expect(isStopWord(word.toUpperCase(), words), word).toBe(true);
    for (const other of ['', ' ', 'menu', 'start', 'stop stop', 'help'])
      expect(isStopWord(other, words), other).toBe(false);
  });

  it('is named in every language’s footer by a word that stops', () => {
    const words = (locale: Locale) => inLocale(locale, 'stopWords');
    const named: Record<Locale, string> = {
      en: 'STOP',
      vi: 'DỪNG',
      'zh-CN': '退订',
      fr: 'STOP',
      th: 'หยุด',
      ja: '配信停止',
    };
    for (const locale of SUPPORTED_LOCALES) {
      expect(inLocale(locale, 'footer')).toContain(named[locale]);
      expect(isStopWord(named[locale], words), locale).toBe(true);
      // Care notices also reach patients who replied STOP: their footer does not ask for it again.
      expect(inLocale(locale, 'careFooter'), locale).not.toContain(named[locale]);
    }
  });
});

describe('"Hospital notices" in the menu', () => {
  it('is a menu button and says notices are off until the patient turns them on', () => {
    const menu = messages(runFlow(context, [text('menu')], patientAtMenu()).effects).at(-1)!;
    expect(menu.choices).toContainEqual({ data: 'menu|notices', label: 'Hospital notices' });

    const { state, effects } = runFlow(context, [button('menu|notices')], patientAtMenu());
    expect(state.step).toBe('notices.choose');
    const [question] = messages(effects);
    expect(question!.text).toBe(`${english('status.off')}\n${english('status.care')}`);
    expect(question!.choices).toEqual([
      { data: 'notices|on', label: 'Turn on' },
      { data: 'notices|off', label: 'Turn off' },
      { data: 'menu|main', label: 'Back to the menu' },
    ]);
    expect(decisions(effects)).toEqual([]);
  });

  it('turns them on (granted), says so, goes back to the menu, and shows them on next time', () => {
    const { state, effects } = runFlow(
      context,
      [button('menu|notices'), button('notices|on')],
      patientAtMenu(),
    );
    expect(decisions(effects)).toEqual([{ type: 'broadcasts.notices', granted: true }]);
    expect(state).toMatchObject({ step: 'menu.main', notices: true });
    expect(sent(effects).slice(-2)).toEqual([english('started'), 'What would you like to do?']);
    expect(messages(effects).at(-1)!.choices).toContainEqual({
      data: 'menu|notices',
      label: 'Hospital notices',
    });

    const again = runFlow(context, [button('menu|notices')], state);
    expect(sent(again.effects)[0]).toBe(`${english('status.on')}\n${english('status.care')}`);

    const off = runFlow(context, [button('notices|off')], again.state);
    expect(decisions(off.effects)).toEqual([{ type: 'broadcasts.notices', granted: false }]);
    expect(off.state).toMatchObject({ step: 'menu.main', notices: false });
    expect(sent(off.effects)[0]).toBe(english('stopped'));
  });

  it('works from an older message without moving the patient', () => {
    const atComplaint = runFlow(context, [button('menu|symptoms')], patientAtMenu()).state;
    const { state, effects } = runFlow(context, [button('notices|on')], atComplaint);
    expect(decisions(effects)).toHaveLength(1);
    expect(state.step).toBe('intake.complaint');
  });

  it('asks an unregistered patient to finish registering first, recording nothing', () => {
    const unregistered = patientAtMenu('en', { patientId: undefined });
    for (const event of [button('menu|notices'), button('notices|on')]) {
      const { effects } = runFlow(context, [event], unregistered);
      expect(decisions(effects)).toEqual([]);
      expect(sent(effects)[0]).toBe("Let's finish getting to know each other first.");
    }
  });

  it('is in every language', () => {
    for (const locale of SUPPORTED_LOCALES) {
      const { effects } = runFlow(context, [button('menu|notices')], patientAtMenu(locale));
      const [question] = messages(effects);
      expect(question!.text).toContain(inLocale(locale, 'status.off'));
      expect(question!.choices!.map((choice) => choice.label)).toEqual([
        inLocale(locale, 'turnOn'),
        inLocale(locale, 'turnOff'),
        inLocale(locale, 'back'),
      ]);
      const menu = messages(runFlow(context, [text('menu')], patientAtMenu(locale)).effects).at(-1)!;
      expect(menu.choices).toContainEqual({ data: 'menu|notices', label: inLocale(locale, 'menu') });
    }
  });
});

function flowStart() {
  return { ...patientAtMenu('en', { patientId: undefined }), step: 'onboarding.begin' };
}
