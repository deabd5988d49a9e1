// Runs flows as pure functions: scripted events through the registry, no I/O.
import { flowRegistry } from '../../src/features/index.ts';
import type {
  ConversationState,
  Effect,
  FlowEvent,
  FlowSettings,
  StepContext,
} from '../../src/conversation/flow.ts';
import { createTranslator, type Locale } from '../../src/i18n/locales.ts';

export const settings: FlowSettings = {
  hospitalName: 'Bạch Mai',
  hospitalPhone: '+84 24 3869 3731',
  hospitalAddress: '78 Giải Phóng, Hà Nội',
  hospitalCountry: 'VN',
  emergencyNumbers: { VN: '115', FR: '15/112', JP: '119', TH: '1669', CN: '120', US: '911' },
  privacyUrl: 'https://h.example/privacy',
  hospitalTimeZone: 'Asia/Ho_Chi_Minh',
  bookingHoldMinutes: 10,
  fees: { currency: 'VND', byDepartment: {}, otherwise: 0 },
};
export const address = { channel: 'telegram' as const, channelUserId: '1' };

/** A step context with the real locale files and a fixed clock. */
export async function flowContext(now = Date.UTC(2026, 10, 24)): Promise<StepContext> {
  const i18n = await createTranslator();
  return {
    text: (locale: Locale) => (key, values) => i18n.getFixedT(locale, 'chat')(key, values),
    now,
    settings,
  };
}

export const text = (value: string): FlowEvent => ({ kind: 'text', text: value });
export const button = (data: string): FlowEvent => ({ kind: 'button', data });
export const sent = (effects: Effect[]) =>
  effects.flatMap((e) => (e.type === 'send' ? [e.message.text] : []));

/** Runs events through the registry from `state`, returning the last state and all effects. */
export function runFlow(
  context: StepContext,
  events: FlowEvent[],
  state: ConversationState,
): { state: ConversationState; effects: Effect[] } {
  const all: Effect[] = [];
  for (const event of events) {
    const result = flowRegistry.step(state, event, context);
    state = result.state;
    all.push(...result.effects);
  }
  return { state, effects: all };
}

/** A registered, consenting patient at the main menu. */
export function patientAtMenu(
  locale: Locale = 'en',
  overrides: Partial<ConversationState> = {},
): ConversationState {
  return {
    ...flowRegistry.start(address, locale, undefined, 'new', settings),
    step: 'menu.main',
    patientId: 'p-1',
    birthDate: '1990-05-01',
    ...overrides,
  };
}
