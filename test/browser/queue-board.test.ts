// The queue in real browsers: an operator calls, recalls and marks a no-show on the console's
// board while the waiting-room display (a TV, 1920×1080) and a patient's live ticket (a phone,
// 390×844) follow without reloading; the check-in page checks in only on its button; reception's
// kiosk checks in from a scanned link; and neither the display's HTML nor its stream carries a
// patient's name, phone or birth date. Screenshots land in /tmp/queue-shots (and
// test-results/screenshots).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Appointment } from '@medplum/fhirtypes';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationAddress } from '../../src/conversation/message.ts';
import type { TicketView } from '../../src/domain/queue.ts';
import { DEPARTMENT_SYSTEM } from '../../src/integrations/fhir/identifier-systems.ts';
import { StaffAccounts } from '../../src/security/staff-accounts.ts';
import { cutOff, launchBrowser, screenshotDir } from '../support/browser.ts';
import { ConsoleClient } from '../support/console-client.ts';
import type { TelegramFake } from '../support/fakes/telegram-fake.ts';
import { demoHospital } from '../support/hospital.ts';
import type { TestInstance } from '../support/instance.ts';
import { TelegramPatient, startWithTelegram } from '../support/telegram-patient.ts';

const PASSWORD = 'a password for the queue board test';
const SHOTS = ['/tmp/queue-shots', screenshotDir];
const PATIENTS = [
  { chat: 9601, name: 'Minh Tran', birth: '05/06/1958', iso: '1958-06-05', phone: '0912345601' },
  { chat: 9602, name: 'Lan Pham', birth: '14/02/1995', iso: '1995-02-14', phone: '0912345602' },
  { chat: 9603, name: 'Bao Le', birth: '20/10/1988', iso: '1988-10-20', phone: '0912345603' },
  { chat: 9604, name: 'Hoa Nguyen', birth: '01/12/1970', iso: '1970-12-01', phone: '0912345604' },
] as const;

/** Every way a patient's data could show: names, phones as typed and in E.164, birth dates. */
const personalData = PATIENTS.flatMap((p) => [p.name, p.phone, `+84${p.phone.slice(1)}`, p.birth, p.iso]);

/** Records what the page's policy refused (the strict CSP of every page: nothing may be). */
const watchViolations = (page: Page) =>
  page.addInitScript(() => {
    const seen: string[] = [];
    Object.assign(window, { cspViolations: seen });
    document.addEventListener('securitypolicyviolation', (event) =>
      seen.push(`${event.violatedDirective} ${event.blockedURI}`),
    );
  });
/** A public page's stream as EventSource reads it: each `event`'s data, in order. */
async function openStream(url: string, event: string) {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  return {
    async next(): Promise<string> {
      for (;;) {
        const blocks = buffer.split('\n\n');
        buffer = blocks.pop() ?? '';
        const at = blocks.findIndex((block) => block.includes(`event: ${event}`));
        if (at >= 0) {
          buffer = [...blocks.slice(at + 1), buffer].join('\n\n');
          return /^data: (.*)$/m.exec(blocks[at]!)?.[1] ?? '';
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('the stream ended');
        buffer += value;
      }
    },
    close: () => controller.abort(),
  };
}

const violations = (page: Page) =>
  page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);

