// Hospital notices through the real Telegram webhook and database: "stop" in the patient's
// language in the middle of an intake is kept as a HOSPITAL_NOTICES refusal and the intake goes
// on; the menu's switch turns notices on (granted) and the subscribers audience then finds the
// patient, and off again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSPITAL_NOTICES } from '../../src/domain/broadcasts.ts';
import { NOTICES_TEXT_VERSION } from '../../src/features/broadcasts/texts.ts';
import { createTranslator, type Locale } from '../../src/i18n/locales.ts';
import type { TelegramFake } from '../support/fakes/telegram-fake.ts';
import type { TestInstance } from '../support/instance.ts';
import { TelegramPatient, startWithTelegram } from '../support/telegram-patient.ts';

describe('hospital notices on Telegram', () => {
  let fake: TelegramFake;
  let instance: TestInstance;
  let t: (locale: Locale, key: string) => string;

  beforeAll(async () => {
    ({ fake, instance } = await startWithTelegram());
    const i18n = await createTranslator();
    t = (locale, key) => i18n.getFixedT(locale, 'broadcasts')(key);
  });
  afterAll(async () => {
    await instance?.stop();
    await fake?.stop();
  });

  const patientOf = async (chat: number) =>
    (
      await instance.frontdoor.database.prisma.channelIdentity.findUniqueOrThrow({
        where: { channel_channelUserId: { channel: 'telegram', channelUserId: String(chat) } },
      })
    ).patientId;
  /** Effects run beside the answer's delivery: the register is read until it shows them. */
  const decisions = async (chat: number) =>
    instance.frontdoor.database.prisma.consent.findMany({
      where: { patientId: await patientOf(chat), purpose: HOSPITAL_NOTICES },
      orderBy: { decidedAt: 'asc' },
      select: { granted: true, textVersion: true, channel: true },
    });
  /** How many the subscribers audience reaches now (only these two patients are in this database). */
  const subscribers = async () => (await instance.frontdoor.broadcasts.count({ kind: 'subscribers' })).total;

  it('"dừng" in the middle of an intake: refused notices kept, said in Vietnamese, the intake goes on', async () => {
    const lan = new TelegramPatient(instance.frontdoor.url, fake, 7101, 'vi');
    await lan.onboard('Nguyễn Thị Lan', '14/03/1985', '0912 345 671');
    const question = await lan.press('menu|symptoms');
    const complaints = lan.buttons();

    const answer = await lan.say('Dừng');
    // Said, then the question they were at (its introduction is not said again).
    expect(answer).toBe(`${t('vi', 'stopped')}\n\n${question.split('\n\n').at(-1)}`);
    expect(lan.buttons()).toEqual(complaints);
    await expect
      .poll(() => decisions(7101))
      .toEqual([{ granted: false, textVersion: NOTICES_TEXT_VERSION, channel: 'telegram' }]);

    // The intake carries on from the same question.
    expect(await lan.press('intake.complaint|cough_cold')).not.toBe(question);
    expect(JSON.stringify(lan.buttons())).toContain('intake.onset|');
  });

  it('the menu switch turns notices on (the subscribers audience finds the patient) and off', async () => {
    const aiko = new TelegramPatient(instance.frontdoor.url, fake, 7102, 'ja');
    await aiko.onboard('Sato Aiko', '02/07/1979', '+84 912 345 672');
    expect(aiko.buttons()).toContainEqual({ text: t('ja', 'menu'), callback_data: 'menu|notices' });

    expect(await aiko.press('menu|notices')).toContain(t('ja', 'status.off'));
    expect(aiko.buttons().map((button) => button.callback_data)).toEqual([
      'notices|on',
      'notices|off',
      'menu|main',
    ]);
    await expect.poll(subscribers).toBe(0);

    expect(await aiko.press('notices|on')).toContain(t('ja', 'started'));
    expect(JSON.stringify(aiko.buttons())).toContain('menu|symptoms');
    await expect.poll(() => decisions(7102)).toMatchObject([{ granted: true }]);
    await expect.poll(subscribers).toBe(1);

    // "stop" in another language than the chat's is understood too.
    expect(await aiko.say('STOP')).toContain(t('ja', 'stopped'));
    await expect.poll(() => decisions(7102)).toMatchObject([{ granted: true }, { granted: false }]);
    await expect.poll(subscribers).toBe(0);
  });
});
