// A patient on LINE, driven through the signed webhook: each event waits for the bot's answers
// as they reach the Messaging API fake (replies and pushes alike).
import { expect } from 'vitest';
import { line, lineSignature, type LineFake } from './fakes/line-fake.ts';

export class LinePatient {
  constructor(
    private readonly baseUrl: string,
    private readonly fake: LineFake,
    readonly user: string,
  ) {}

  /** Sends one event and waits for `answers` more texts; returns the last one. */
  async act(event: object, answers = 1): Promise<string> {
    const before = this.fake.texts().length;
    const body = line.body([event]);
    const response = await fetch(`${this.baseUrl}/webhooks/line`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'x-line-signature': lineSignature(body) },
      body,
    });
    expect(response.status).toBe(200);
    return (await this.fake.waitForTexts(before + answers)).at(-1) ?? '';
  }

  say(text: string, answers = 1): Promise<string> {
    return this.act(line.text(this.user, text), answers);
  }

  tap(data: string, answers = 1): Promise<string> {
    return this.act(line.postback(this.user, data), answers);
  }

  /** The quick-reply buttons under the last message. */
  quickReplies(): { label: string; data?: string }[] {
    return (this.fake.sends().at(-1)?.messages.at(-1)?.quickReply?.items ?? []).map((item) => item.action);
  }

  /** "Next day" in the free times, past days the hospital is closed (Sundays). */
  async nextOpenDay(): Promise<void> {
    await this.tap('booking.slot|next', 2);
    while (this.quickReplies()[0]?.data === 'booking.slot|next') await this.tap('booking.slot|next', 2);
  }

  async onboard(name: string, birthDate: string, phone: string): Promise<void> {
    await this.act(line.follow(this.user));
    await this.tap('onboarding.consent|yes');
    await this.say(name);
    await this.say(birthDate);
    expect(await this.say(phone)).toContain('What would you like to do?');
  }
}
