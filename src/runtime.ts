// Composition of one Frontdoor instance: storage, key-value store, job queue, conversation
// engine, channels and HTTP server, chosen from the settings (real services when configured,
// embedded twins otherwise). The parts are built in src/runtime/ and src/channels/index.ts.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ChannelInbox } from './channels/channel.ts';
import { enabledChannels, webChatLogOf, type WebChatLog } from './channels/index.ts';
import { systemClock, type TimerClock } from './clock.ts';
import { isProduction, type Config } from './config.ts';
import { ConversationEngine } from './conversation/engine.ts';
import { effectHandlers } from './features/index.ts';
import { registerCheckInQr } from './features/queue/qr-route.ts';
import { queueFlowSettings } from './features/queue/settings.ts';
import type { FlowRegistry, FlowSettings } from './conversation/flow.ts';
import type { ChannelName } from './conversation/message.ts';
import { Outbox } from './conversation/outbox.ts';
import { createTranslator } from './i18n/locales.ts';
import type { Hospital } from './integrations/fhir/hospital.ts';
import type { SlotHolds } from './integrations/fhir/slot-holds.ts';
import type { Payments } from './integrations/stripe/payments.ts';
import type { JobQueue } from './jobs/job-queue.ts';
import { createLogger } from './logging.ts';
import { openBackends, rescheduleOnDataLoss } from './runtime/backends.ts';
import { wireBroadcasts } from './runtime/broadcasts.ts';
import { channelRoutes, staffAndPaymentRoutes } from './runtime/http.ts';
import { wireIntegrations } from './runtime/integrations.ts';
import { wireQueue } from './runtime/queue.ts';
import { createDemoStaff, requireRealAdmin, type DemoStaff } from './runtime/staff.ts';
import { AuditLog } from './security/audit-log.ts';
import type { CheckInTokens } from './security/checkin-token.ts';
import { SESSION_SECRET, persistedSecret } from './security/persisted-secret.ts';
import { StaffAccounts } from './security/staff-accounts.ts';
import { StaffSessions } from './security/staff-sessions.ts';
import { INTAKE_FEED } from './server/console/routes.ts';
import { buildServer } from './server/app.ts';
import type { ReadinessCheck } from './server/health.ts';
import { createMetricsRegistry } from './server/metrics.ts';
import type { Database } from './storage/database.ts';
import type { Broadcasts } from './domain/broadcasts.ts';
import type { PrismaQueue } from './storage/prisma-queue.ts';
import type { PushBudget } from './storage/queue-push-budget.ts';
import type { KeyValueStore } from './storage/kv/key-value-store.ts';
import { PrismaIntakeStore } from './storage/prisma-intake-store.ts';
import { PrismaPatientDirectory } from './storage/prisma-patient-directory.ts';

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
  /** The hospital's queues. */
  queue: PrismaQueue;
  /** Signed check-in and live-ticket links. */
  checkInTokens: CheckInTokens;
  /** Pushes per channel this month against CHANNEL_PUSH_BUDGETS. */
  pushes: PushBudget;
  /** Hospital broadcasts: audiences, sending (delivered by this instance's worker), reports. */
  broadcasts: Broadcasts;
  /** The bearer token Frontdoor's own client sends to the built-in hospital (none with HOSPITAL_FHIR_BASE_URL). */
  demoHospitalToken?: string;
  /** Embedded default only: console accounts made up at start, to be printed. */
  demoStaff: DemoStaff;
  /**
   * Resolves once the conversations, deliveries and (in-process runner) jobs this process
   * started have finished (tests).
   */
  idle(): Promise<void>;
  /** Stops taking requests, drains jobs and closes every connection. */
  close(): Promise<void>;
}

export interface StartOptions {
  /** The conversation flows (main.ts hands over flows/; tests may hand a scripted one). */
  flows: FlowRegistry;
  /** Version of the consent text the flows show, for the privacy page. */
  consentVersion: string;
  logger?: Logger;
  /** The instance's time; the in-process job runner also sets its timers on it. */
  clock?: TimerClock;
  /** Namespace for Redis keys and queues instead of REDIS_KEY_PREFIX (tests: one per run). */
  keyPrefix?: string;
  /** Listen on this port instead of config.PORT (tests use 0). */
  port?: number;
  /** Average time between two messages to one chat where a channel paces them (tests shorten the platform's). */
  perChatIntervalMs?: number;
}

