// Clinical safety end to end: a patient's answer to the nurse reaches that intake's thread in
// the console (live, over the console's event stream), and an emergency phrase typed in the chat
// raises the intake to the top of the inbox with an alert. Telegram through its local fake.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TelegramFake } from '../support/fakes/telegram-fake.ts';
import { ConsoleClient, openConsoleStream } from '../support/console-client.ts';
import type { TestInstance } from '../support/instance.ts';
import { TelegramPatient, startWithTelegram } from '../support/telegram-patient.ts';
import { StaffAccounts } from '../../src/security/staff-accounts.ts';

const PASSWORD = 'correct horse battery staple';

interface Row {
  id: string;
  acuity: number;
  patientName: string;
  status: string;
  typedRedFlags: { phrase: string }[];
}

describe('the nurse’s thread with the patient', () => {
  let fake: TelegramFake;
  let instance: TestInstance;
  let lan: TelegramPatient;
  let minh: TelegramPatient;
  let nurse: ConsoleClient;

  const inbox = async () => (await nurse.request('GET', '/console/api/intakes')).body.intakes as Row[];
  const detail = async (id: string) =>
    (await nurse.request('GET', `/console/api/intakes/${id}`)).body.intake as Row & {
      actions: { kind: string; staff: string; detail: Record<string, string> }[];
      triageAcuity: number;
      reasons: string[];
    };

  beforeAll(async () => {
    ({ fake, instance } = await startWithTelegram());
    await new StaffAccounts(instance.frontdoor.database.prisma, { maxFailures: 5, lockoutMs: 60_000 }).upsert(
      {
        email: 'nurse@h.test',
        displayName: 'Nurse Hoa',
        roles: ['nurse'],
        password: PASSWORD,
      },
    );
    const base = instance.frontdoor.url;
    lan = new TelegramPatient(base, fake, 8201);
    minh = new TelegramPatient(base, fake, 8202);
    await lan.onboard('Lan Nguyen', '12/03/1990', '0912345101');
    await minh.onboard('Minh Tran', '05/06/1960', '0912345102');
    nurse = new ConsoleClient(base);
    expect((await nurse.signIn('nurse@h.test', PASSWORD)).status).toBe(200);
  });
  afterAll(async () => {
    await instance?.stop();
    await fake?.stop();
  });

  /** The stream's typed event for an intake that changed: its inbox row, nothing more. */
  const changed = (id: string) => ({
    type: 'intake.changed',
    intake: expect.objectContaining({ id }) as unknown,
  });

  it('passes the patient’s reply to "A nurse would like to know more" on to the intake, live', async () => {
    await lan.intake('cough_cold', [
      { step: 'onset', value: 'days' },
      { step: 'severity', value: '3' },
      { step: 'redFlag', value: 'no' },
      { text: 'no' },
      { text: '37.8' },
      { step: 'describe', value: 'skip' },
    ]);
    await expect.poll(async () => (await inbox()).length, { timeout: 10_000 }).toBe(1);
    const [row] = await inbox();
    const stream = await openConsoleStream(instance.frontdoor.url, nurse);
    try {
      const before = fake.messages(lan.chatId).length;
      const asked = await nurse.request('POST', `/console/api/intakes/${row!.id}/messages`, {
        template: 'moreInfo',
      });
      expect(asked.status).toBe(202);
      await fake.waitForMessages(lan.chatId, before + 1);
      expect(JSON.parse(await stream.next('intake'))).toMatchObject(changed(row!.id));

      const answer = await lan.say('A bit better, but the cough keeps me awake');
      expect(answer).toBe(
        'Thank you, I have passed your message on to the nurse. They will answer you here.',
      );
      expect(answer).not.toContain('Sorry, I did not understand');
      // The console hears of it on its stream, and the thread shows the patient's words.
      expect(JSON.parse(await stream.next('intake'))).toMatchObject(changed(row!.id));
      const thread = (await detail(row!.id)).actions.filter((action) => action.kind === 'reply');
      expect(thread).toEqual([
        expect.objectContaining({
          kind: 'reply',
          // No staff name: the console names the patient in its reader's language.
          staff: '',
          detail: { text: 'A bit better, but the cough keeps me awake' },
        }),
      ]);
    } finally {
      stream.close();
    }
  });

  it('previews the emergency template with the hospital’s number and one full stop', async () => {
    const { body } = await nurse.request('GET', '/console/api/me');
    const templates = (body.labels as { templates: Record<string, string> }).templates;
    expect(templates.emergency).toBe(
      'A nurse has reviewed your answers: please go to the emergency department now, or call 115.',
    );
  });

  it('raises the intake to level 1 on top of the inbox when the answer is an emergency phrase', async () => {
    const [row] = await inbox();
    const answer = await lan.say('now my chest hurts');
    expect(answer).toContain('Call 115 now');
    expect(answer).toContain('📞 115');
    await expect.poll(async () => (await detail(row!.id)).acuity, { timeout: 10_000 }).toBe(1);
    expect(await detail(row!.id)).toMatchObject({
      status: 'new',
      department: 'emergency',
      typedRedFlags: [{ phrase: 'chest hurts', locale: 'en', acuity: 1 }],
    });
  });

  it('records an emergency phrase typed during an intake on that intake, at the top of the inbox', async () => {
    await minh.press('menu|symptoms');
    await minh.press('intake.complaint|fever');
    await minh.press('intake.onset|today');
    const answer = await minh.say('tôi bị khó thở quá', 2);
    expect(answer).toContain('This is not a diagnosis');
    await expect.poll(async () => (await inbox()).length, { timeout: 10_000 }).toBe(2);
    const rows = await inbox();
    // Both are level 1 with an alert; the older one waits longest and stays first.
    expect(rows.map((r) => [r.patientName, r.acuity, r.typedRedFlags.map((f) => f.phrase)])).toEqual([
      ['Lan Nguyen', 1, ['chest hurts']],
      ['Minh Tran', 1, ['khó thở']],
    ]);
    const minhIntake = await detail(rows[1]!.id);
    expect(minhIntake).toMatchObject({ acuity: 1, triageAcuity: 1 });
    expect(minhIntake.reasons).toContain('typed:khó thở');
  });

  it('shows the nurse only the questions the patient was asked before the emergency phrase, and the phrase where it was typed', async () => {
    const [, minhRow] = await inbox();
    const { body } = await nurse.request('GET', `/console/api/intakes/${minhRow!.id}`);
    const intake = body.intake as {
      answers: { stoppedAt?: number; severity?: number; temperature?: number };
    };
    // The onset was answered; the phrase came at the next question (how bad it is), so the
    // severity, red-flag, temperature and own-words questions were never asked.
    expect(intake.answers.stoppedAt).toBe(1);
    expect(intake.answers.severity).toBeUndefined();
    const excerpt = body.excerpt as { question: string; answer: string }[];
    expect(excerpt.map((line) => line.answer)).toEqual([
      expect.any(String), // the complaint
      expect.any(String), // the onset, as answered
      '⚠ tôi bị khó thở quá',
    ]);
    expect(excerpt).toHaveLength(3);
  });
});
