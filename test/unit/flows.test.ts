// The flows as pure functions: scripted conversations with no I/O, asserting the state and the
// effects each step decides.
import { beforeAll, describe, expect, it } from 'vitest';
import { CONSENT_TEXT_VERSION } from '../../src/features/index.ts';
import { flowRegistry } from '../../src/features/index.ts';
import { FLOW_VERSION } from '../../src/features/registry.ts';

const FLOWS = flowRegistry.flows;
import type { ConversationState, FlowEvent, StepContext } from '../../src/conversation/flow.ts';
import { SUPPORTED_LOCALES, type Locale } from '../../src/i18n/locales.ts';
import { address, button, flowContext, runFlow, sent, settings, text } from '../support/flow-harness.ts';

let context: StepContext;

beforeAll(async () => {
  context = await flowContext();
});

/** Runs events through the registry from a fresh state, returning the last result and all effects. */
function run(
  events: FlowEvent[],
  locale: Locale = 'en',
  state = flowRegistry.start(address, locale, undefined, 'new', settings),
) {
  return runFlow(context, events, state);
}

const toPhone = [text('hi'), button('onboarding.consent|yes'), text('Lê Văn Tám'), text('02/09/1945')];

describe('onboarding', () => {
  it('collects consent, name, birth date and phone, then asks the register to identify', () => {
    const { state, effects } = run([...toPhone, text('0912345678')]);
    expect(state.step).toBe('onboarding.identifying');
    expect(effects).toContainEqual({
      type: 'recordConsent',
      purpose: 'health-data',
      textVersion: CONSENT_TEXT_VERSION,
      granted: true,
    });
    expect(effects.at(-1)).toEqual({
      type: 'identifyPatient',
      fullName: 'Lê Văn Tám',
      birthDate: '1945-09-02',
      phone: '+84912345678',
      country: 'VN',
    });
  });

  it('clears the personal draft once the patient is identified, and shows the menu', () => {
    const before = run([...toPhone, text('0912345678')]).state;
    const { state, effects } = run(
      [{ kind: 'system', name: 'patient.identified', data: { patientId: 'p-1', returning: false } }],
      'en',
      before,
    );
    expect(state).toMatchObject({ step: 'menu.main', patientId: 'p-1', draft: {} });
    expect(sent(effects)).toEqual([
      'Thank you, Lê Văn Tám. You are registered.',
      'What would you like to do?',
    ]);
  });

  it('records a refusal and goes no further without consent', () => {
    const { state, effects } = run([text('hi'), button('onboarding.consent|no'), text('Lê Văn Tám')]);
    expect(state.step).toBe('onboarding.declined');
    expect(effects).toContainEqual({
      type: 'recordConsent',
      purpose: 'health-data',
      textVersion: CONSENT_TEXT_VERSION,
      granted: false,
    });
    expect(effects.some((e) => e.type === 'identifyPatient')).toBe(false);
  });

  it('takes a typed button label for the press, in any case and without its emoji', () => {
    const atConsent = run([text('hi')]).state;
    expect(atConsent.step).toBe('onboarding.consent');
    const labels = run([text('hi')])
      .effects.flatMap((effect) => (effect.type === 'send' ? (effect.message.choices ?? []) : []))
      .map((choice) => choice.label);
    const yes = labels.find((label) => /agree/i.test(label));
    expect(yes).toBeDefined();
    const typed = run(
      [text(`  ${yes!.replace(/\p{Extended_Pictographic}/gu, '').toUpperCase()} `)],
      'en',
      atConsent,
    );
    const pressedIt = run([button('onboarding.consent|yes')], 'en', atConsent);
    expect(typed).toEqual(pressedIt);
    expect(typed.state.step).toBe('onboarding.name');
  });

  it("refuses a contact that is not the patient's own", () => {
    const { state, effects } = run([
      ...toPhone,
      { kind: 'contact', phone: '+84912345678', ownContact: false },
    ]);
    expect(state.step).toBe('onboarding.phone');
    expect(sent(effects)).toContain('Please share your own phone number, or type it.');
  });

  it('names the country in the patient language when the phone is invalid', () => {
    const { effects } = run(
      [
        ...toPhone.slice(0, 1),
        button('onboarding.consent|yes'),
        text('Jean Dupont'),
        text('01/01/1970'),
        text('123'),
      ],
      'fr',
    );
    expect(sent(effects).at(-2)).toMatch(
      /^Ce numéro ne semble pas valide pour : France\. .*par exemple 06 12 34 56 78\.$/,
    );
  });

  it('does not let the menu skip consent', () => {
    const { state, effects } = run([text('hi'), text('menu')]);
    expect(state.step).toBe('onboarding.consent');
    expect(sent(effects)).toContain("Let's finish getting to know each other first.");
  });
});

