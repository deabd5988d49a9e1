// Sign-in that resists guessing, over the console API of a whole instance: back-off instead of a
// lockout anyone can trigger, the same answer for a right and a wrong password while waiting,
// sessions that end when the account changes, and an audit row for every attempt. Time moves on
// the injected clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { StaffAccounts } from '../../src/security/staff-accounts.ts';
import { ConsoleClient } from '../support/console-client.ts';
import { startTestInstance, type TestInstance } from '../support/instance.ts';

const PASSWORD = 'correct horse battery staple';

interface AuditEntry {
  actorLabel: string;
  action: string;
  subjectId: string;
  ip: string;
  detail?: Record<string, unknown>;
}

describe('console sign-in', () => {
  const clock = new ManualClock(Date.now());
  let instance: TestInstance;
  let accounts: StaffAccounts;
  let admin: ConsoleClient;
  const client = () => new ConsoleClient(instance.frontdoor.url);

  beforeAll(async () => {
    instance = await startTestInstance({ clock, env: { STAFF_MAX_FAILED_LOGINS: '3' } });
    accounts = new StaffAccounts(instance.frontdoor.database.prisma);
    for (const [email, roles] of [
      ['admin@h.test', ['admin']],
      ['nurse@h.test', ['nurse']],
      ['guarded@h.test', ['nurse']],
      ['leaver@h.test', ['nurse']],
    ] as const) {
      await accounts.upsert({ email, roles: [...roles], password: PASSWORD });
    }
    admin = client();
    expect((await admin.signIn('admin@h.test', PASSWORD)).status).toBe(200);
  });
  afterAll(async () => {
    await instance?.stop();
  });

  const audit = async (subject: string) => {
    const { body } = await admin.request('GET', `/console/api/audit?subject=${encodeURIComponent(subject)}`);
    return (body.entries as AuditEntry[]).reverse();
  };

  it('refuses a wrong password, an unknown email and a disabled account with one generic 401', async () => {
    await accounts.disable('leaver@h.test', new Date(clock.now()));
    const wrong = await client().signIn('nurse@h.test', 'not the password');
    expect(wrong).toEqual({
      status: 401,
      body: { error: 'unauthorized', message: 'wrong email or password' },
    });
    expect(await client().signIn('nobody@h.test', PASSWORD)).toEqual(wrong);
    expect(await client().signIn('leaver@h.test', PASSWORD)).toEqual(wrong);
    // A success clears this address's failures for the tests that follow.
    expect((await client().signIn('nurse@h.test', PASSWORD)).status).toBe(200);
  });

  it('answers 429 with Retry-After for the right password as for a wrong one while the account waits, doubling the wait (no lockout oracle)', async () => {
    const guesser = client();
    for (let attempt = 0; attempt < 3; attempt++) {
      expect((await guesser.signIn('guarded@h.test', 'guess')).status).toBe(401);
    }
    const rightPassword = await guesser.signIn('guarded@h.test', PASSWORD);
    const rightRetryAfter = guesser.lastHeaders.get('retry-after');
    const wrongPassword = await guesser.signIn('guarded@h.test', 'guess');
    expect(rightPassword).toEqual({
      status: 429,
      body: {
        error: 'too_many_attempts',
        message: 'too many sign-in attempts: try again in 1 s',
        retryAfterSeconds: 1,
      },
    });
    expect(wrongPassword).toEqual(rightPassword);
    expect([rightRetryAfter, guesser.lastHeaders.get('retry-after')]).toEqual(['1', '1']);

    clock.advance(1000);
    expect((await guesser.signIn('guarded@h.test', 'guess')).status).toBe(401);
    expect((await guesser.signIn('guarded@h.test', PASSWORD)).body.retryAfterSeconds).toBe(2);
    clock.advance(2000);
    // After the wait the right password gets in, and the count starts again.
    const owner = client();
    expect((await owner.signIn('guarded@h.test', PASSWORD)).status).toBe(200);
    expect((await client().signIn('guarded@h.test', 'guess')).status).toBe(401);
    expect((await owner.request('GET', '/console/api/intakes')).status).toBe(200);

    const actions = (await audit('guarded@h.test')).map((entry) => entry.action);
    expect(actions).toEqual([
      ...Array<string>(3).fill('staff.sign-in.failed'),
      // Both refusals of that first wait: one row (its first), the other counted.
      'staff.sign-in.throttled',
      'staff.sign-in.failed',
      'staff.sign-in.throttled',
      'staff.sign-in.failed',
    ]);
  });

  it('audits the first refusal of each wait and counts the rest in frontdoor_staff_sign_in_throttled_total, so hammering writes no row per try', async () => {
    await accounts.upsert({ email: 'hammered@h.test', roles: ['nurse'], password: PASSWORD });
    const refusedSoFar = async () => {
      const text = await (await fetch(`${instance.frontdoor.url}/metrics`)).text();
      return Number(/^frontdoor_staff_sign_in_throttled_total\{by="account"\} (\d+)$/m.exec(text)?.[1] ?? 0);
    };
    const before = await refusedSoFar();
    const guesser = client();
    for (let attempt = 0; attempt < 3; attempt++)
      expect((await guesser.signIn('hammered@h.test', 'guess')).status).toBe(401);
    for (let attempt = 0; attempt < 20; attempt++)
      expect((await guesser.signIn('hammered@h.test', 'guess')).status).toBe(429);
    clock.advance(1000);
    expect((await guesser.signIn('hammered@h.test', 'guess')).status).toBe(401);
    for (let attempt = 0; attempt < 5; attempt++)
      expect((await guesser.signIn('hammered@h.test', PASSWORD)).status).toBe(429);
    expect(await refusedSoFar()).toBe(before + 25);
    const rows = await audit('hammered@h.test');
    expect(rows.map((entry) => entry.action)).toEqual([
      ...Array<string>(3).fill('staff.sign-in.failed'),
      'staff.sign-in.throttled',
      'staff.sign-in.failed',
      'staff.sign-in.throttled',
    ]);
    expect(rows[3]!.detail).toEqual({ by: 'account', retryAfterSeconds: 1 });
    expect(rows[5]!.detail).toEqual({ by: 'account', retryAfterSeconds: 2 });
    // The wait over, the right password gets in (and clears this address's failures).
    clock.advance(2000);
    expect((await client().signIn('hammered@h.test', PASSWORD)).status).toBe(200);
  });

  it('audits every sign-in and failure, with the address of the connection rather than a made-up X-Forwarded-For', async () => {
    const spoofer = new ConsoleClient(instance.frontdoor.url, { 'x-forwarded-for': '6.6.6.6' });
    expect((await spoofer.signIn('nurse@h.test', 'not the password')).status).toBe(401);
    expect((await spoofer.signIn('nurse@h.test', PASSWORD)).status).toBe(200);
    const nurseId = (await spoofer.request('GET', '/console/api/me')).body.staff as { id: string };
    const failures = await audit('nurse@h.test');
    const signIns = await audit(nurseId.id);
    expect(failures.at(-1)).toMatchObject({
      action: 'staff.sign-in.failed',
      ip: '127.0.0.1',
      detail: { reason: 'wrong-password' },
    });
    expect(signIns.at(-1)).toMatchObject({ action: 'staff.sign-in', ip: '127.0.0.1' });
    expect(JSON.stringify([...failures, ...signIns])).not.toContain('6.6.6.6');
  });

  it('sets the session cookie for the whole site (the console and the built-in hospital at /fhir/R4), httpOnly and SameSite=Strict, and sign-out clears it there', async () => {
    const again = client();
    const csrf = await again.request('GET', '/console/api/csrf');
    again.csrfToken = String(csrf.body.csrfToken);
    expect(
      (await again.request('POST', '/console/api/sign-in', { email: 'nurse@h.test', password: PASSWORD }))
        .status,
    ).toBe(200);
    const [set] = again.lastHeaders.getSetCookie().filter((line) => line.startsWith('fd_staff='));
    expect(set).toMatch(/; Path=\/(;|$)/);
    expect(set).toContain('HttpOnly');
    expect(set).toContain('SameSite=Strict');
    const me = await again.request('GET', '/console/api/me');
    again.csrfToken = String(me.body.csrfToken);
    expect((await again.request('POST', '/console/api/sign-out')).status).toBe(200);
    const [cleared] = again.lastHeaders.getSetCookie().filter((line) => line.startsWith('fd_staff='));
    expect(cleared).toMatch(/; Path=\/(;|$)/);
    expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970|Max-Age=0/i);
    expect((await again.request('GET', '/console/api/me')).status).toBe(401);
  });

  it('ends open sessions when the account’s roles or password change or it is disabled', async () => {
    const session = async () => {
      const nurse = client();
      expect((await nurse.signIn('nurse@h.test', PASSWORD)).status).toBe(200);
      expect((await nurse.request('GET', '/console/api/intakes')).status).toBe(200);
      return nurse;
    };
    const beforeRoleChange = await session();
    await accounts.upsert({ email: 'nurse@h.test', roles: ['nurse', 'doctor'], password: PASSWORD });
    expect((await beforeRoleChange.request('GET', '/console/api/intakes')).status).toBe(401);
    expect((await beforeRoleChange.request('GET', '/console/api/me')).status).toBe(401);

    const beforeDisable = await session();
    await accounts.disable('nurse@h.test', new Date(clock.now()));
    expect((await beforeDisable.request('GET', '/console/api/intakes')).status).toBe(401);
    expect((await client().signIn('nurse@h.test', PASSWORD)).status).toBe(401);

    // staff:add again enables the account with its new password, and only new sessions work.
    await accounts.upsert({ email: 'nurse@h.test', roles: ['nurse'], password: `${PASSWORD} 2` });
    expect((await client().signIn('nurse@h.test', PASSWORD)).status).toBe(401);
    expect((await client().signIn('nurse@h.test', `${PASSWORD} 2`)).status).toBe(200);
  });
});
