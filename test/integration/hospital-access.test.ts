// Issue 14, "the demo hospital is ours, closed": /fhir/R4 holds patients' names, birth dates
// and phones, so it answers only Frontdoor's own client, clinical staff signed in to the
// console and API keys with the fhir scope — and only Frontdoor may change anything.
import type { Patient } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { FhirClient } from '../../src/integrations/fhir/fhir-client.ts';
import { ApiKeys, hashApiKey } from '../../src/security/api-keys.ts';
import { StaffAccounts } from '../../src/security/staff-accounts.ts';
import { ConsoleClient } from '../support/console-client.ts';
import { HttpFake } from '../support/fakes/http-fake.ts';
import { startTestInstance, type TestInstance } from '../support/instance.ts';

describe('who may reach the built-in hospital (NODE_ENV=production)', () => {
  let instance: TestInstance;
  let url: string;
  let patientId: string;
  const password = 'correct horse battery staple';

  beforeAll(async () => {
    instance = await startTestInstance({
      env: { NODE_ENV: 'production', CONSULTATION_FEES: '0' },
      staff: [{ email: 'first-admin@h.test', roles: ['admin'], password }],
    });
    url = `${instance.frontdoor.url}/fhir/R4`;
    patientId = await instance.frontdoor.hospital.ensurePatient({
      id: '0b0f6c5e-5d1c-4b7e-9a61-5e3c2f1d0c01',
      fullName: 'Hoa Tran',
      birthDate: '1975-04-30',
      phone: '+84912345901',
    });
    const accounts = new StaffAccounts(instance.frontdoor.database.prisma, {
      maxFailures: 5,
      lockoutMs: 60_000,
    });
    await accounts.upsert({ email: 'nurse@h.test', displayName: 'Nurse', roles: ['nurse'], password });
    await accounts.upsert({ email: 'admin@h.test', displayName: 'Admin', roles: ['admin'], password });
  });
  afterAll(async () => {
    await instance?.stop();
  });

  const patients = () => instance.frontdoor.database.prisma; // for the audit rows
  const fhirFetch = (path: string, init: RequestInit = {}) =>
    fetch(`${url}${path}`, {
      ...init,
      headers: { 'content-type': 'application/fhir+json', ...(init.headers as Record<string, string>) },
    });

  it('refuses a caller without credentials with 401 in the usual error format, for reads and writes, changing nothing', async () => {
    const search = await fhirFetch('/Patient?name=Hoa');
    expect(search.status).toBe(401);
    expect(await search.json()).toEqual({ error: 'unauthorized', message: expect.any(String) as string });
    const body = JSON.stringify({ resourceType: 'Patient', name: [{ text: 'Junk' }] });
    expect((await fhirFetch('/Patient', { method: 'POST', body })).status).toBe(401);
    expect((await fhirFetch(`/Patient/${patientId}`, { method: 'DELETE' })).status).toBe(401);
    expect(
      (
        await fhirFetch(`/Patient/${patientId}`, {
          method: 'PUT',
          body: body.replace('}', `,"id":"${patientId}"}`),
        })
      ).status,
    ).toBe(401);
    expect((await fhirFetch('/Patient', { headers: { authorization: 'Bearer fdk_guessed' } })).status).toBe(
      401,
    );
    // A malformed escape in a cookie is a stranger's mistake: 401, not a 500.
    expect((await fhirFetch('/Patient', { headers: { cookie: 'fd_staff=%E0%A4%A' } })).status).toBe(401);
    // Still there, unchanged, and no junk was created.
    const own = new FhirClient(url, { bearerToken: instance.frontdoor.demoHospitalToken });
    expect((await own.read<Patient>('Patient', patientId)).name?.[0]?.text).toBe('Hoa Tran');
    expect((await own.search<Patient>('Patient', { name: 'Junk' })).resources).toEqual([]);
  });

  it('lets a nurse read (audited) but not write, and refuses an admin', async () => {
    const nurse = new ConsoleClient(instance.frontdoor.url);
    expect((await nurse.signIn('nurse@h.test', password)).status).toBe(200);
    const read = await nurse.request('GET', `/fhir/R4/Patient/${patientId}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ resourceType: 'Patient', birthDate: '1975-04-30' });
    const audit = await patients().auditEntry.findFirst({
      where: { action: 'fhir.read', actorLabel: 'nurse@h.test' },
    });
    expect(audit).toMatchObject({ subjectType: 'fhir', subjectId: `Patient/${patientId}` });
    const write = await nurse.request('POST', '/fhir/R4/Patient', { resourceType: 'Patient' });
    expect(write.status).toBe(403);

    const admin = new ConsoleClient(instance.frontdoor.url);
    expect((await admin.signIn('admin@h.test', password)).status).toBe(200);
    expect((await admin.request('GET', `/fhir/R4/Patient/${patientId}`)).status).toBe(403);
  });

  it('lets an API key with the fhir scope read, never write, until it is revoked', async () => {
    const keys = new ApiKeys(instance.frontdoor.database.prisma);
    const key = (await keys.add('his-reader', ['fhir']))!;
    expect(key).toMatch(/^fdk_[\w-]{43}$/);
    // Only the hash is stored, and the scopes are a list (later issues add more).
    const row = await instance.frontdoor.database.prisma.apiKey.findUniqueOrThrow({
      where: { name: 'his-reader' },
    });
    expect(row).toMatchObject({ keyHash: hashApiKey(key), scopes: ['fhir'] });
    expect(JSON.stringify(row)).not.toContain(key);
    expect(await keys.add('his-reader', ['fhir'])).toBeUndefined();

    const auth = { authorization: `Bearer ${key}` };
    const read = await fhirFetch('/Patient?name=Hoa', { headers: auth });
    expect(read.status).toBe(200);
    expect(((await read.json()) as { total?: number }).total).toBe(1);
    // Audited under the key's name, as every hospital API call is (not its id).
    const audited = await patients().auditEntry.findFirst({
      where: { action: 'fhir.read', subjectId: 'Patient' },
      orderBy: { id: 'desc' },
    });
    expect(audited?.actorLabel).toBe('api-key:his-reader');
    const write = await fhirFetch('/Patient', {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ resourceType: 'Patient' }),
    });
    expect(write.status).toBe(403);
    expect((await fhirFetch(`/Patient/${patientId}`, { method: 'DELETE', headers: auth })).status).toBe(403);

    expect(await keys.revoke('his-reader')).toBe(true);
    expect((await fhirFetch('/Patient?name=Hoa', { headers: auth })).status).toBe(401);
  });
});

describe("an API key's last use", () => {
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 9, 0));
  let instance: TestInstance;
  beforeAll(async () => {
    instance = await startTestInstance({ clock, env: { CONSULTATION_FEES: '0' } });
  });
  afterAll(async () => {
    await instance?.stop();
  });

  it("is recorded on the instance's clock, at most once a minute", async () => {
    const { prisma } = instance.frontdoor.database;
    const key = (await new ApiKeys(prisma).add('his-poller', ['fhir']))!;
    const read = () =>
      fetch(`${instance.frontdoor.url}/fhir/R4/Patient?name=nobody`, {
        headers: { authorization: `Bearer ${key}` },
      });
    const lastUsed = async () =>
      (await prisma.apiKey.findUniqueOrThrow({ where: { name: 'his-poller' } })).lastUsedAt?.getTime();
    expect((await read()).status).toBe(200);
    expect(await lastUsed()).toBe(clock.now());
    const first = clock.now();
    clock.advance(30_000);
    expect((await read()).status).toBe(200);
    expect(await lastUsed()).toBe(first);
    clock.advance(31_000);
    expect((await read()).status).toBe(200);
    expect(await lastUsed()).toBe(clock.now());
  });
});

describe("Frontdoor's FHIR client and an external hospital", () => {
  const his = new HttpFake(async () => ({
    status: 200,
    body: { resourceType: 'Bundle', type: 'searchset', entry: [] },
  }));
  let instance: TestInstance;
  beforeAll(async () => {
    await his.start();
    instance = await startTestInstance({ env: { HOSPITAL_FHIR_BASE_URL: `${his.url}/fhir` } });
  });
  afterAll(async () => {
    await instance?.stop();
    await his.stop();
  });

  it('sends the built-in hospital credential to nobody else, and serves no /fhir/R4', async () => {
    await instance.frontdoor.hospital.departments();
    expect(his.requests.length).toBeGreaterThan(0);
    for (const request of his.requests) expect(request.headers.authorization).toBeUndefined();
    expect(instance.frontdoor.demoHospitalToken).toBeUndefined();
    expect((await fetch(`${instance.frontdoor.url}/fhir/R4/Patient`)).status).toBe(404);
  });

  it('keeps the credential off a paging link that leaves the hospital', async () => {
    const client = new FhirClient(`${instance.frontdoor.url}/fhir/R4`, { bearerToken: 'secret-token' });
    const before = his.requests.length;
    await client.page(`${his.url}/fhir/Slot?page=2`);
    expect(his.requests.length).toBe(before + 1);
    expect(his.requests.at(-1)!.headers.authorization).toBeUndefined();
  });
});