describe('the first impression (issue 14)', () => {
  const webAddress = { channel: 'web' as const, channelUserId: 'session-1' };
  const lineAddress = { channel: 'line' as const, channelUserId: 'U1' };
  const onChannel = (
    channel: typeof webAddress | typeof lineAddress | typeof address,
    locale: Locale = 'en',
  ) => flowRegistry.start(channel, locale, undefined, 'new', settings);

  it('the phone prompt per channel: Telegram offers its share button, LINE and web chat ask to type', () => {
    const phonePrompt = (state: ConversationState) => {
      const { effects } = run(toPhone, 'en', state);
      const last = effects.at(-1);
      return last?.type === 'send' ? last.message : undefined;
    };
    expect(phonePrompt(onChannel(address))).toMatchObject({
      text: 'What is your mobile phone number? Press the button to share it, or type it.',
      request: { kind: 'contact' },
    });
    for (const channel of [webAddress, lineAddress]) {
      const message = phonePrompt(onChannel(channel));
      expect(message?.text).toBe('What is your mobile phone number? Please type it.');
      expect(message?.request).toBeUndefined();
    }
  });

  it.each([
    ['31/02/1980', 'That date does not exist in the calendar (check the day and the month).'],
    ['01/01/2030', 'That date is in the future.'],
    ['01/01/1850', 'That date is more than 125 years ago; please check the year.'],
    ['last tuesday', 'I could not read that date.'],
  ])('date errors that say what is wrong: %s', (typed, why) => {
    const { state, effects } = run([...toPhone.slice(0, 3), text(typed)]);
    expect(state.step).toBe('onboarding.birthDate');
    expect(sent(effects).at(-2)).toBe(`${why} Please write your date of birth like this: 31/12/1980`);
  });

  it('a consent refusal gives the hospital phone and address and a button to start again', () => {
    const { state, effects } = run([text('hi'), button('onboarding.consent|no')]);
    expect(state.step).toBe('onboarding.declined');
    const last = effects.at(-1);
    const message = last?.type === 'send' ? last.message : undefined;
    expect(message?.text).toContain(
      `phone at ${settings.hospitalPhone} or in person at ${settings.hospitalAddress}`,
    );
    expect(message?.choices).toEqual([{ data: 'onboarding.declined|again', label: 'Start again' }]);
    expect(message?.calls).toEqual([
      { label: `Call ${settings.hospitalPhone}`, number: settings.hospitalPhone },
    ]);
    const again = run([button('onboarding.declined|again'), button('onboarding.consent|yes')], 'en', state);
    expect(again.state.step).toBe('onboarding.name');
    expect(again.effects).toContainEqual(expect.objectContaining({ type: 'recordConsent', granted: true }));
  });

  it.each([
    ['en', 'I want to withdraw my consent'],
    ['vi', 'Tôi muốn rút lại sự đồng ý'],
    ['zh-CN', '我要撤回同意'],
    ['fr', 'Je veux retirer mon consentement.'],
    ['th', 'ขอถอนความยินยอม'],
    ['ja', '同意を撤回します'],
  ] as const)('withdraw consent understood as a global intent in %s', (locale, typed) => {
    const atMenu = {
      ...onChannel(webAddress, locale),
      step: 'intake.complaint',
      patientId: 'p-1',
      birthDate: '1990-01-01',
    };
    const { state, effects } = run([text(typed)], locale, atMenu);
    expect(effects[0]).toEqual({
      type: 'recordConsent',
      purpose: 'health-data',
      textVersion: CONSENT_TEXT_VERSION,
      granted: false,
    });
    expect(state).toMatchObject({ step: 'onboarding.declined', draft: {} });
    expect(state.patientId).toBeUndefined();
    expect(state.birthDate).toBeUndefined();
    // Said what is kept, and why, before how to reach the hospital.
    expect(sent(effects)).toHaveLength(2);
  });

  it.each([
    ['en', 'Please delete my data'],
    ['vi', 'xóa dữ liệu của tôi'],
    ['zh-CN', '请删除我的数据'],
    ['fr', 'supprimer mes données'],
    ['th', 'ลบข้อมูลของฉัน'],
    ['ja', '私のデータを削除してください'],
  ] as const)('delete my data understood in %s: explains and offers withdrawing consent', (locale, typed) => {
    const atMenu = { ...onChannel(webAddress, locale), step: 'menu.main', patientId: 'p-1' };
    const { state, effects } = run([text(typed)], locale, atMenu);
    expect(state.step).toBe('menu.main');
    expect(effects.some((e) => e.type === 'recordConsent')).toBe(false);
    const answer = effects[0];
    expect(answer?.type === 'send' && answer.message.text).toContain(settings.hospitalPhone);
    expect(answer?.type === 'send' && answer.message.calls?.map((call) => call.number)).toEqual([
      settings.hospitalPhone,
    ]);
    expect(answer?.type === 'send' && answer.message.choices?.map((c) => c.data)).toEqual([
      'privacy|withdraw',
      'privacy|keep',
    ]);
    const withdrawn = run([button('privacy|withdraw')], locale, state);
    expect(withdrawn.state.step).toBe('onboarding.declined');
    expect(withdrawn.effects[0]).toMatchObject({ type: 'recordConsent', granted: false });
  });
});

