// Symptom intake to nurse console, end to end over HTTP: patients answer over the Telegram
// webhook (local Bot API fake), intakes are stored encrypted, and staff act on them through the
// console API with sessions, CSRF tokens, roles and an audit row for every read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TelegramFake } from '../support/fakes/telegram-fake.ts';
import { redisDump, testRedisUrl } from '../support/backends.ts';
import { ConsoleClient } from '../support/console-client.ts';
import type { TestInstance } from '../support/instance.ts';
import { calmAnswers, SKIP_DESCRIBE } from '../support/journeys.ts';
import { TelegramPatient, startWithTelegram } from '../support/telegram-patient.ts';
import { StaffAccounts } from '../../src/security/staff-accounts.ts';

const PASSWORD = 'correct horse battery staple';
const OWN_WORDS = 'Throbbing behind my left eye since lunch';

interface InboxRow {
  id: string;
  acuity: number;
  complaint: string;
  patientName: string;
  redFlags: string[];
}

describe('intake and nurse console', () => {
  let fake: TelegramFake;
  let instance: TestInstance;
  let lan: TelegramPatient;
  let minh: TelegramPatient;
  let nurse: ConsoleClient;
  let admin: ConsoleClient;

  beforeAll(async () => {
    ({ fake, instance } = await startWithTelegram());
    const accounts = new StaffAccounts(instance.frontdoor.database.prisma);
    await accounts.upsert({
      email: 'nurse@h.test',
      displayName: 'Nurse Hoa',
      roles: ['nurse'],
      password: PASSWORD,
    });
    await accounts.upsert({
      email: 'admin@h.test',
      displayName: 'Admin',
      roles: ['admin'],
      password: PASSWORD,
    });

    const base = instance.frontdoor.url;
    lan = new TelegramPatient(base, fake, 8101);
    minh = new TelegramPatient(base, fake, 8102);
    await lan.onboard('Lan Nguyen', '12/03/1990', '0912345001');
    await minh.onboard('Minh Tran', '05/06/1960', '0912345002');
    nurse = new ConsoleClient(base);
    admin = new ConsoleClient(base);
  });
  afterAll(async () => {
    await instance?.stop();
    await fake?.stop();
  });

  it('a patient completes an intake over Telegram and hears what happens next', async () => {
    const answer = await lan.intake('headache', [...calmAnswers('today', '5'), { text: OWN_WORDS }]);
    // The result and the menu arrive as one message.
    expect(answer).toBe(
      'You can book a visit in the next few days. Suggested department: Neurology. If you feel worse, tell me again at any time.\n\nThis is not a diagnosis: it only helps the hospital decide how soon you should be seen.\n\nWhat would you like to do?',
    );
    // The complaint list arrives as Telegram buttons, one complaint per row.
    const complaintList = fake
      .messages(lan.chatId)
      .find((call) => String(call.body.text).endsWith('What is bothering you most?'));
    const keyboard = (complaintList?.body.reply_markup as { inline_keyboard: unknown[][] }).inline_keyboard;
    expect(keyboard).toContainEqual([
      { text: 'Chest pain or pressure', callback_data: 'intake.complaint|chest_pain' },
    ]);

    await minh.intake('chest_pain', [
      ...calmAnswers('hour', '9', { redFlags: 2, pregnancy: false }),
      { step: 'redFlag', value: 'unknown' },
      SKIP_DESCRIBE,
    ]);
  });

  it('stores what the patient said encrypted, and keeps it out of the logs', async () => {
    const intakes = () =>
      instance.frontdoor.database.pool.query<{ content: string; acuity: number }>(
        'SELECT content, acuity FROM "Intake" ORDER BY "createdAt"',
      );
    // The intake is recorded by an effect job, which may still be running when the answer arrives.
    await expect.poll(async () => (await intakes()).rows.length, { timeout: 10_000 }).toBe(2);
    const { rows } = await intakes();
    for (const row of rows) {
      expect(row.content).toMatch(/^v1\.aesgcm256\.[0-9a-f]{8}\./);
      expect(row.content).not.toContain('Throbbing');
      expect(row.content).not.toContain('headache');
      expect(row.content).not.toContain('chest');
    }
    const logs = instance.logs.join('');
    expect(logs).not.toContain(OWN_WORDS);
    expect(logs).not.toContain('Throbbing');
    // Nor does it linger in Redis: effect jobs are sealed, the inbox is emptied once stepped.
    if (testRedisUrl && instance.redisPrefixes.length > 0) {
      const stored = await redisDump(testRedisUrl, instance.redisPrefixes);
      expect(stored).toContain('v1.aesgcm256.');
      expect(stored).not.toContain('Throbbing');
      expect(stored).not.toContain('Lan Nguyen');
    }
  });

  it('refuses a wrong password with one generic answer (back-off and sessions: staff-sign-in.test.ts)', async () => {
    const client = new ConsoleClient(instance.frontdoor.url);
    const wrong = await client.signIn('nurse@h.test', 'not the password');
    const unknown = await client.signIn('nobody@h.test', PASSWORD);
    expect(wrong).toEqual({
      status: 401,
      body: { error: 'unauthorized', message: 'wrong email or password' },
    });
    expect(unknown).toEqual(wrong);
  });

  it('needs a session, and a CSRF token for sign-in and every change', async () => {
    const anonymous = new ConsoleClient(instance.frontdoor.url);
    expect((await anonymous.request('GET', '/console/api/intakes')).status).toBe(401);
    const noToken = await anonymous.request(
      'POST',
      '/console/api/sign-in',
      { email: 'nurse@h.test', password: PASSWORD },
      { csrf: false },
    );
    expect(noToken.status).toBe(403);

    expect((await nurse.signIn('nurse@h.test', PASSWORD)).status).toBe(200);
    const { body } = await nurse.request('GET', '/console/api/intakes');
    const id = (body.intakes as InboxRow[])[0]!.id;
    const forged = await nurse.request('POST', `/console/api/intakes/${id}/close`, undefined, {
      csrf: false,
    });
    expect(forged.status).toBe(403);
    const after = await nurse.request('GET', '/console/api/intakes');
    expect((after.body.intakes as InboxRow[]).map((row) => row.id)).toContain(id);
  });

  it('shows the inbox most urgent first, and the intake with answers, own words and excerpt', async () => {
    const { status, body } = await nurse.request('GET', '/console/api/intakes');
    expect(status).toBe(200);
    const inbox = body.intakes as InboxRow[];
    // Minh: chest pain at 66 → level 2 (older patients one level sooner); Lan: headache → 4.
    expect(inbox.map((row) => [row.patientName, row.complaint, row.acuity])).toEqual([
      ['Minh Tran', 'chest_pain', 2],
      ['Lan Nguyen', 'headache', 4],
    ]);

    const detail = await nurse.request('GET', `/console/api/intakes/${inbox[1]!.id}`);
    expect(detail.body.intake).toMatchObject({
      description: OWN_WORDS,
      patient: { fullName: 'Lan Nguyen', birthDate: '1990-03-12', phone: '+84912345001' },
      address: { channel: 'telegram', channelUserId: lan.chatId },
      answers: { complaint: 'headache', onset: 'today', severity: 5, pregnant: 'no' },
      reviewRequired: false,
    });
    expect(detail.body.excerpt).toContainEqual({
      question: 'Did it start suddenly, like the worst headache of your life?',
      answer: 'No',
    });

    // The same intake for the hospital system, as a FHIR R4 QuestionnaireResponse.
    const fhir = await nurse.request('GET', `/console/api/intakes/${inbox[1]!.id}/fhir`);
    expect(fhir.status).toBe(200);
    expect(fhir.body).toMatchObject({
      resourceType: 'QuestionnaireResponse',
      status: 'completed',
      subject: { display: 'Lan Nguyen' },
    });
    const items = fhir.body.item as {
      linkId: string;
      answer?: Record<string, unknown>[];
      item?: { linkId: string; answer: unknown[] }[];
    }[];
    expect(items.map((item) => item.linkId)).toEqual([
      'complaint',
      'onset',
      'severity',
      'redFlag.headache_sudden',
      'redFlag.headache_weakness',
      'redFlag.headache_injury',
      'pregnancy',
      'description',
      'triage',
    ]);
    expect(items.find((item) => item.linkId === 'description')?.answer).toEqual([{ valueString: OWN_WORDS }]);
    expect(items.find((item) => item.linkId === 'redFlag.headache_sudden')?.answer).toEqual([
      { valueBoolean: false },
    ]);
    expect(items.at(-1)?.item?.[0]).toMatchObject({ linkId: 'triage.acuity', answer: [{ valueInteger: 4 }] });
  });

  it('overrides the acuity only with a reason, and messages the patient through Telegram', async () => {
    const inbox = (await nurse.request('GET', '/console/api/intakes')).body.intakes as InboxRow[];
    const lanIntake = inbox.find((row) => row.patientName === 'Lan Nguyen')!.id;

    const noReason = await nurse.request('POST', `/console/api/intakes/${lanIntake}/acuity`, { acuity: 3 });
    expect(noReason.status).toBe(400);
    const override = await nurse.request('POST', `/console/api/intakes/${lanIntake}/acuity`, {
      acuity: 3,
      reason: 'Visual symptoms: wants same-day review',
    });
    expect(override.status).toBe(200);
    const routed = await nurse.request('POST', `/console/api/intakes/${lanIntake}/route`, {
      department: 'emergency',
    });
    expect(routed.status).toBe(200);

    const before = fake.messages(lan.chatId).length;
    const template = await nurse.request('POST', `/console/api/intakes/${lanIntake}/messages`, {
      template: 'comeToday',
    });
    expect(template.status).toBe(202);
    const typed = await nurse.request('POST', `/console/api/intakes/${lanIntake}/messages`, {
      text: 'Please bring your glasses.',
    });
    expect(typed.status).toBe(202);
    const sent = await fake.waitForMessages(lan.chatId, before + 2);
    expect(sent.slice(before).map((call) => [call.body.chat_id, call.body.text])).toEqual([
      [
        lan.chatId,
        'A nurse has reviewed your answers: please come to the hospital today, and bring your ID and insurance card.',
      ],
      [lan.chatId, 'Message from the nurse: Please bring your glasses.'],
    ]);

    const detail = await nurse.request('GET', `/console/api/intakes/${lanIntake}`);
    expect(detail.body.intake).toMatchObject({
      acuity: 3,
      triageAcuity: 4,
      department: 'emergency',
      status: 'reviewed',
      reviewRequired: true,
      bookingUrgency: 'within-24h',
    });
    const actions = (detail.body.intake as { actions: { kind: string; staff: string; detail: object }[] })
      .actions;
    expect(actions.map((action) => [action.kind, action.staff])).toEqual([
      ['acuity', 'Nurse Hoa'],
      ['route', 'Nurse Hoa'],
      ['message', 'Nurse Hoa'],
      ['message', 'Nurse Hoa'],
    ]);
    // The nurse's words are encrypted like the patient's.
    const { rows } = await instance.frontdoor.database.pool.query<{ content: string }>(
      'SELECT content FROM "IntakeEvent"',
    );
    expect(rows.every((row) => row.content.startsWith('v1.aesgcm256.'))).toBe(true);
    expect(rows.some((row) => row.content.includes('glasses'))).toBe(false);
  });

  it('keeps health data from roles that do not need it, and the audit log from non-admins', async () => {
    expect((await nurse.request('GET', '/console/api/audit')).status).toBe(403);
    expect((await admin.signIn('admin@h.test', PASSWORD)).status).toBe(200);
    expect((await admin.request('GET', '/console/api/intakes')).status).toBe(403);
    const inbox = (await nurse.request('GET', '/console/api/intakes')).body.intakes as InboxRow[];
    expect((await admin.request('GET', `/console/api/intakes/${inbox[0]!.id}`)).status).toBe(403);
    // Each refusal of a signed-in member is kept: who tried what.
    const refused = await instance.frontdoor.database.prisma.auditEntry.findMany({
      where: { action: 'console.refused' },
      orderBy: { id: 'asc' },
    });
    expect(refused.map((row) => [row.actorLabel, row.subjectId])).toEqual(
      expect.arrayContaining([
        // The forged close of the CSRF test above.
        ['nurse@h.test', '/console/api/intakes/:id/close'],
        ['nurse@h.test', '/console/api/audit'],
        ['admin@h.test', '/console/api/intakes'],
        ['admin@h.test', '/console/api/intakes/:id'],
      ]),
    );
  });

  it('writes an audit row for every view and action, which admins can read', async () => {
    const inbox = (await nurse.request('GET', '/console/api/intakes')).body.intakes as InboxRow[];
    const lanIntake = inbox.find((row) => row.patientName === 'Lan Nguyen')!.id;
    const closed = await nurse.request('POST', `/console/api/intakes/${lanIntake}/close`);
    expect(closed.status).toBe(200);
    const open = (await nurse.request('GET', '/console/api/intakes')).body.intakes as InboxRow[];
    expect(open.map((row) => row.id)).not.toContain(lanIntake);

    const { status, body } = await admin.request('GET', `/console/api/audit?subject=${lanIntake}`);
    expect(status).toBe(200);
    const entries = (body.entries as { actorLabel: string; action: string; ip: string }[]).reverse();
    expect(entries.map((entry) => [entry.actorLabel, entry.action])).toEqual([
      ['nurse@h.test', 'intake.view'],
      ['nurse@h.test', 'intake.export'],
      ['nurse@h.test', 'intake.acuity.override'],
      ['nurse@h.test', 'intake.route'],
      ['nurse@h.test', 'intake.message'],
      ['nurse@h.test', 'intake.message'],
      ['nurse@h.test', 'intake.view'],
      ['nurse@h.test', 'intake.close'],
    ]);
    expect(entries.every((entry) => entry.ip === '127.0.0.1')).toBe(true);
    const all = await admin.request('GET', '/console/api/audit');
    const actions = (all.body.entries as { action: string }[]).map((entry) => entry.action);
    expect(actions).toEqual(expect.arrayContaining(['intake.list', 'staff.sign-in', 'staff.sign-in.failed']));
  });
});
