// Re-registering in the same web chat (withdraw consent → Start again → I agree → another name
// and birth date) must not rewrite who an earlier intake was taken from: the console shows the
// first intake under the first identity and the new one under the new identity.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleClient } from '../support/console-client.ts';
import { startTestInstance, type TestInstance } from '../support/instance.ts';

const NURSE = {
  email: 'nurse@reregister.test',
  roles: ['nurse' as const],
  password: 'a long nurse password here',
};

describe('web chat: registering again in the same chat', () => {
  let instance: TestInstance;
  beforeAll(async () => {
    instance = await startTestInstance({ staff: [NURSE] });
  });
  afterAll(async () => {
    await instance?.stop();
  });

  /** A patient on the web chat over HTTP, reading answers from the transcript as the page does. */
  async function webPatient() {
    const url = instance.frontdoor.url;
    const page = await fetch(`${url}/chat?lang=en`);
    const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0]!;
    const session = decodeURIComponent(cookie.split('=')[1]!).replace(/\.[^.]+$/, '');
    const answers = async () =>
      (await instance.frontdoor.webLog.since(session, 0)).filter((entry) => entry.from === 'assistant');
    const send = async (body: { text: string } | { button: string }, expected = 1) => {
      const before = (await answers()).length;
      const response = await fetch(`${url}/chat/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie },
        body: JSON.stringify({ id: randomUUID(), lang: 'en', ...body }),
      });
      expect(response.status).toBe(202);
      await expect
        .poll(async () => (await answers()).length, { timeout: 15_000 })
        .toBeGreaterThanOrEqual(before + expected);
      return (await answers()).at(-1)!.message.text ?? '';
    };
    const say = (text: string, expected?: number) => send({ text }, expected);
    const tap = (button: string, expected?: number) => send({ button }, expected);
    return {
      say,
      tap,
      async register(name: string, birthDate: string, phone: string) {
        await say(name);
        await say(birthDate);
        await say(phone);
      },
      async headache() {
        await tap('menu|symptoms');
        await tap('intake.complaint|headache');
        for (const [step, value] of [
          ['onset', 'days'],
          ['severity', '3'],
          ['redFlag', 'no'],
          ['redFlag', 'no'],
          ['redFlag', 'no'],
          ['pregnancy', 'no'],
          ['describe', 'skip'],
        ])
          await tap(`intake.${step}|${value}`);
      },
    };
  }

  it(
    'keeps the first intake under the first identity, and takes the second under the new one',
    { timeout: 120_000 },
    async () => {
      const patient = await webPatient();
      await patient.say('hello');
      await patient.tap('onboarding.consent|yes');
      await patient.register('Lan Nguyen', '02/02/1990', '0912345781');
      await patient.headache();

      expect(await patient.say('withdraw consent')).toMatch(/Your consent is withdrawn/);
      await patient.tap('onboarding.declined|again');
      await patient.tap('onboarding.consent|yes');
      await patient.register('Minh Tran', '07/07/1975', '0912345782');
      await patient.headache();

      const nurse = new ConsoleClient(instance.frontdoor.url);
      expect((await nurse.signIn(NURSE.email, NURSE.password)).status).toBe(200);
      const inbox = (await nurse.request('GET', '/console/api/intakes')).body.intakes as { id: string }[];
      expect(inbox).toHaveLength(2);
      const patients = await Promise.all(
        inbox.map(
          async (row) =>
            (
              (await nurse.request('GET', `/console/api/intakes/${row.id}`)).body.intake as {
                patient: unknown;
              }
            ).patient as {
              fullName: string;
              birthDate: string;
              phone: string;
            },
        ),
      );
      expect(patients).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ fullName: 'Lan Nguyen', birthDate: '1990-02-02', phone: '+84912345781' }),
          expect.objectContaining({ fullName: 'Minh Tran', birthDate: '1975-07-07', phone: '+84912345782' }),
        ]),
      );
    },
  );
});
