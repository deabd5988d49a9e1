// Composition of one Frontdoor instance: storage, key-value store, job queue, conversation
// engine, channels and HTTP server, chosen from the settings (real services when configured,
// embedded twins otherwise).
import cookie from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { systemClock, type Clock } from './clock.ts';
import type { Config } from './config.ts';
import { LineSender, lineClient } from './channels/line/sender.ts';
import { registerLineWebhook } from './channels/line/webhook.ts';
import { startTelegramPolling } from './channels/telegram/polling.ts';
import { BotApi } from './channels/telegram/bot-api.ts';
import { TelegramSender } from './channels/telegram/sender.ts';
import { registerTelegramWebhook } from './channels/telegram/webhook.ts';
import { WebChatLog } from './channels/web/chat-log.ts';
import { registerWebChat } from './channels/web/routes.ts';
import { WebChatSender } from './channels/web/sender.ts';
import { ConversationEngine } from './conversation/engine.ts';
import type { FlowRegistry, FlowSettings } from './conversation/flow.ts';
import type { ChannelName } from './conversation/message.ts';
import { Outbox, type ChannelSender } from './conversation/outbox.ts';
import { SUPPORTED_LOCALES, createTranslator } from './i18n/locales.ts';
import { DemoHospital, registerDemoHospital } from './integrations/fhir/demo-hospital.ts';
import { FhirClient } from './integrations/fhir/fhir-client.ts';
import { Hospital } from './integrations/fhir/hospital.ts';
import { AppointmentReminders } from './integrations/fhir/appointment-reminders.ts';
import { BookingPerformer } from './integrations/fhir/booking-performer.ts';
import { SlotHolds } from './integrations/fhir/slot-holds.ts';
import { Checkouts } from './integrations/stripe/checkout.ts';
import { Payments, type PaymentMessenger } from './integrations/stripe/payments.ts';
import { Refunds } from './integrations/stripe/refunds.ts';
import { StripeGateway, stripeClient } from './integrations/stripe/stripe-gateway.ts';
import { TestGateway } from './integrations/stripe/test-gateway.ts';
import { registerStripeWebhook } from './integrations/stripe/webhook.ts';
import { registerPaymentPages } from './server/payment-pages.ts';
import { BullmqQueue } from './jobs/bullmq-queue.ts';
import { DurableTimers } from './jobs/durable-timers.ts';
import { InProcessQueue } from './jobs/in-process-queue.ts';
import type { JobQueue } from './jobs/job-queue.ts';
import { createLogger } from './logging.ts';
import { ApiKeys } from './security/api-keys.ts';
import { AuditLog } from './security/audit-log.ts';
import { FieldCipher } from './security/field-cipher.ts';
import { FIELD_ENCRYPTION_KEY, SESSION_SECRET, persistedSecret } from './security/persisted-secret.ts';
import { DEMO_STAFF_EMAILS, StaffAccounts, type Role } from './security/staff-accounts.ts';
import { StaffSessions } from './security/staff-sessions.ts';
import { SignInThrottle } from './security/sign-in-throttle.ts';
import { INTAKE_FEED, registerConsole } from './server/console/routes.ts';
import { buildServer } from './server/app.ts';
import type { ReadinessCheck } from './server/health.ts';
import { createMetricsRegistry } from './server/metrics.ts';
import { openDatabase, type Database } from './storage/database.ts';
import type { KeyValueStore } from './storage/kv/key-value-store.ts';
import { MemoryStore } from './storage/kv/memory-store.ts';
import { RedisStore } from './storage/kv/redis-store.ts';
import { PrismaIntakeStore } from './storage/prisma-intake-store.ts';
import { emergencyNumberFor } from './domain/red-flags.ts';
import { PrismaPatientDirectory } from './storage/prisma-patient-directory.ts';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