describe('global interrupts', () => {
  const everyStep = FLOWS.flatMap((flow) => Object.keys(flow.steps).map((step) => `${flow.name}.${step}`));

  it.each(everyStep)(
    'an emergency phrase in step %s answers with the hospital country’s number first and keeps the step',
    (step) => {
      const state: ConversationState = {
        ...flowRegistry.start(address, 'fr', undefined, 'new', settings),
        step,
        country: 'FR',
      };
      const result = flowRegistry.step(state, text("j'ai une douleur thoracique"), context);
      expect(result.state).toEqual(state);
      expect(result.effects).toEqual([
        { type: 'recordRedFlag', phrase: 'douleur thoracique', phraseLocale: 'fr', emergencyNumber: '115' },
        {
          type: 'send',
          message: {
            text: "⚠️ Il s'agit peut-être d'une urgence. Appelez le 115 maintenant ou rendez-vous aux urgences les plus proches. N'attendez pas de réponse dans cette conversation.\n\nSi vous êtes en ce moment dans le pays suivant : France, appelez plutôt le 15/112.",
            urgent: true,
            calls: [
              { label: 'Appeler le 115', number: '115' },
              { label: 'Appeler le 15', number: '15' },
              { label: 'Appeler le 112', number: '112' },
            ],
          },
        },
      ]);
    },
  );

  it('gives the alert in the language of the phrase as well, when the conversation has another', () => {
    const state: ConversationState = {
      ...flowRegistry.start(address, 'en', undefined, 'new', settings),
      step: 'menu.main',
      country: 'VN',
    };
    const result = flowRegistry.step(state, text('tôi bị khó thở quá'), context);
    const alert = result.effects.find((effect) => effect.type === 'send');
    const lines = alert?.type === 'send' ? alert.message.text.split('\n\n') : [];
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^⚠️ This may be an emergency\. Call 115/);
    expect(lines[1]).toMatch(/^⚠️ .*115/);
    expect(lines[1]).toContain('Hãy gọi ngay 115');
  });

  it('changes language from any step and returns to it', () => {
    const { state, effects } = run([...toPhone.slice(0, 3), button('menu|language'), button('lang|ja')]);
    expect(state).toMatchObject({ locale: 'ja', step: 'onboarding.birthDate' });
    expect(effects).toContainEqual({ type: 'setLocale', locale: 'ja' });
    expect(sent(effects).slice(-2)).toEqual([
      'これからは日本語でご案内します。',
      '生年月日を教えてください。例：1980/12/31',
    ]);
  });

  it('answers a button from an earlier question without acting on it', () => {
    const { state, effects } = run([...toPhone, button('onboarding.consent|no')]);
    expect(state.step).toBe('onboarding.phone');
    expect(effects.filter((e) => e.type === 'recordConsent')).toHaveLength(1);
    expect(sent(effects).slice(-2)[0]).toBe(
      'That button belongs to an earlier message. Here is where we are now:',
    );
  });

  it('gives help with the hospital country’s emergency number, not the phone’s', () => {
    const { effects } = run([text('hi'), text('/help')], 'ja', {
      ...flowRegistry.start(address, 'ja', undefined, 'new', settings),
      country: 'JP',
    });
    expect(sent(effects).at(-2)).toContain('すぐに 115 に電話してください');
  });

  it('ignores an unfollow, which cannot be answered', () => {
    const start = run([text('hi')]).state;
    expect(flowRegistry.step(start, { kind: 'unfollow' }, context)).toEqual({ state: start, effects: [] });
  });
});