/** Starts one instance from validated settings. */
export async function startFrontdoor(config: Config, options: StartOptions): Promise<Frontdoor> {
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const clock = options.clock ?? systemClock;
  const keyPrefix = options.keyPrefix ?? config.REDIS_KEY_PREFIX;
  const opened: { close(): Promise<void> }[] = [];
  try {
    const { database, kv, jobs, timers, cipher } = await openBackends(
      config,
      keyPrefix,
      clock,
      logger,
      opened,
    );
    const translator = await createTranslator();
    const secret = await persistedSecret(SESSION_SECRET, config.SESSION_SECRET, config.DATA_DIR);
    if (!config.SESSION_SECRET && config.REDIS_URL) {
      logger.warn('SESSION_SECRET is not set: web chat sessions work only on this instance');
    }

    const metrics = createMetricsRegistry();
    const channels = enabledChannels({
      metrics,
      config,
      kv,
      cipher,
      translator,
      logger,
      clock,
      consentVersion: options.consentVersion,
      cookieSecret: secret,
      perChatIntervalMs: options.perChatIntervalMs,
    });
    for (const channel of channels) if (channel.close) opened.push({ close: () => channel.close!() });
    const byName = new Map(channels.map((channel) => [channel.name, channel]));
    const outbox = new Outbox(
      kv,
      jobs,
      Object.fromEntries(channels.map((channel) => [channel.name, channel.sender])),
      logger,
    );

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
    const intakes = new PrismaIntakeStore(database.prisma, cipher, (id) => kv.publish(INTAKE_FEED, id));
    const accounts = new StaffAccounts(database.prisma);
    if (isProduction(config)) await requireRealAdmin(accounts, new Date(clock.now()), logger);
    const demoStaff =
      config.DATABASE_URL || isProduction(config) ? [] : await createDemoStaff(accounts, config.DATA_DIR);
    let listening = '';
    const integrations = wireIntegrations({
      config,
      database,
      kv,
      timers,
      clock,
      logger,
      selfUrl: () => listening,
      // The engine exists by the time anything is told.
      conversations: { notify: (address, event, dedupeKey) => engine.notify(address, event, dedupeKey) },
    });
    const { queue, checkInTokens, pushes } = wireQueue({
      config,
      database,
      kv,
      cipher,
      hospital: integrations.hospital,
      clock,
      logger,
      metrics,
      channels: channels.map((channel) => channel.name),
      conversations: { notify: (address, event, dedupeKey) => engine.notify(address, event, dedupeKey) },
    });
    settings.queue = queueFlowSettings(config.QUEUE_DEPARTMENTS, checkInTokens);
    const { broadcasts, delivery } = wireBroadcasts({
      config,
      database,
      kv,
      jobs,
      cipher,
      hospital: integrations.hospital,
      translator,
      channels,
      clock,
      logger,
    });
    const directory = new PrismaPatientDirectory(database.prisma, database.pool);
    const engine: ConversationEngine = new ConversationEngine({
      kv,
      jobs,
      timers,
      flows: options.flows,
      effects: effectHandlers({
        directory,
        intakes,
        booking: integrations.booking,
        payments: integrations.payments,
        queue,
        checkInTokens,
      }),
      findPatient: (address) => directory.findByChannel(address),
      cipher,
      translator,
      settings,
      outbox,
      logger,
      clock,
      lookupLocale: async (address) => byName.get(address.channel)?.lookupLocale?.(address.channelUserId),
    });
    const inbox: ChannelInbox = engine;

    const readiness: ReadinessCheck[] = [{ name: 'database', check: () => database.ping() }];
    if (kv.kind === 'redis') readiness.push({ name: 'redis', check: () => kv.ping() });
    const app = await buildServer({
      logger,
      metrics,
      readiness,
      trustProxy: config.TRUST_PROXY,
      metricsAccess: { token: config.METRICS_TOKEN, production: isProduction(config) },
      features: [
        ...channelRoutes(channels, inbox),
        (server) =>
          registerCheckInQr(server, { tokens: checkInTokens, publicBaseUrl: config.PUBLIC_BASE_URL }),
        ...staffAndPaymentRoutes({
          config,
          database,
          kv,
          clock,
          translator,
          engine,
          intakes,
          accounts,
          sessions: new StaffSessions(kv, accounts),
          audit: new AuditLog(database.prisma),
          integrations,
          queue,
          checkInTokens,
          cookieSecret: secret,
          metrics,
          cipher,
          broadcasts,
        }),
      ],
    });
    await app.listen({ port: options.port ?? config.PORT, host: config.HOST });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;

    listening = `http://127.0.0.1:${port}`;
    const startSweeps = async () => {
      await outbox.start();
      await engine.start();
      await timers.rebuild();
      // Broadcasts a stopped (or killed) instance was delivering go on.
      await delivery.resume();
    };
    await startSweeps();
    await rescheduleOnDataLoss(kv, startSweeps, logger);
    for (const channel of channels) await channel.start?.(inbox);

    return {
      app,
      url: `http://127.0.0.1:${port}`,
      database,
      kv,
      jobs,
      engine,
      webLog: webChatLogOf(channels),
      logger,
      channels: channels.map((channel) => channel.name),
      demoStaff,
      demoHospitalToken: integrations.demoHospitalToken,
      hospital: integrations.hospital,
      payments: integrations.payments,
      holds: integrations.holds,
      queue,
      checkInTokens,
      pushes,
      broadcasts,
      async idle() {
        // Effect jobs (a hold's timer being set) start conversations and conversations queue
        // jobs: settled only once a round finds no job running.
        for (let jobsRan = true; jobsRan;) {
          await engine.idle();
          jobsRan = (await jobs.idle?.()) ?? false;
          await outbox.idle();
        }
        await engine.idle();
      },
      async close() {
        for (const channel of channels) await channel.stop?.();
        await app.close();
        await engine.idle();
        await outbox.idle();
        // Calls in flight end and are settled; what is left is for the next run.
        delivery.stop();
        await jobs.close();
        for (const channel of channels) await channel.close?.();
        await kv.close();
        await database.close();
      },
    };
  } catch (error) {
    for (const resource of opened.reverse()) await resource.close().catch(() => undefined);
    throw error;
  }
}