/** A running instance and how to stop it. */
export interface Frontdoor {
  app: FastifyInstance;
  /** Base URL this instance listens on. */
  url: string;
  database: Database;
  kv: KeyValueStore;
  jobs: JobQueue;
  engine: ConversationEngine;
  /** The web chat transcripts (tests read them as the page would). */
  webLog: WebChatLog;
  logger: Logger;
  /** Channels this instance serves. */
  channels: ChannelName[];
  /** The hospital over FHIR: HOSPITAL_FHIR_BASE_URL, or the demo hospital at /fhir/R4. */
  hospital: Hospital;
  /** Consultation payments (Stripe, or the local test gateway without STRIPE_SECRET_KEY). */
  payments: Payments;
  /** Slot holds while a patient confirms or pays. */
  holds: SlotHolds;
  /** The bearer token Frontdoor's own client sends to the built-in hospital (none with HOSPITAL_FHIR_BASE_URL). */
  demoHospitalToken?: string;
  /** Embedded default only: console accounts made up at start, to be printed. */
  demoStaff: { email: string; password: string; role: Role }[];
  /** Stops taking requests, drains jobs and closes every connection. */
  close(): Promise<void>;
}

export interface StartOptions {
  /** The conversation flows (main.ts hands over flows/; tests may hand a scripted one). */
  flows: FlowRegistry;
  /** Version of the consent text the flows show, for the privacy page. */
  consentVersion: string;
  logger?: Logger;
  clock?: Clock;
  /** Namespace for Redis keys and queues instead of REDIS_KEY_PREFIX (tests: one per run). */
  keyPrefix?: string;
  /** Listen on this port instead of config.PORT (tests use 0). */
  port?: number;
}

