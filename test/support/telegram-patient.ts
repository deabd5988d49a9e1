// A patient on Telegram, driven through the real webhook: onboarding and a symptom intake,
// each step waiting for the bot's answer so the conversation moves as a person's would.
import type { Update } from 'telegraf/types';
import { expect } from 'vitest';
import { FAKE_BOT_TOKEN, TelegramFake, tg } from './fakes/telegram-fake.ts';
import { startTestInstance, type TestInstance, type TestInstanceOptions } from './instance.ts';
import type { IntakeAnswer } from './journeys.ts';

export const TELEGRAM_SECRET = 'telegram-webhook-secret_123';

/** A Frontdoor instance taking Telegram webhooks, with the Bot API fake it sends to. */
export async function startWithTelegram(
  env: Record<string, string> = {},
  options: Omit<TestInstanceOptions, 'env'> = {},
): Promise<{ fake: TelegramFake; instance: TestInstance }> {
  const fake = await new TelegramFake().start();
  const instance = await startTestInstance({
    ...options,
    env: {
      TELEGRAM_BOT_TOKEN: FAKE_BOT_TOKEN,
      TELEGRAM_API_ROOT: fake.url,
      TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
      ...env,
    },
  });
  return { fake, instance };
}

export class TelegramPatient {
  constructor(
    private readonly baseUrl: string,
    private readonly fake: TelegramFake,
    readonly chat: number,
    /** The language Telegram reports for this user. */
    private readonly languageCode = 'en',
  ) {}

  get chatId(): string {
    return String(this.chat);
  }

  /** Sends one update and waits until the bot has sent `answers` more messages. */
  async send(update: Update, answers = 1): Promise<string> {
    const before = this.fake.messages(this.chatId).length;
    const response = await fetch(`${this.baseUrl}/webhooks/telegram`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TELEGRAM_SECRET },
      body: JSON.stringify(update),
    });
    expect(response.status).toBe(200);
    const sent = await this.fake.waitForMessages(this.chatId, before + answers);
    // The `answers`-th, even when more came meanwhile; a photo's words are its caption.
    const answer = sent[before + answers - 1];
    const text = answer?.body.text ?? answer?.body.caption;
    return typeof text === 'string' ? text : '';
  }

  say(text: string, answers = 1): Promise<string> {
    return this.send(tg.text(this.chat, text, this.languageCode), answers);
  }

  press(data: string, answers = 1): Promise<string> {
    return this.send(tg.button(this.chat, data, this.languageCode), answers);
  }

  /** The buttons under the bot's last message, row after row. */
  buttons(): { text: string; callback_data?: string; url?: string }[] {
    const markup = this.fake.messages(this.chatId).at(-1)?.body.reply_markup as
      { inline_keyboard: { text: string; callback_data?: string; url?: string }[][] } | undefined;
    return markup?.inline_keyboard.flat() ?? [];
  }

  /**
   * From the menu to the free times in `department` with anyone, `days` open days ahead
   * (past Sundays); returns the first time's slot id. Nothing is held yet.
   */
  async firstFreeSlot(department: string, days = 1): Promise<string> {
    await this.press('menu|book');
    await this.press(`booking.department|${department}`, 2);
    await this.press('booking.doctor|any', 2);
    for (let day = 0; day < days; day += 1) await this.nextOpenDay();
    return this.buttons()[0]!.callback_data!.split('|')[1]!;
  }

  /** "Next day" in the free times, past days the hospital is closed (Sundays); the list's text. */
  async nextOpenDay(): Promise<string> {
    let text = await this.press('booking.slot|next', 2);
    const firstButton = () =>
      (
        this.fake.messages(this.chatId).at(-1)?.body.reply_markup as
          { inline_keyboard: { callback_data?: string }[][] } | undefined
      )?.inline_keyboard[0]?.[0]?.callback_data;
    while (firstButton() === 'booking.slot|next') text = await this.press('booking.slot|next', 2);
    return text;
  }

  async onboard(name: string, birthDate: string, phone: string): Promise<void> {
    await this.say('/start');
    await this.press('onboarding.consent|yes');
    await this.say(name);
    await this.say(birthDate);
    await this.say(phone);
    const menu = this.fake.messages(this.chatId).at(-1)?.body.reply_markup;
    expect(JSON.stringify(menu)).toContain('menu|symptoms');
  }

  /** Answers the intake: a complaint, then each answer in turn (button values or typed text). */
  async intake(complaint: string, answers: IntakeAnswer[]): Promise<string> {
    await this.press('menu|symptoms');
    await this.press(`intake.complaint|${complaint}`);
    let last = '';
    for (const answer of answers) {
      last =
        'text' in answer
          ? await this.say(answer.text)
          : await this.press(`intake.${answer.step}|${answer.value}`);
    }
    return last;
  }
}
