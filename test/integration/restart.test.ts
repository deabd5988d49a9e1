// The embedded default (no REDIS_URL) after a restart on the same DATA_DIR (issue 14: chat
// history and mid-flow state were lost): the conversation and its transcript are where they were.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { CONSENT_TEXT_VERSION, flowRegistry } from '../../src/features/index.ts';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logging.ts';
import { startFrontdoor, type Frontdoor } from '../../src/runtime.ts';
import { FAKE_BOT_TOKEN, TelegramFake } from '../support/fakes/telegram-fake.ts';
import { openDemoHospital, TEST_FIELD_KEY } from '../support/instance.ts';
import { TELEGRAM_SECRET, TelegramPatient } from '../support/telegram-patient.ts';

const start = (dataDir: string, clock?: ManualClock, telegram?: TelegramFake) =>
  startFrontdoor(
    loadConfig({
      DATA_DIR: dataDir,
      ...(telegram
        ? {
            TELEGRAM_BOT_TOKEN: FAKE_BOT_TOKEN,
            TELEGRAM_API_ROOT: telegram.url,
            TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
          }
        : {}),
      SESSION_SECRET: 'test-session-secret-0123456789abcdef',
      FIELD_ENCRYPTION_KEY: TEST_FIELD_KEY,
      LOG_LEVEL: 'silent',
    }),
    {
      flows: flowRegistry,
      consentVersion: CONSENT_TEXT_VERSION,
      logger: createLogger('silent'),
      port: 0,
      ...(clock ? { clock } : {}),
    },
  );

async function everyKey(frontdoor: Frontdoor, prefix: string): Promise<Record<string, string | undefined>> {
  const found: Record<string, string | undefined> = {};
  for await (const keys of frontdoor.kv.scanKeys(prefix))
    for (const key of keys) found[key] = await frontdoor.kv.get(key);
  return found;
}

describe('restart on the embedded default', () => {
  let dataDir = '';
  let running: Frontdoor | undefined;
  let telegram: TelegramFake | undefined;
  afterAll(async () => {
    await running?.close();
    await telegram?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps a mid-flow conversation and its web chat transcript across a restart on the same DATA_DIR', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'frontdoor-restart-'));
    running = await start(dataDir);
    const page = await fetch(`${running.url}/chat?lang=en`);
    const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0]!;
    const session = decodeURIComponent(cookie.split('=')[1]!).replace(/\.[^.]+$/, '');
    const post = (url: string, id: string, text: string) =>
      fetch(`${url}/chat/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie },
        body: JSON.stringify({ id, text, lang: 'en' }),
      });
    expect((await post(running.url, '00000000-0000-4000-8000-000000000001', 'hello')).status).toBe(202);
    const first = running;
    await vi.waitFor(
      async () =>
        expect((await first.webLog.since(session, 0)).some((entry) => entry.from === 'assistant')).toBe(true),
      { timeout: 15_000, interval: 50 },
    );
    await running.engine.idle();
    const transcript = await running.webLog.since(session, 0);
    const state = await everyKey(running, 'conv:');
    expect(Object.keys(state).length).toBeGreaterThan(0);
    await running.close();
    running = undefined;

    running = await start(dataDir);
    expect(await running.webLog.since(session, 0)).toEqual(transcript);
    expect(await everyKey(running, 'conv:')).toEqual(state);
    // The same cookie goes on with the same session, and a resent message stays a duplicate.
    const again = await post(running.url, '00000000-0000-4000-8000-000000000001', 'hello');
    expect(await again.json()).toEqual({ status: 'duplicate' });
  }, 120_000);

  it('runs a slot hold expiry scheduled before the restart (the in-process timer is rebuilt from the database)', async () => {
    await running?.close();
    running = undefined;
    dataDir ||= await mkdtemp(join(tmpdir(), 'frontdoor-restart-'));
    telegram = await new TelegramFake().start();
    running = await start(dataDir, undefined, telegram);
    await openDemoHospital(running);
    // The real path: the patient picks a time, the flow holds it and sets the hold's timer.
    const patient = new TelegramPatient(running.url, telegram, 9951);
    await patient.onboard('Hanh Vo', '02/02/1992', '0912349951');
    const slotId = await patient.firstFreeSlot('dermatology');
    expect(await patient.press(`booking.slot|${slotId}`, 2)).toMatch(/^Book .+ \(Dermatology\)\?/);
    const first = running;
    const holdKey = `hold:{slot:${slotId}}`;
    expect(await first.kv.get(holdKey)).toBeDefined();
    // The schedule effect runs as a job after the answer went out.
    const expiry = { queue: 'conversation-timer', jobId: { endsWith: `:hold:${slotId}` } };
    await vi.waitFor(
      async () => expect(await first.database.prisma.scheduledTimer.count({ where: expiry })).toBe(1),
      { timeout: 15_000, interval: 50 },
    );
    // A row the previous version left, for the queue SlotHolds used to set its own expiry on:
    // nothing handles that queue now, so the restart drops it instead of failing it at each start.
    await first.database.prisma.scheduledTimer.create({
      data: { queue: 'slot-hold-expiry', jobId: 'hold-expiry:old-slot', data: {}, dueAt: new Date() },
    });
    const holdMs = first.holds.holdMs;
    const before = telegram.messages(patient.chatId).length;
    await first.close();
    running = undefined;

    // Back after the hold ran out (but before its key's margin): the expiry runs at once.
    running = await start(dataDir, new ManualClock(Date.now() + holdMs + 1_000), telegram);
    const restarted = running;
    // The release (an effect job the timer's event leads to) may finish before the timer's own
    // job deletes its row: both are waited for, as long as a busy machine needs (waitFor's
    // default second was too short for that in a full run).
    await vi.waitFor(
      async () => {
        expect(await restarted.kv.get(holdKey)).toBeUndefined();
        expect(await restarted.database.prisma.scheduledTimer.count({ where: expiry })).toBe(0);
        expect(await restarted.database.prisma.scheduledTimer.count()).toBe(0);
      },
      { timeout: 15_000, interval: 50 },
    );
    await expect
      .poll(() =>
        telegram!
          .messages(patient.chatId)
          .slice(before)
          .some((message) => String(message.body.text).startsWith('The time I was holding for you')),
      )
      .toBe(true);
  }, 120_000);
});