/** Starts one instance from validated settings. */
export async function startFrontdoor(config: Config, options: StartOptions): Promise<Frontdoor> {
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const clock = options.clock ?? systemClock;
  const keyPrefix = options.keyPrefix ?? config.REDIS_KEY_PREFIX;
  const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR });
  const opened: { close(): Promise<void> }[] = [database];
  try {
    const kv = config.REDIS_URL
      ? await connectRedisStore(config.REDIS_URL, keyPrefix, logger)
      : new MemoryStore(clock);
    opened.push(kv);
    const jobs: JobQueue = config.REDIS_URL
      ? new BullmqQueue(config.REDIS_URL, keyPrefix, logger)
      : new InProcessQueue(logger);
    opened.push(jobs);
    // Reminders, slot-hold and payment expiry are also kept in PostgreSQL (rebuilt below).
    const timers = new DurableTimers(jobs, database.prisma, clock, logger);

    const translator = await createTranslator();
    const cipher = new FieldCipher(
      await persistedSecret(FIELD_ENCRYPTION_KEY, config.FIELD_ENCRYPTION_KEY, config.DATA_DIR),
      config.FIELD_DECRYPTION_KEYS,
    );
    if (kv instanceof MemoryStore && config.DATA_DIR)
      await kv.persistTo(join(config.DATA_DIR, 'key-value-snapshot'), cipher, (error) =>
        logger.error({ err: error }, 'could not write the key-value snapshot'),
      );
    const webLog = new WebChatLog(kv, cipher);
    const senders: Partial<Record<ChannelName, ChannelSender>> = { web: new WebChatSender(webLog) };
    const telegram = config.TELEGRAM_BOT_TOKEN
      ? new BotApi(config.TELEGRAM_BOT_TOKEN, config.TELEGRAM_API_ROOT)
      : undefined;
    if (telegram) {
      opened.push(telegram);
      senders.telegram = new TelegramSender(telegram, kv, config.TELEGRAM_MAX_PER_SECOND, logger);
    }
    const line =
      config.LINE_CHANNEL_SECRET && config.LINE_CHANNEL_ACCESS_TOKEN
        ? new LineSender(lineClient(config.LINE_CHANNEL_ACCESS_TOKEN, config.LINE_API_BASE_URL))
        : undefined;
    if (line) senders.line = line;

    const settings: FlowSettings = {
      hospitalName: config.HOSPITAL_NAME,
      hospitalPhone: config.HOSPITAL_PHONE,
      hospitalAddress: config.HOSPITAL_ADDRESS,
      hospitalCountry: config.HOSPITAL_COUNTRY,
      emergencyNumbers: config.EMERGENCY_NUMBERS,
      privacyUrl: `${config.PUBLIC_BASE_URL}/privacy`,
      hospitalTimeZone: config.HOSPITAL_TIME_ZONE,
      bookingHoldMinutes: config.BOOKING_HOLD_MINUTES,
      fees: config.CONSULTATION_FEES,
    };
    const outbox = new Outbox(kv, jobs, senders, logger);
    const intakes = new PrismaIntakeStore(database.prisma, cipher, (id) => kv.publish(INTAKE_FEED, id));
    const accounts = new StaffAccounts(database.prisma);
    if (config.NODE_ENV === 'production') await requireRealAdmin(accounts, new Date(clock.now()), logger);
    const demoStaff =
      config.DATABASE_URL || config.NODE_ENV === 'production' ? [] : await createDemoStaff(accounts);
    let listening = '';
    // Made afresh at every start and never shown: only this process writes to its hospital.
    const demoHospitalToken = config.HOSPITAL_FHIR_BASE_URL
      ? undefined
      : randomBytes(32).toString('base64url');
    const hospital = new Hospital(
      new FhirClient(config.HOSPITAL_FHIR_BASE_URL ?? (() => `${listening}/fhir/R4`), {
        bearerToken: demoHospitalToken,
      }),
    );
    // Built in the order they need each other; the patient is told through the engine, which
    // exists by the time anything is told.
    const reminders = new AppointmentReminders(
      timers,
      hospital,
      clock,
      (address, appointmentId, start, hours) =>
        engine
          .accept({
            ...address,
            dedupeKey: `reminder:${appointmentId}:${hours}h`,
            sentAt: clock.now(),
            content: { kind: 'system', name: 'booking.reminder', data: { appointmentId, start } },
          })
          .then(() => undefined),
    );

    const holds = new SlotHolds(kv, timers, clock, config.BOOKING_HOLD_MINUTES * 60_000, (address, slotId) =>
      engine
        .accept({
          ...address,
          dedupeKey: `hold-expired:${slotId}:${clock.now()}`,
          sentAt: clock.now(),
          content: { kind: 'system', name: 'booking.holdExpired', data: { slotId } },
        })
        .then(() => undefined),
    );

    const tellPatient: PaymentMessenger = (address, name, data, dedupeKey) =>
      engine
        .accept({ ...address, dedupeKey, sentAt: clock.now(), content: { kind: 'system', name, data } })
        .then(() => undefined);
    const stripe = config.STRIPE_SECRET_KEY
      ? stripeClient(config.STRIPE_SECRET_KEY, config.STRIPE_API_BASE_URL)
      : undefined;
    const testGateway = stripe
      ? undefined
      : new TestGateway(kv, clock, config.PUBLIC_BASE_URL, (notice): Promise<void> =>
          payments.accept(notice).then(() => undefined),
        );
    const gateway = stripe ? new StripeGateway(stripe) : testGateway!;
    const checkouts = new Checkouts(
      database.prisma,
      gateway,
      timers,
      holds,
      {
        fees: config.CONSULTATION_FEES,
        holdMs: config.PAYMENT_HOLD_MINUTES * 60_000,
        publicBaseUrl: config.PUBLIC_BASE_URL,
      },
      clock,
      logger,
    );
    const refunds = new Refunds(database.prisma, gateway, config.REFUND_POLICY, clock, tellPatient);

    const booking = new BookingPerformer(
      hospital,
      async (patientId) => {
        const patient = await database.prisma.patient.findUnique({ where: { id: patientId } });
        if (!patient?.fullName || !patient.birthDate || !patient.phone) return undefined;
        return {
          id: patient.id,
          fullName: patient.fullName,
          birthDate: patient.birthDate,
          phone: patient.phone,
        };
      },
      config.HOSPITAL_TIME_ZONE,
      clock,
      logger,
      { reminders, holds, checkouts, refunds },
    );
    const engine: ConversationEngine = new ConversationEngine({
      kv,
      jobs,
      flows: options.flows,
      directory: new PrismaPatientDirectory(database.prisma, database.pool),
      intakes,
      booking,
      cipher,
      translator,
      settings,
      outbox,
      logger,
      clock,
      lookupLocale: async (address) =>
        address.channel === 'line' && line ? line.profileLocale(address.channelUserId) : undefined,
    });

    const payments = new Payments({
      prisma: database.prisma,
      gateway,
      jobs: timers,
      booker: booking,
      holds,
      refunds,
      clock,
      logger,
      tell: tellPatient,
    });

    const readiness: ReadinessCheck[] = [{ name: 'database', check: () => database.ping() }];
    if (kv.kind === 'redis') readiness.push({ name: 'redis', check: () => kv.ping() });
    const secret = await persistedSecret(SESSION_SECRET, config.SESSION_SECRET, config.DATA_DIR);
    const staffSessions = new StaffSessions(kv, accounts);
    const audit = new AuditLog(database.prisma);
    if (!config.SESSION_SECRET && config.REDIS_URL) {
      logger.warn('SESSION_SECRET is not set: web chat sessions work only on this instance');
    }

    const app = await buildServer({
      logger,
      metrics: createMetricsRegistry(),
      readiness,
      trustProxy: config.TRUST_PROXY,
      metricsAccess: { token: config.METRICS_TOKEN, production: config.NODE_ENV === 'production' },
      features: [
        // Cookies matter only to the web chat: parsing them on every webhook would be waste.
        (server) =>
          server.register(async (web) => {
            await web.register(cookie, { secret });
            registerWebChat(web, {
              engine,
              log: webLog,
              kv,
              translator,
              hospitalName: config.HOSPITAL_NAME,
              consentVersion: options.consentVersion,
              secureCookies: config.PUBLIC_BASE_URL.startsWith('https://'),
            });
          }),
        (server) =>
          server.register(async (scope) => {
            await registerConsole(scope, {
              accounts,
              sessions: staffSessions,
              signInThrottle: new SignInThrottle(kv, clock, {
                accountFreeFailures: config.STAFF_MAX_FAILED_LOGINS,
                addressFreeFailures: config.STAFF_MAX_FAILED_LOGINS * ADDRESS_FAILURES_PER_ACCOUNT,
                maxWaitMs: config.STAFF_LOCKOUT_MINUTES * 60_000,
              }),
              audit,
              intakes,
              hospital,
              hospitalTimeZone: config.HOSPITAL_TIME_ZONE,
              engine,
              payments,
              kv,
              translator,
              clock,
              cookieSecret: secret,
              secureCookies: config.PUBLIC_BASE_URL.startsWith('https://'),
              hospitalName: config.HOSPITAL_NAME,
              emergencyNumber: emergencyNumberFor(
                undefined,
                config.EMERGENCY_NUMBERS,
                config.HOSPITAL_COUNTRY,
              ),
            });
          }),
        (server) => {
          if (!demoHospitalToken) return;
          const signer = new cookie.Signer(secret);
          registerDemoHospital(
            server,
            () =>
              DemoHospital.open({
                pool: database.pool,
                timeZone: config.HOSPITAL_TIME_ZONE,
                now: new Date(clock.now()),
                departmentNames: (department) =>
                  Object.fromEntries(
                    SUPPORTED_LOCALES.map((locale) => [
                      locale,
                      translator.getFixedT(locale, 'triage')(`department.${department}`),
                    ]),
                  ),
              }),
            () => new Date(clock.now()),
            {
              internalToken: demoHospitalToken,
              apiKeys: new ApiKeys(database.prisma),
              sessions: staffSessions,
              audit,
              unsignCookie: (raw) => {
                const result = signer.unsign(raw);
                return result.valid ? (result.value ?? undefined) : undefined;
              },
            },
          );
        },
        (server) =>
          registerPaymentPages(server, {
            translator,
            testGateway,
            production: config.NODE_ENV === 'production',
          }),
        async (server) => {
          if (stripe && config.STRIPE_WEBHOOK_SECRET)
            await registerStripeWebhook(server, stripe, config.STRIPE_WEBHOOK_SECRET, payments);
        },
        (server) => {
          if (telegram && config.TELEGRAM_MODE === 'webhook') {
            registerTelegramWebhook(server, engine, config.TELEGRAM_WEBHOOK_SECRET ?? '');
          }
        },
        async (server) => {
          if (line && config.LINE_CHANNEL_SECRET)
            await registerLineWebhook(server, engine, config.LINE_CHANNEL_SECRET);
        },
      ],
    });
    await app.listen({ port: options.port ?? config.PORT, host: config.HOST });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;

    listening = `http://127.0.0.1:${port}`;
    await outbox.start();
    await engine.start();
    await timers.rebuild();
    if (kv instanceof RedisStore)
      // The periodic sweeps' next runs were queued in Redis too: schedule them again.
      await kv.watchForDataLoss(async () => {
        await outbox.start();
        await engine.start();
        await timers.rebuild();
      }, logger);
    const stopPolling =
      telegram && config.TELEGRAM_MODE === 'polling' && config.TELEGRAM_BOT_TOKEN
        ? await startTelegramPolling(config.TELEGRAM_BOT_TOKEN, config.TELEGRAM_API_ROOT, engine, logger)
        : undefined;

    return {
      app,
      url: `http://127.0.0.1:${port}`,
      database,
      kv,
      jobs,
      engine,
      webLog,
      logger,
      channels: (['web', 'telegram', 'line'] as const).filter((channel) => senders[channel]),
      demoStaff,
      demoHospitalToken,
      hospital,
      payments,
      holds,
      async close() {
        await stopPolling?.();
        await app.close();
        await engine.idle();
        await outbox.idle();
        await jobs.close();
        await telegram?.close();
        await kv.close();
        await database.close();
      },
    };
  } catch (error) {
    for (const resource of opened.reverse()) await resource.close().catch(() => undefined);
    throw error;
  }
}

