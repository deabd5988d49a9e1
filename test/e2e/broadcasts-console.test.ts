// The broadcast composer's console API over HTTP, against a real instance (database, worker,
// Telegram fake): only operators and admins, CSRF on every POST, bad input refused before
// anything is kept, the count by channel and language, one broadcast per compose key however
// often it is posted, delivery with the footer, the live progress on the console's stream, and
// an audit row for every read and action.
import { afterAll, beforeAll, describe, expect, it, vi as vitest } from 'vitest';
import type { AudienceCount, BroadcastReport } from '../../src/domain/broadcasts.ts';
import { addDays, zonedDate } from '../../src/domain/time-zone.ts';
import { createTranslator } from '../../src/i18n/locales.ts';
import { StaffAccounts, type Role } from '../../src/security/staff-accounts.ts';
import { ConsoleClient } from '../support/console-client.ts';
import type { TelegramFake } from '../support/fakes/telegram-fake.ts';
import type { TestInstance } from '../support/instance.ts';
import { TelegramPatient, startWithTelegram } from '../support/telegram-patient.ts';

const PASSWORD = 'a password for the broadcasts console';
const SUBSCRIBERS = { audience: { kind: 'subscribers' } };

const HOSPITAL = 'Bệnh viện Hữu Nghị';

describe('broadcasts in the console API', () => {
  let fake: TelegramFake;
  let instance: TestInstance;
  const staff: Partial<Record<Role, ConsoleClient>> = {};
  const as = (role: Role) => staff[role]!;

  beforeAll(async () => {
    ({ fake, instance } = await startWithTelegram({ HOSPITAL_NAME: HOSPITAL }, { openHospital: true }));
    const accounts = new StaffAccounts(instance.frontdoor.database.prisma);
    for (const role of ['operator', 'admin', 'nurse', 'doctor'] as const) {
      await accounts.upsert({
        email: `${role}@broadcasts.test`,
        displayName: role,
        roles: [role],
        password: PASSWORD,
      });
      staff[role] = new ConsoleClient(instance.frontdoor.url);
      expect((await staff[role].signIn(`${role}@broadcasts.test`, PASSWORD)).status).toBe(200);
    }
    // A Vietnamese and an English patient who asked for notices; a third who said stop after.
    const base = instance.frontdoor.url;
    const vi = new TelegramPatient(base, fake, 7301, 'vi');
    const en = new TelegramPatient(base, fake, 7302, 'en');
    const stopped = new TelegramPatient(base, fake, 7303, 'en');
    await vi.onboard('Trần Văn Bình', '01/02/1980', '0912 345 731');
    await en.onboard('Mary Jane Watson', '03/04/1990', '0912 345 732');
    await stopped.onboard('Bao Le', '05/06/1970', '0912 345 733');
    for (const patient of [vi, en, stopped]) await patient.press('notices|on');
    await stopped.say('stop');
    // The choices are recorded by effect jobs, after the answers: counted once they all are.
    await vitest.waitFor(
      async () => expect((await instance.frontdoor.broadcasts.count({ kind: 'subscribers' })).total).toBe(2),
      { timeout: 15_000, interval: 50 },
    );
  });
  afterAll(async () => {
    await instance?.stop();
    await fake?.stop();
  });

  it('is for operators and admins only, and for nobody signed out', async () => {
    const key = 'console-roles-0001';
    for (const role of ['nurse', 'doctor'] as const) {
      expect((await as(role).request('POST', '/console/api/broadcasts/count', SUBSCRIBERS)).status).toBe(403);
      const send = { ...SUBSCRIBERS, texts: { en: 'Hello' }, idempotencyKey: key };
      expect((await as(role).request('POST', '/console/api/broadcasts', send)).status).toBe(403);
      expect((await as(role).request('GET', '/console/api/broadcasts')).status).toBe(403);
    }
    const anonymous = new ConsoleClient(instance.frontdoor.url);
    expect((await anonymous.request('GET', '/console/api/broadcasts')).status).toBe(401);
    expect((await as('admin').request('GET', '/console/api/broadcasts')).status).toBe(200);
    expect((await as('operator').request('GET', '/console/api/broadcasts')).body).toEqual({ broadcasts: [] });
  });

  it('refuses a POST without the CSRF token, and bad input with a 400, keeping nothing', async () => {
    const operator = as('operator');
    const good = { ...SUBSCRIBERS, texts: { en: 'Hello' }, idempotencyKey: 'console-csrf-0001' };
    expect((await operator.request('POST', '/console/api/broadcasts', good, { csrf: false })).status).toBe(
      403,
    );
    expect(
      (await operator.request('POST', '/console/api/broadcasts/count', SUBSCRIBERS, { csrf: false })).status,
    ).toBe(403);
    for (const [body, words] of [
      [{ audience: { kind: 'queue' } }, /department/],
      [{ audience: { kind: 'appointments', date: '2026-02-30' } }, /date/],
      [{ audience: { kind: 'appointments', date: '0001-01-01' } }, /0001-01-01 is over/],
      // Once a RangeError (a 500) finding the end of that day.
      [{ audience: { kind: 'appointments', date: '9999-12-31' } }, /9999-12-31 is too far ahead/],
      [
        {
          ...good,
          audience: { kind: 'appointments', date: '9999-12-31' },
          idempotencyKey: 'console-far-0001',
        },
        /too far ahead/,
      ],
      [{ audience: { kind: 'everyone' } }, /kind/],
      [{ ...good, texts: { de: 'Hallo' } }, /language/],
      [{ ...good, texts: { en: '   ' } }, /at least one language/],
      [{ ...good, texts: { en: 'x'.repeat(3_501) } }, /longer/],
      [{ ...good, idempotencyKey: 'short' }, /idempotencyKey/],
      [{ ...good, extra: true }, /extra|additional/i],
    ] as const) {
      const path = 'texts' in body ? '/console/api/broadcasts' : '/console/api/broadcasts/count';
      const { status, body: answer } = await operator.request('POST', path, body);
      expect(status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(answer).toMatchObject({
        error: 'bad_request',
        message: expect.stringMatching(words) as unknown,
      });
    }
    expect((await operator.request('GET', '/console/api/broadcasts')).body).toEqual({ broadcasts: [] });
    expect((await operator.request('GET', '/console/api/broadcasts/not-an-id')).status).toBe(400);
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect((await operator.request('GET', `/console/api/broadcasts/${unknown}`)).status).toBe(404);
    expect((await operator.request('POST', `/console/api/broadcasts/${unknown}/cancel`)).status).toBe(404);
  });

  it('counts an audience by channel and language, then sends once per key and reports live', async () => {
    const operator = as('operator');
    const counted = async () =>
      (await operator.request('POST', '/console/api/broadcasts/count', SUBSCRIBERS))
        .body as unknown as AudienceCount;
    // The patients' choices are kept beside their answers: read until all three are.
    await expect.poll(counted).toEqual({
      total: 2,
      channels: { telegram: 2 },
      locales: { vi: 1, en: 1 },
    });

    const stream = await openStream(instance.frontdoor.url, operator.cookieHeader());
    const texts = { en: 'The flu clinic opens on Saturday.', vi: 'Phòng tiêm cúm mở cửa vào thứ Bảy.' };
    const send = { ...SUBSCRIBERS, texts, idempotencyKey: 'console-compose-0001' };
    // A double click: the same compose twice at once makes one broadcast.
    const [first, second] = await Promise.all([
      operator.request('POST', '/console/api/broadcasts', send),
      operator.request('POST', '/console/api/broadcasts', send),
    ]);
    expect(first.body.id).toBe(second.body.id);
    expect([first.status, second.status].sort()).toEqual([200, 202]);
    expect(first.body.recipients).toBe(2);
    const id = String(first.body.id);

    const done = await stream.until((report) => report.id === id && report.status === 'done');
    stream.close();
    expect(done).toMatchObject({ total: 2, sent: 2, failed: 0, blocked: 0, pending: 0 });
    expect(done.channels.telegram).toMatchObject({ total: 2, sent: 2 });
    expect(done.sentBy).toBe('operator@broadcasts.test');

    // Each patient reads their language's text under the hospital's name, and the way to stop.
    const vi = (await createTranslator()).getFixedT('vi', 'broadcasts');
    const heading = vi('heading', { hospital: HOSPITAL });
    expect(heading).toBe(`📢 Thông báo từ ${HOSPITAL}`);
    const told = (chat: string) => fake.messages(chat).map((call) => String(call.body.text));
    expect(told('7301')).toContain(`${heading}\n\n${texts.vi}\n\n${vi('footer')}`);
    expect(told('7302').some((text) => text.includes(texts.en))).toBe(true);
    expect(told('7303').some((text) => text.includes(texts.en))).toBe(false);
    // The composer's preview frames the text with the same words.
    const me = await operator.request('GET', '/console/api/me');
    expect(me.body).toMatchObject({
      labels: {
        broadcasts: { frames: { vi: { heading, footer: vi('footer'), careFooter: vi('careFooter') } } },
      },
    });

    const again = await operator.request('POST', '/console/api/broadcasts', send);
    expect(again).toMatchObject({ status: 200, body: { id, created: false } });
    const list = (await operator.request('GET', '/console/api/broadcasts')).body
      .broadcasts as BroadcastReport[];
    expect(list.map((report) => report.id)).toEqual([id]);
    const report = await operator.request('GET', `/console/api/broadcasts/${id}`);
    expect(report.body.report).toMatchObject({ id, status: 'done', sent: 2, texts });
    // Nothing is left to stop: cancelling a finished broadcast changes nothing.
    const cancelled = await operator.request('POST', `/console/api/broadcasts/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.report).toMatchObject({ sent: 2, cancelled: 0 });
  });

  it('writes an audit row for every read and action, with the audience but nobody in it', async () => {
    const entries = async (subject?: string) =>
      (
        (await as('admin').request('GET', `/console/api/audit${subject ? `?subject=${subject}` : ''}`)).body
          .entries as {
          actorLabel: string;
          action: string;
          detail: Record<string, unknown> | null;
        }[]
      ).reverse();
    const list = (await as('operator').request('GET', '/console/api/broadcasts')).body
      .broadcasts as BroadcastReport[];
    const id = list[0]!.id;
    const rows = await entries(id);
    expect(rows.map((row) => [row.actorLabel, row.action])).toEqual([
      ['operator@broadcasts.test', 'broadcast.send'],
      ['operator@broadcasts.test', 'broadcast.send'],
      ['operator@broadcasts.test', 'broadcast.send'],
      ['operator@broadcasts.test', 'broadcast.view'],
      ['operator@broadcasts.test', 'broadcast.cancel'],
    ]);
    expect(rows[0]!.detail).toMatchObject({ audience: 'subscribers', languages: 'en,vi', recipients: 2 });
    const all = (await entries()).map((row) => row.action);
    expect(all).toEqual(expect.arrayContaining(['broadcast.count', 'broadcast.list']));
  });

  it('lists a department’s doctors for the appointments audience, whose count names no one yet', async () => {
    const operator = as('operator');
    const { status, body } = await operator.request(
      'GET',
      '/console/api/broadcasts/doctors/general_medicine',
    );
    expect(status).toBe(200);
    const doctors = body.doctors as { id: string; names: { default: string } }[];
    expect(doctors.length).toBeGreaterThan(0);
    // Today is the hospital's day (the composer's labels name its zone), not the machine's.
    const { body: me } = await operator.request('GET', '/console/api/me');
    const { timeZone } = (me.labels as { broadcasts: { timeZone: string } }).broadcasts;
    const audience = {
      kind: 'appointments',
      date: zonedDate(new Date(), timeZone),
      department: 'general_medicine',
      doctor: doctors[0]!.id,
    };
    const count = await operator.request('POST', '/console/api/broadcasts/count', { audience });
    expect(count).toMatchObject({ status: 200, body: { total: 0 } });
    // The composer's date picker ends where the server does: its last day counts, the next is refused.
    const { maxDaysAhead } = (me.labels as { broadcasts: { maxDaysAhead: number } }).broadcasts;
    expect(maxDaysAhead).toBe(366);
    const on = (date: string) =>
      operator.request('POST', '/console/api/broadcasts/count', { audience: { ...audience, date } });
    expect((await on(addDays(audience.date, maxDaysAhead))).status).toBe(200);
    const late = await on(addDays(audience.date, maxDaysAhead + 1));
    expect(late).toMatchObject({
      status: 400,
      body: { error: 'bad_request', message: expect.stringMatching(/too far ahead/) as unknown },
    });
    expect(
      (await as('nurse').request('GET', '/console/api/broadcasts/doctors/general_medicine')).status,
    ).toBe(403);
    expect((await operator.request('GET', '/console/api/broadcasts/doctors/nowhere')).status).toBe(400);
  });

  it('stops what is not sent yet when an operator cancels while it is sending', async () => {
    const operator = as('operator');
    // Telegram takes the calls and does not answer yet: the broadcast stays sending.
    fake.http.hold();
    const send = {
      ...SUBSCRIBERS,
      texts: { en: 'The lifts are out of order this morning.' },
      idempotencyKey: 'console-cancel-0001',
    };
    const sent = await operator.request('POST', '/console/api/broadcasts', send);
    expect(sent.status).toBe(202);
    const id = String(sent.body.id);
    const cancelled = await operator.request('POST', `/console/api/broadcasts/${id}/cancel`);
    fake.http.release();
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.report).toMatchObject({ id, status: 'cancelled' });
    const settled = async () =>
      ((await operator.request('GET', `/console/api/broadcasts/${id}`)).body.report as BroadcastReport)
        .pending;
    await expect.poll(settled).toBe(0);
    const report = (await operator.request('GET', `/console/api/broadcasts/${id}`)).body
      .report as BroadcastReport;
    expect(report.sent + report.cancelled).toBe(2);
    const audit = (await as('admin').request('GET', `/console/api/audit?subject=${id}`)).body.entries as {
      action: string;
    }[];
    expect(audit.map((entry) => entry.action)).toContain('broadcast.cancel');
  });
});

/** The console's stream as the page reads it: each broadcast.progress report, in order. */
async function openStream(base: string, cookie: string) {
  const controller = new AbortController();
  const response = await fetch(`${base}/console/api/stream`, {
    headers: { cookie },
    signal: controller.signal,
  });
  expect(response.status).toBe(200);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  return {
    async until(done: (report: BroadcastReport) => boolean): Promise<BroadcastReport> {
      for (;;) {
        const blocks = buffer.split('\n\n');
        buffer = blocks.pop() ?? '';
        for (const block of blocks) {
          if (!block.includes('event: broadcast')) continue;
          const data = /^data: (.*)$/m.exec(block)?.[1] ?? '{}';
          const event = JSON.parse(data) as { report: BroadcastReport };
          if (done(event.report)) return event.report;
        }
        const { value, done: ended } = await reader.read();
        if (ended) throw new Error('the stream ended');
        buffer += value;
      }
    },
    close: () => controller.abort(),
  };
}
