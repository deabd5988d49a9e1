// One contract for every channel plugin, run against Telegram, LINE and the web chat through
// their real inbound routes and the platform fakes: an inbound message gets its answer once,
// the answer fits the channel's capabilities and is in the language the platform reports, and
// the channel's own context (LINE's reply token, Telegram's button press) goes out with the
// answer and is used once.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelCapabilities } from '../../src/channels/channel.ts';
import { LINE_CAPABILITIES } from '../../src/channels/line/index.ts';
import { TELEGRAM_CAPABILITIES } from '../../src/channels/telegram/index.ts';
import { WEB_CHAT_CAPABILITIES } from '../../src/channels/web/index.ts';
import type { OutboundMessage } from '../../src/conversation/message.ts';
import {
  FAKE_LINE_SECRET,
  FAKE_LINE_TOKEN,
  LineFake,
  line,
  lineSignature,
} from '../support/fakes/line-fake.ts';
import { FAKE_BOT_TOKEN, TelegramFake, tg } from '../support/fakes/telegram-fake.ts';
import { startTestInstance, type TestInstance } from '../support/instance.ts';

const TELEGRAM_SECRET = 'telegram-webhook-secret_contract';

/** One message as the platform received it. */
interface Delivered {
  text: string;
  /** Answer buttons under it. */
  buttons: number;
}

/** A patient on one channel, driven through the channel's real inbound route. */
interface Patient {
  say(text: string): Promise<void>;
  press(data: string): Promise<void>;
  /** What reached the platform for this patient, in order. */
  delivered(): Promise<Delivered[]>;
  /**
   * How often each platform context of this patient's events was spent (reply tokens used,
   * presses answered); [] for a channel that has none.
   */
  contextUses(): number[];
  /** Whether the platform was asked for the patient's language (LINE's profile). */
  askedForLocale(): boolean;
}

interface ChannelCase {
  name: string;
  capabilities: ChannelCapabilities;
  /** A new patient whose platform reports `locale` (Thai here). */
  patient(locale: string): Promise<Patient>;
}

let instance: TestInstance;
let telegram: TelegramFake;
let lineFake: LineFake;
const url = () => instance.frontdoor.url;

function expectAccepted(response: Response): void {
  expect(response.status).toBeLessThan(300);
}

let nextChat = 8100;
let nextUser = 1;

const cases: ChannelCase[] = [
  {
    name: 'telegram',
    capabilities: TELEGRAM_CAPABILITIES,
    async patient(locale) {
      const chat = (nextChat += 1);
      const presses: string[] = [];
      const post = async (update: object) =>
        expectAccepted(
          await fetch(`${url()}/webhooks/telegram`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'x-telegram-bot-api-secret-token': TELEGRAM_SECRET,
            },
            body: JSON.stringify(update),
          }),
        );
      return {
        say: (text) => post(tg.text(chat, text, locale)),
        async press(data) {
          const update = tg.button(chat, data, locale);
          presses.push((update as { callback_query: { id: string } }).callback_query.id);
          await post(update);
        },
        async delivered() {
          return telegram.messages(String(chat)).map(({ body }) => {
            const markup = body.reply_markup as
              { inline_keyboard?: { callback_data?: string }[][] } | undefined;
            const buttons = (markup?.inline_keyboard ?? []).flat().filter((b) => b.callback_data);
            return {
              text:
                typeof body.text === 'string'
                  ? body.text
                  : typeof body.caption === 'string'
                    ? body.caption
                    : '',
              buttons: buttons.length,
            };
          });
        },
        contextUses: () =>
          presses.map(
            (id) =>
              telegram
                .calls()
                .filter((call) => call.method === 'answerCallbackQuery' && call.body.callback_query_id === id)
                .length,
          ),
        askedForLocale: () => false,
      };
    },
  },
  {
    name: 'line',
    capabilities: LINE_CAPABILITIES,
    async patient(locale) {
      const user = `U${String((nextUser += 1)).padStart(32, 'c')}`;
      lineFake.languages.set(user, locale);
      const tokens: string[] = [];
      const post = async (event: object) => {
        const body = line.body([event]);
        expectAccepted(
          await fetch(`${url()}/webhooks/line`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json; charset=utf-8',
              'x-line-signature': lineSignature(body),
            },
            body,
          }),
        );
      };
      const token = () => {
        tokens.push(`rt-contract-${randomUUID()}`);
        return tokens.at(-1)!;
      };
      return {
        say: (text) => post(line.text(user, text, token())),
        press: (data) => post(line.postback(user, data, token())),
        async delivered() {
          const mine = lineFake
            .sends()
            .filter((send) => send.to === user || (send.replyToken && tokens.includes(send.replyToken)));
          return mine.flatMap((send) =>
            send.messages.map((m) => ({ text: m.text ?? '', buttons: m.quickReply?.items.length ?? 0 })),
          );
        },
        // Every call that tried a token counts, refused ones too: a token is spent by its first use.
        contextUses: () =>
          tokens.map(
            (t) =>
              lineFake.http.requests.filter(
                (r) =>
                  r.path === '/v2/bot/message/reply' && (r.body as { replyToken?: string }).replyToken === t,
              ).length,
          ),
        askedForLocale: () => lineFake.http.requests.some((r) => r.path === `/v2/bot/profile/${user}`),
      };
    },
  },
  {
    name: 'web',
    capabilities: WEB_CHAT_CAPABILITIES,
    async patient(locale) {
      const page = await fetch(`${url()}/chat`);
      const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0]!;
      const session = decodeURIComponent(cookie.slice('fd_chat='.length)).split('.')[0]!;
      const post = async (body: object) =>
        expectAccepted(
          await fetch(`${url()}/chat/api/messages`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', cookie },
            body: JSON.stringify({ id: randomUUID(), lang: locale, ...body }),
          }),
        );
      return {
        say: (text) => post({ text }),
        press: (data) => post({ button: data, label: data }),
        async delivered() {
          const entries = await instance.frontdoor.webLog.since(session, 0);
          return entries
            .filter((entry) => entry.from === 'assistant')
            .map(({ message }: { message: OutboundMessage }) => ({
              text: message.text,
              buttons: message.choices?.length ?? 0,
            }));
        },
        contextUses: () => [],
        askedForLocale: () => false,
      };
    },
  },
];