/**
 * The embedded default has no way to add staff before it runs, so it makes a demo admin and
 * nurse with fresh passwords at every start (printed by main.ts). Never with DATABASE_URL.
 */
async function createDemoStaff(accounts: StaffAccounts): Promise<Frontdoor['demoStaff']> {
  const demo = [
    { email: 'admin@frontdoor.local', role: 'admin' as const, displayName: 'Demo admin' },
    { email: 'nurse@frontdoor.local', role: 'nurse' as const, displayName: 'Demo nurse' },
  ];
  return Promise.all(
    demo.map(async ({ email, role, displayName }) => {
      const password = randomBytes(12).toString('base64url');
      await accounts.upsert({ email, displayName, roles: [role], password });
      return { email, password, role };
    }),
  );
}

/** A client address (a ward behind NAT) may fail this many times an account's allowance. */
const ADDRESS_FAILURES_PER_ACCOUNT = 4;

/**
 * Production has no demo accounts: any left from a demo run on the same data directory are
 * disabled (their passwords were printed), and someone must have created a real admin.
 */
async function requireRealAdmin(accounts: StaffAccounts, now: Date, logger: Logger): Promise<void> {
  for (const email of DEMO_STAFF_EMAILS) {
    if ((await accounts.disable(email, now)) === 'disabled')
      logger.warn({ email }, 'demo account disabled (NODE_ENV=production)');
  }
  if (!(await accounts.hasAdmin())) {
    throw new Error(
      `no admin account, and NODE_ENV=production creates no demo accounts: create one with printf '%s\\n' "$PASSWORD" | npm run staff:add -- --email <you@hospital> --role admin`,
    );
  }
}

async function connectRedisStore(url: string, keyPrefix: string, logger: Logger): Promise<RedisStore> {
  try {
    return await RedisStore.connect(url, `${keyPrefix}:`, logger);
  } catch (error) {
    throw new Error(`cannot reach Redis at REDIS_URL: ${(error as Error).message}`);
  }
}