describe('starting a conversation', () => {
  const known = {
    id: 'p-9',
    displayName: 'Yuki Tanaka',
    locale: 'ja' as const,
    country: 'JP',
    birthDate: '1990-04-01',
    consented: true,
    profileComplete: true,
  };

  it('greets a known patient by name in their language and goes to the menu', () => {
    const state = flowRegistry.start(address, 'en', known, 'new', settings);
    expect(state).toMatchObject({
      version: FLOW_VERSION,
      step: 'menu.welcomeBack',
      locale: 'ja',
      patientId: 'p-9',
      country: 'JP',
    });
    const { state: next, effects } = run([text('こんにちは')], 'ja', state);
    expect(next.step).toBe('menu.main');
    expect(sent(effects)[0]).toBe('Yuki Tanaka様、おかえりなさい。');
  });

  it('restarts politely after a flow upgrade', () => {
    const state = flowRegistry.start(address, 'vi', known, 'upgraded', settings);
    const { state: next, effects } = run([text('xin chào')], 'vi', state);
    expect(sent(effects)[0]).toBe('Chúng tôi vừa cập nhật dịch vụ. Hãy tiếp tục từ bước phù hợp.');
    expect(next.step).toBe('menu.main');
  });

  it('takes the country from the language until the phone number tells', () => {
    expect(flowRegistry.start(address, 'th', undefined, 'new', settings).country).toBe('TH');
    expect(flowRegistry.start(address, 'en', undefined, 'new', settings).country).toBe('VN');
  });
});

describe('every prompt exists in every language', () => {
  it.each(SUPPORTED_LOCALES)('%s: no step prompt falls back to a key', (locale) => {
    for (const flow of FLOWS) {
      for (const [name, step] of Object.entries(flow.steps)) {
        const state = {
          ...flowRegistry.start(address, locale, undefined, 'new', settings),
          step: `${flow.name}.${name}`,
        };
        for (const message of step.prompt(state, context)) {
          expect(message.text).not.toMatch(/^[a-z]+\.[a-zA-Z.]+$/);
          for (const choice of message.choices ?? [])
            expect(choice.label).not.toMatch(/^[a-z]+\.[a-zA-Z.]+$/);
        }
      }
    }
  });
});
