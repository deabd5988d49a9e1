// Starts a whole Frontdoor instance for a test: on the real PostgreSQL and Redis when the run
// has them (each test file in its own database and key prefix), on the embedded twins otherwise.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { CONSENT_TEXT_VERSION, flowRegistry } from '../../src/features/index.ts';
import type { TimerClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import type { FlowRegistry } from '../../src/conversation/flow.ts';
import { createLogger } from '../../src/logging.ts';
import { startFrontdoor, type Frontdoor } from '../../src/runtime.ts';
import { StaffAccounts, type Role } from '../../src/security/staff-accounts.ts';
import { openDatabase } from '../../src/storage/database.ts';
import { deleteRedisKeys, testDatabaseUrl, testRedisUrl, uniquePrefix } from './backends.ts';
import { databaseBackends, type TestDatabaseTarget } from './database.ts';
import { FAKE_LINE_SECRET, FAKE_LINE_TOKEN, LineFake } from './fakes/line-fake.ts';

export interface TestInstance {
  frontdoor: Frontdoor;
  /** Redis key prefixes this instance writes under, when it uses Redis. */
  redisPrefixes: string[];
  /** Every log line the instance wrote, as text. */
  logs: string[];
  stop(): Promise<void>;
}

export interface TestInstanceOptions {
  env?: Record<string, string | undefined>;
  flows?: FlowRegistry;
  /** Share a database created by another instance (multi-instance tests). */
  databaseUrl?: string;
  /** Share a key prefix with another instance (multi-instance tests). */
  keyPrefix?: string;
  /** Use Redis even if... (default: whenever the run has TEST_REDIS_URL). */
  redis?: boolean;
  /** Listen here instead of any free port (when PUBLIC_BASE_URL must name it). */
  port?: number;
  /**
   * The instance's clock (tests move a ManualClock instead of sleeping). Its delayed jobs run on
   * it only without Redis (BullMQ delays in Redis time): pass `redis: false` with a ManualClock.
   */
  clock?: TimerClock;
  /**
   * Open the built-in hospital before returning. Its first request seeds it (seconds on a busy
   * machine): in the suite's start-up that counts against the hook's timeout, not against the
   * first booking answer's wait.
   */
  openHospital?: boolean;
  /** Time between two messages to one chat on paced channels (default: TEST_PER_CHAT_INTERVAL_MS). */
  perChatIntervalMs?: number;
  /** Accounts made before start, as `npm run staff:add` would (production starts need an admin). */
  staff?: { email: string; roles: Role[]; password: string }[];
}

/**
 * Telegram's pacing of about a message a second per chat made a suite wait most of its time on
 * the fake; tests keep the pacing's logic but at a fiftieth of the interval (the rate limiter
 * itself is tested in test/unit/rate-limit.test.ts).
 */
export const TEST_PER_CHAT_INTERVAL_MS = 20;

/** A fixed key for tests only (production keys come from FIELD_ENCRYPTION_KEY). */
export const TEST_FIELD_KEY = 'k1.aesgcm256.NS_TmtIbY0t9sQXIsZDfif29X36VoIl8t_-sXv5KsLQ=';

export const usingRealServices = Boolean(testDatabaseUrl && testRedisUrl);

/** A database for a test file: a fresh one on the real server, or undefined for embedded. */
export async function testDatabase(): Promise<TestDatabaseTarget> {
  return (usingRealServices ? databaseBackends[1]! : databaseBackends[0]!).create();
}

/**
 * Opens (on first use, seeds) the built-in hospital, straight through its route: without the
 * FHIR client's 8 s timeout, which seeding on a busy machine can outlast.
 */
export async function openDemoHospital(frontdoor: Frontdoor): Promise<void> {
  if (!frontdoor.demoHospitalToken) return;
  const opened = await fetch(`${frontdoor.url}/fhir/R4/HealthcareService?_count=1`, {
    headers: { authorization: `Bearer ${frontdoor.demoHospitalToken}` },
  });
  if (!opened.ok) throw new Error(`the demo hospital did not open: ${opened.status}`);
}

export async function startTestInstance(options: TestInstanceOptions = {}): Promise<TestInstance> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const dataDir = await mkdtemp(join(tmpdir(), 'frontdoor-test-'));
  const ownDatabase = options.databaseUrl === undefined ? await testDatabase() : undefined;
  const redisUrl = (options.redis ?? usingRealServices) ? testRedisUrl : undefined;
  const keyPrefix = options.keyPrefix ?? uniquePrefix('e2e').slice(0, -1);
  const config = loadConfig({
    DATA_DIR: dataDir,
    SESSION_SECRET: 'test-session-secret-0123456789abcdef',
    FIELD_ENCRYPTION_KEY: TEST_FIELD_KEY,
    ...options.env,
    DATABASE_URL: options.databaseUrl ?? ownDatabase?.url,
    REDIS_URL: redisUrl,
    LOG_LEVEL: 'info',
  });
  if (options.staff?.length) {
    const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR });
    try {
      const accounts = new StaffAccounts(database.prisma);
      for (const member of options.staff) await accounts.upsert(member);
    } finally {
      await database.close();
    }
  }
  const frontdoor = await startFrontdoor(config, {
    flows: options.flows ?? flowRegistry,
    consentVersion: CONSENT_TEXT_VERSION,
    logger: createLogger('info', sink),
    port: options.port ?? 0,
    keyPrefix,
    clock: options.clock,
    perChatIntervalMs: options.perChatIntervalMs ?? TEST_PER_CHAT_INTERVAL_MS,
  });
  if (options.openHospital) await openDemoHospital(frontdoor);
  return {
    frontdoor,
    redisPrefixes: redisUrl ? [`${keyPrefix}:`, `{${keyPrefix}}`] : [],
    logs,
    async stop() {
      await frontdoor.close();
      await ownDatabase?.drop();
      if (redisUrl && !options.keyPrefix) {
        await deleteRedisKeys(redisUrl, `${keyPrefix}:`);
        await deleteRedisKeys(redisUrl, `{${keyPrefix}}`);
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** An instance taking LINE webhooks, with the Messaging API fake it sends to. */
export async function startWithLine(
  env: Record<string, string> = {},
  options: Omit<TestInstanceOptions, 'env'> = {},
): Promise<{ fake: LineFake; instance: TestInstance }> {
  const fake = await new LineFake().start();
  const instance = await startTestInstance({
    ...options,
    env: {
      LINE_CHANNEL_SECRET: FAKE_LINE_SECRET,
      LINE_CHANNEL_ACCESS_TOKEN: FAKE_LINE_TOKEN,
      LINE_API_BASE_URL: fake.url,
      ...env,
    },
  });
  return { fake, instance };
}