describe('queue boards, display and live ticket in Chromium', () => {
  let fake: TelegramFake;
  let instance: TestInstance;
  let browser: Browser;
  const address = (chat: number): ConversationAddress => ({
    channel: 'telegram',
    channelUserId: String(chat),
  });
  const shoot = async (page: Page, name: string) => {
    for (const dir of SHOTS) await page.screenshot({ path: join(dir, `${name}.png`) });
  };
  const patientId = async (chat: number) =>
    (
      await instance.frontdoor.database.prisma.channelIdentity.findUniqueOrThrow({
        where: { channel_channelUserId: { channel: 'telegram', channelUserId: String(chat) } },
      })
    ).patientId;
  const walkIn = async (chat: number) => {
    const result = await instance.frontdoor.queue.walkIn({
      department: 'general_medicine',
      address: address(chat),
      patientId: await patientId(chat),
      locale: 'en',
    });
    if (!('ticket' in result)) throw new Error(`no walk-in ticket: ${JSON.stringify(result)}`);
    return result.ticket;
  };
  const path = (url: string) => new URL(url).pathname;

  beforeAll(async () => {
    for (const dir of SHOTS) await mkdir(dir, { recursive: true });
    ({ fake, instance } = await startWithTelegram({}, { openHospital: true }));
    const accounts = new StaffAccounts(instance.frontdoor.database.prisma);
    await accounts.upsert({
      email: 'desk@queue.test',
      displayName: 'Desk Thu',
      roles: ['operator'],
      password: PASSWORD,
    });
    await accounts.upsert({
      email: 'nurse@queue.test',
      displayName: 'Nurse Hoa',
      roles: ['nurse'],
      password: PASSWORD,
    });
    await Promise.all(
      PATIENTS.map((p) =>
        new TelegramPatient(instance.frontdoor.url, fake, p.chat).onboard(p.name, p.birth, p.phone),
      ),
    );
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await instance?.stop();
    await fake?.stop();
  });

  it(
    'calls, recalls and marks a no-show; the display and the ticket follow live',
    { timeout: 180_000 },
    async () => {
      const tickets: TicketView[] = [];
      for (const p of PATIENTS.slice(0, 3)) tickets.push(await walkIn(p.chat));
      const [first, second, third] = tickets as [TicketView, TicketView, TicketView];

      const tv = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
      await watchViolations(tv);
      await tv.goto(`${instance.frontdoor.url}/display/general_medicine`);
      await tv.locator('.next li').nth(2).waitFor();
      await tv.evaluate(() => Object.assign(window, { sameDocument: true }));

      const phone = await browser.newPage({
        viewport: { width: 390, height: 844 },
        isMobile: true,
        hasTouch: true,
      });
      await watchViolations(phone);
      await phone.goto(
        `${instance.frontdoor.url}${path(instance.frontdoor.checkInTokens.ticketUrl(third.id))}`,
      );
      await phone.getByText('Ahead of you: 2').waitFor();
      await phone.evaluate(() => Object.assign(window, { sameDocument: true }));

      const desk = await browser.newPage({ viewport: { width: 1280, height: 860 } });
      await desk.goto(`${instance.frontdoor.url}/console`);
      await desk.getByLabel('Email').fill('desk@queue.test');
      await desk.getByLabel('Password').fill(PASSWORD);
      await desk.getByRole('button', { name: 'Sign in' }).click();
      await desk.getByRole('link', { name: 'Queues' }).click();
      await desk.getByLabel('Department').first().selectOption('general_medicine');
      await desk.getByText('Live').waitFor();
      await desk.getByLabel('Room or counter').fill('4');
      await desk.getByRole('button', { name: 'Call next' }).click();
      await desk.getByText(`Called ${first.label} to 4.`).waitFor();

      // The TV shows the call at once; the third patient moves up without reloading.
      await tv.locator(`.latest .ticket[data-label="${first.label}"]`).waitFor();
      await phone.getByText('Ahead of you: 1').waitFor();
      // A walk-in issued elsewhere (the chat) reaches the operator's board live.
      const fourth = await walkIn(PATIENTS[3].chat);
      await desk.locator(`tr[data-label="${fourth.label}"]`).waitFor();

      // Two recalls, then the no-show the rule allows; the board's buttons follow the rule.
      const serving = desk.locator(`.serving-row[data-id="${first.id}"]`);
      const noShow = serving.getByRole('button', { name: 'No-show' });
      expect(await noShow.isDisabled()).toBe(true);
      await serving.getByRole('button', { name: 'Recall' }).click();
      await desk.getByText(`Recalled ${first.label}.`).waitFor();
      await serving.getByRole('button', { name: 'Recall' }).click();
      await serving.getByText('Recalls: 2 of 2').waitFor();
      expect(await serving.getByRole('button', { name: 'Recall' }).isDisabled()).toBe(true);
      await noShow.click();
      await desk.getByText(`${first.label} marked as a no-show.`).waitFor();
      await desk.screenshot({ path: join(SHOTS[0]!, 'queue-board-operator.png'), fullPage: true });
      // The same board on a phone: its tables fit or scroll, nothing cut off.
      await desk.setViewportSize({ width: 390, height: 844 });
      await desk.screenshot({ path: join(SHOTS[0]!, 'queue-board-operator-phone.png'), fullPage: true });
      expect(await cutOff(desk)).toEqual([]);
      await desk.setViewportSize({ width: 1280, height: 860 });

      await desk.getByRole('button', { name: 'Call next' }).click();
      await desk.getByText(`Called ${second.label} to 4.`).waitFor();
      await phone.getByText('You are next').waitFor();
      await tv.locator(`.latest .ticket[data-label="${second.label}"]`).waitFor();
      await shoot(tv, 'display-tv');
      await shoot(phone, 'ticket-phone-next');
      await desk
        .locator(`.serving-row[data-id="${second.id}"]`)
        .getByRole('button', { name: 'Done' })
        .click();
      await desk.getByText(`${second.label} done.`).waitFor();

      await desk.getByRole('button', { name: 'Call next' }).click();
      await phone.getByText('Your turn — room 4').waitFor();
      // The "we message you when it is nearly your turn" hint is for waiting only.
      expect(await phone.locator('.hint').count()).toBe(0);
      await tv.locator(`.latest .ticket[data-label="${third.label}"]`).waitFor();
      await shoot(phone, 'ticket-phone-called');
      await shoot(tv, 'display-tv-called');
      await desk.screenshot({ path: join(SHOTS[0]!, 'queue-board-operator-after.png'), fullPage: true });
      // A transfer gives a new number in the other department: the toast names both.
      await desk
        .locator(`.serving-row[data-id="${third.id}"]`)
        .getByRole('button', { name: 'Transfer' })
        .click();
      const form = desk.getByRole('region', { name: `Transfer ${third.label}` });
      await form.getByLabel('Department').selectOption({ label: 'Neurology' });
      await form.getByRole('button', { name: 'Transfer' }).click();
      await desk
        .getByText(new RegExp(`^${third.label} transferred to Neurology: now [A-Z]+-\\d{3}\\.$`))
        .waitFor();

      for (const page of [tv, phone])
        expect(
          await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument),
        ).toBe(true);
      for (const page of [tv, phone]) expect(await violations(page)).toEqual([]);
      // Every action is in the audit log, by the operator.
      const actions = await instance.frontdoor.database.prisma.auditEntry.findMany({
        where: { action: { startsWith: 'queue.' } },
        select: { action: true, actorLabel: true },
      });
      expect(actions.map((row) => row.action)).toEqual(
        expect.arrayContaining([
          'queue.view',
          'queue.call-next',
          'queue.recall',
          'queue.no-show',
          'queue.done',
        ]),
      );
      expect(new Set(actions.map((row) => row.actorLabel))).toEqual(new Set(['desk@queue.test']));
      await Promise.all([tv.close(), phone.close(), desk.close()]);
    },
  );

  it('keeps names, phones and birth dates off the display and its stream', async () => {
    await walkIn(PATIENTS[3].chat);
    const html = await (await fetch(`${instance.frontdoor.url}/display/general_medicine`)).text();
    const stream = await openStream(`${instance.frontdoor.url}/display/general_medicine/stream`, 'board');
    const events = await stream.next();
    stream.close();
    expect(events).toMatch(/"label":"A-\d+"/);
    for (const text of [html, events]) for (const data of personalData) expect(text).not.toContain(data);
    expect((await fetch(`${instance.frontdoor.url}/display/nowhere`)).status).toBe(404);
  });

  it('checks in only on the button, and at reception from a scanned link', { timeout: 60_000 }, async () => {
    const fhir = demoHospital(instance.frontdoor);
    const appointmentFor = async (p: (typeof PATIENTS)[number], inMinutes = 20, status = 'booked') => {
      const hospitalPatientId = await instance.frontdoor.hospital.ensurePatient({
        id: await patientId(p.chat),
        fullName: p.name,
        birthDate: p.iso,
        phone: `+84${p.phone.slice(1)}`,
      });
      const start = new Date(Date.now() + inMinutes * 60_000);
      const appointment = await fhir.create<Appointment>({
        resourceType: 'Appointment',
        status: status as Appointment['status'],
        serviceType: [{ coding: [{ system: DEPARTMENT_SYSTEM, code: 'cardiology' }] }],
        start: start.toISOString(),
        end: new Date(start.getTime() + 15 * 60_000).toISOString(),
        participant: [{ actor: { reference: `Patient/${hospitalPatientId}` }, status: 'accepted' }],
      });
      return instance.frontdoor.checkInTokens.checkInUrl(appointment.id!, start.getTime());
    };

    const link = await appointmentFor(PATIENTS[0]);
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
    // A cancelled appointment's page says so and offers no button; a too-early one says when.
    await phone.goto(`${instance.frontdoor.url}${path(await appointmentFor(PATIENTS[2], 20, 'cancelled'))}`);
    await phone.getByRole('alert').getByText('This appointment was cancelled').waitFor();
    expect(await phone.getByRole('button').count()).toBe(0);
    await phone.goto(`${instance.frontdoor.url}${path(await appointmentFor(PATIENTS[2], 180))}`);
    await phone.getByRole('alert').getByText('It is too early to check in. You can check in from').waitFor();
    // Opening the link (as a link preview would) checks nobody in.
    await phone.goto(`${instance.frontdoor.url}${path(link)}`);
    await phone.getByText('Cardiology').waitFor();
    expect(await instance.frontdoor.queue.ticketOf(address(PATIENTS[0].chat))).toBeUndefined();
    await shoot(phone, 'checkin-phone');
    await phone.getByRole('button', { name: 'I’m here — check in' }).click();
    await phone.getByText('Ahead of you: 0').or(phone.getByText('You are next')).waitFor();
    expect(phone.url()).toContain('/ticket/');
    expect((await instance.frontdoor.queue.ticketOf(address(PATIENTS[0].chat)))?.department).toBe(
      'cardiology',
    );
    await shoot(phone, 'ticket-phone-checked-in');
    await phone.close();

    const kioskLink = await appointmentFor(PATIENTS[1]);
    // A nurse confirmed "very urgent" on this patient's triage: a check-in by link keeps it.
    await instance.frontdoor.database.prisma.intake.create({
      data: {
        sourceKey: `queue-board-intake-${PATIENTS[1].chat}`,
        patientId: await patientId(PATIENTS[1].chat),
        channel: 'telegram',
        channelUserId: String(PATIENTS[1].chat),
        locale: 'en',
        content: 'sealed',
        rulesVersion: 'test',
        triageAcuity: 3,
        acuity: 2,
        department: 'cardiology',
        reviewRequired: false,
        bookingUrgency: 'routine',
      },
    });
    const kiosk = await browser.newPage({ viewport: { width: 1024, height: 768 } });
    await kiosk.goto(`${instance.frontdoor.url}/kiosk`);
    await kiosk.getByLabel('Email').fill('desk@queue.test');
    await kiosk.getByLabel('Password').fill(PASSWORD);
    await kiosk.getByRole('button', { name: 'Sign in' }).click();
    // The scanner types the URL and Enter.
    await kiosk.getByLabel('Check-in code or link').fill(kioskLink);
    await kiosk.keyboard.press('Enter');
    await kiosk.locator('.kiosk-ticket').waitFor();
    const label = await kiosk.locator('.kiosk-label').textContent();
    expect(label).toMatch(/^B-\d{3}$/);
    expect((await instance.frontdoor.queue.ticketOf(address(PATIENTS[1].chat)))?.label).toBe(label);
    const ranked = (await instance.frontdoor.queue.staffBoard('cardiology')).tickets.find(
      (ticket) => ticket.label === label,
    );
    expect(ranked?.acuity).toBe(2);
    await shoot(kiosk, 'kiosk-ticket');
    // Scanned again once served: the kiosk says so, not a fresh "Ahead: 0".
    const served = (await instance.frontdoor.queue.ticketOf(address(PATIENTS[1].chat)))!;
    for (let i = 0; i < 5; i += 1)
      if ((await instance.frontdoor.queue.callNext('cardiology', '5', {}))?.id === served.id) break;
    expect((await instance.frontdoor.queue.done(served.id, {}))?.status).toBe('done');
    await kiosk.getByLabel('Check-in code or link').fill(kioskLink);
    await kiosk.keyboard.press('Enter');
    await kiosk.getByText('This visit is finished').waitFor();
    expect(await kiosk.locator('.kiosk-ticket').textContent()).not.toContain('Ahead');
    await kiosk.getByLabel('Check-in code or link').fill('https://example.org/checkin/forged.token');
    await kiosk.keyboard.press('Enter');
    await kiosk.getByRole('alert').getByText('not a valid check-in code').waitFor();
    await shoot(kiosk, 'kiosk-refused');
    await kiosk.close();
  });

  it('lets nurses read the boards but not act, and refuses bad requests', async () => {
    const nurse = new ConsoleClient(instance.frontdoor.url);
    expect((await nurse.signIn('nurse@queue.test', PASSWORD)).status).toBe(200);
    expect((await nurse.request('GET', '/console/api/queues/general_medicine')).status).toBe(200);
    const refused = await nurse.request('POST', '/console/api/queues/general_medicine/call-next', {
      room: '2',
    });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ message: 'your role does not have the queues:act permission' });

    const desk = new ConsoleClient(instance.frontdoor.url);
    await desk.signIn('desk@queue.test', PASSWORD);
    const before = await desk.request('GET', '/console/api/queues/general_medicine');
    for (const [path, body] of [
      ['/console/api/queues/nowhere/call-next', { room: '2' }],
      ['/console/api/queues/general_medicine/call-next', { room: '' }],
      ['/console/api/queues/general_medicine/call-next', { room: '2', extra: true }],
    ] as const)
      expect((await desk.request('POST', path, body)).status, JSON.stringify(body)).toBe(400);
    // The room rule (src/domain/queue-room.ts): blank, invisible or past 12 visible characters.
    for (const room of ['   ', '\u200b', 'x'.repeat(13), '4\u200b'])
      expect(
        (await desk.request('POST', '/console/api/queues/general_medicine/call-next', { room })).body,
        JSON.stringify(room),
      ).toMatchObject({ error: 'invalid_room' });
    expect(
      (
        await desk.request(
          'POST',
          '/console/api/queues/general_medicine/call-next',
          { room: '2' },
          { csrf: false },
        )
      ).status,
    ).toBe(403);
    const waiting = before.body.board as { tickets: { id: string; status: string }[] };
    const someone = waiting.tickets.find((ticket) => ticket.status === 'waiting')!;
    // A waiting ticket cannot be recalled or done; nothing changes.
    expect((await desk.request('POST', `/console/api/queues/tickets/${someone.id}/done`)).status).toBe(409);
    expect((await desk.request('POST', `/console/api/queues/tickets/${someone.id}/recall`)).status).toBe(409);
    expect((await desk.request('GET', '/console/api/queues/general_medicine')).body.board).toEqual(
      before.body.board,
    );
    expect((await fetch(`${instance.frontdoor.url}/console/api/queues/general_medicine`)).status).toBe(401);

    // A transfer: the live ticket follows its ticket into the other department's queue.
    const token = new URL(instance.frontdoor.checkInTokens.ticketUrl(someone.id)).pathname.split('/')[2]!;
    const live = await openStream(`${instance.frontdoor.url}/ticket/${token}/stream`, 'ticket');
    try {
      expect(JSON.parse(await live.next())).toMatchObject({ id: someone.id, department: 'general_medicine' });
      const moved = await desk.request('POST', `/console/api/queues/tickets/${someone.id}/transfer`, {
        department: 'dermatology',
      });
      expect(moved.status).toBe(200);
      expect(JSON.parse(await live.next())).toMatchObject({
        department: 'dermatology',
        status: 'waiting',
        ahead: 0,
      });
      // Moved on in its new department's queue: the page hears of it from there.
      const called = await desk.request('POST', '/console/api/queues/dermatology/call-next', { room: '7' });
      expect(called.body.ticket).toMatchObject({ id: someone.id });
      expect(JSON.parse(await live.next())).toMatchObject({ status: 'called', room: '7' });
    } finally {
      live.close();
    }
    expect((await fetch(`${instance.frontdoor.url}/ticket/forged.token/stream`)).status).toBe(404);
  });
});