beforeAll(async () => {
  telegram = await new TelegramFake().start();
  lineFake = await new LineFake().start();
  instance = await startTestInstance({
    env: {
      TELEGRAM_BOT_TOKEN: FAKE_BOT_TOKEN,
      TELEGRAM_API_ROOT: telegram.url,
      TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
      LINE_CHANNEL_SECRET: FAKE_LINE_SECRET,
      LINE_CHANNEL_ACCESS_TOKEN: FAKE_LINE_TOKEN,
      LINE_API_BASE_URL: lineFake.url,
    },
  });
});
afterAll(async () => {
  await instance?.stop();
  await telegram?.stop();
  await lineFake?.stop();
});

it('serves every channel the settings enable, from the one list', () => {
  expect(instance.frontdoor.channels).toEqual(['web', 'telegram', 'line']);
});

describe.each(cases)('channel contract: $name', (channel) => {
  async function waitFor(patient: Patient, count: number): Promise<Delivered[]> {
    await expect
      .poll(async () => (await patient.delivered()).length, { timeout: 15_000 })
      .toBeGreaterThanOrEqual(count);
    return patient.delivered();
  }

  it('answers an inbound message once, within its capabilities, in the language the platform reports', async () => {
    const patient = await channel.patient('th');
    await patient.say('hello');
    const [greeting] = await waitFor(patient, 1);
    // The greeting asks for consent: its answers are buttons.
    expect(greeting!.text).toMatch(/[\u0E00-\u0E7F]/);
    expect(greeting!.buttons).toBeGreaterThanOrEqual(2);
    expect(greeting!.buttons).toBeLessThanOrEqual(channel.capabilities.buttonsPerMessage);
    expect(greeting!.text.length).toBeLessThanOrEqual(channel.capabilities.maxTextLength);

    await patient.press('onboarding.consent|yes');
    // The outbox delivers a conversation's batches in order: a second copy of the greeting
    // would have come before this answer.
    const delivered = await waitFor(patient, 2);
    expect(delivered).toHaveLength(2);
    expect(delivered[1]!.text).toMatch(/[\u0E00-\u0E7F]/);
    for (const message of delivered) {
      expect(message.buttons).toBeLessThanOrEqual(channel.capabilities.buttonsPerMessage);
      expect(message.text.length).toBeLessThanOrEqual(channel.capabilities.maxTextLength);
    }
  });

  it("round-trips its own context: each event's platform context is spent exactly once", async () => {
    const patient = await channel.patient('en');
    await patient.say('hello');
    await waitFor(patient, 1);
    await patient.press('onboarding.consent|yes');
    await waitFor(patient, 2);
    const uses = patient.contextUses();
    // Telegram: only presses carry a context; LINE: every event's reply token; web: none.
    const expected = ({ telegram: 1, line: 2, web: 0 } as Record<string, number>)[channel.name] ?? 0;
    expect(uses).toEqual(Array<number>(expected).fill(1));
  });

  it('asks the platform for the language only when its events carry none', async () => {
    const patient = await channel.patient('th');
    await patient.say('hello');
    await waitFor(patient, 1);
    expect(patient.askedForLocale()).toBe(channel.name === 'line');
  });
});
