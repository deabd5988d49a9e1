// What the HTTP server serves beside health and metrics: each enabled channel's routes, the
// staff console, the built-in hospital, the payment pages and the Stripe webhook.
import cookie from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';
import type { i18n } from 'i18next';
import type { Channel, ChannelInbox } from '../channels/channel.ts';
import type { Registry } from 'prom-client';
import type { Clock } from '../clock.ts';
import { isProduction, type Config } from '../config.ts';
import type { ConversationEngine } from '../conversation/engine.ts';
import { hospitalLocale, type Broadcasts } from '../domain/broadcasts.ts';
import { emergencyNumberFor } from '../domain/red-flags.ts';
import { checkInByLink } from '../features/queue/check-in-link.ts';
import { registerQueuePages } from '../features/queue/pages.ts';
import { DEFAULT_LOCALE, SUPPORTED_LOCALES, resolveLocale } from '../i18n/locales.ts';
import { DemoHospital, registerDemoHospital } from '../integrations/fhir/demo-hospital.ts';
import type { ContentSealer } from '../integrations/fhir/persistent-repository.ts';
import { registerStripeWebhook } from '../integrations/stripe/webhook.ts';
import { ApiKeys } from '../security/api-keys.ts';
import type { AuditLog } from '../security/audit-log.ts';
import { SignInThrottle } from '../security/sign-in-throttle.ts';
import type { StaffAccounts } from '../security/staff-accounts.ts';
import type { StaffSessions } from '../security/staff-sessions.ts';
import { registerHospitalApi } from '../server/api/index.ts';
import { registerConsole } from '../server/console/routes.ts';
import { registerPaymentPages } from '../server/payment-pages.ts';
import type { QueueDesk } from '../domain/queue.ts';
import type { CheckInTokens } from '../security/checkin-token.ts';
import type { Database } from '../storage/database.ts';
import type { KeyValueStore } from '../storage/kv/key-value-store.ts';
import type { PrismaIntakeStore } from '../storage/prisma-intake-store.ts';
import type { Integrations } from './integrations.ts';

type ServerFeature = (app: FastifyInstance) => Promise<void> | void;

/** A client address (a ward behind NAT) may fail this many times an account's allowance. */
const ADDRESS_FAILURES_PER_ACCOUNT = 4;

/** Each enabled channel's inbound routes, each in its own scope. */
export function channelRoutes(channels: Channel[], inbox: ChannelInbox): ServerFeature[] {
  return channels.flatMap((channel) => {
    const routes = channel.routes?.(inbox);
    if (!routes) return [];
    return [
      async (app: FastifyInstance) => {
        await app.register(routes);
      },
    ];
  });
}

export interface ConsoleParts {
  config: Config;
  database: Database;
  kv: KeyValueStore;
  clock: Clock;
  translator: i18n;
  engine: ConversationEngine;
  intakes: PrismaIntakeStore;
  accounts: StaffAccounts;
  sessions: StaffSessions;
  audit: AuditLog;
  integrations: Integrations;
  queue: QueueDesk;
  checkInTokens: CheckInTokens;
  cookieSecret: string;
  /** The instance's metrics (sign-in refusals are counted there). */
  metrics?: Registry;
  /** Seals what the built-in hospital stores. */
  cipher: ContentSealer;
  /** Hospital broadcasts (the console's composer and the API's /api/v1/broadcasts), when delivered. */
  broadcasts?: Broadcasts;
}

/** How old a triage may be and still rank a check-in by link (the chat's state carries its own). */
const TRIAGE_RECENT_DAYS = 30;

/** The staff console, the built-in hospital, the payment pages and the Stripe webhook. */
export function staffAndPaymentRoutes(parts: ConsoleParts): ServerFeature[] {
  const { config, database, kv, clock, translator, engine, intakes, accounts, audit } = parts;
  const { hospital, payments, stripe, testGateway, demoHospitalToken } = parts.integrations;
  const secret = parts.cookieSecret;
  // A check-in link opened outside the chat (the check-in page, the kiosk): the patient's
  // language for their ticket is the one they chat in.
  const linkCheckIn = checkInByLink({
    hospital,
    queue: parts.queue,
    localeOf: async (patientId) => {
      const patient = await database.prisma.patient.findUnique({
        where: { id: patientId },
        select: { locale: true },
      });
      return resolveLocale(patient?.locale);
    },
    // One indexed row, its clear `acuity` column only (nothing decrypted): the latest intake of
    // the last TRIAGE_RECENT_DAYS, so a triage of months ago does not rank today's visit.
    acuityOf: async (patientId) => {
      const since = new Date(clock.now() - TRIAGE_RECENT_DAYS * 24 * 60 * 60_000);
      const latest = await database.prisma.intake.findFirst({
        where: { patientId, createdAt: { gte: since } },
        orderBy: { createdAt: 'desc' },
        select: { acuity: true },
      });
      return latest?.acuity;
    },
    fallbackLocale: DEFAULT_LOCALE,
  });
  return [
    (server) =>
      server.register(async (scope) => {
        await registerConsole(scope, {
          accounts,
          sessions: parts.sessions,
          signInThrottle: new SignInThrottle(
            kv,
            clock,
            {
              accountFreeFailures: config.STAFF_MAX_FAILED_LOGINS,
              addressFreeFailures: config.STAFF_MAX_FAILED_LOGINS * ADDRESS_FAILURES_PER_ACCOUNT,
              maxWaitMs: config.STAFF_LOCKOUT_MINUTES * 60_000,
            },
            parts.metrics,
          ),
          audit,
          intakes,
          hospital,
          hospitalTimeZone: config.HOSPITAL_TIME_ZONE,
          engine,
          payments,
          queue: parts.queue,
          broadcasts: parts.broadcasts,
          checkInTokens: parts.checkInTokens,
          queueMaxRecalls: config.QUEUE_MAX_RECALLS,
          checkInByLink: linkCheckIn,
          kv,
          translator,
          clock,
          cookieSecret: secret,
          secureCookies: config.PUBLIC_BASE_URL.startsWith('https://'),
          hospitalName: config.HOSPITAL_NAME,
          emergencyNumber: emergencyNumberFor(undefined, config.EMERGENCY_NUMBERS, config.HOSPITAL_COUNTRY),
          hospitalLocale: hospitalLocale(config.HOSPITAL_COUNTRY),
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
            cipher: parts.cipher,
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
          apiKeys: new ApiKeys(database.prisma, clock),
          sessions: parts.sessions,
          audit,
          unsignCookie: (raw) => {
            const result = signer.unsign(raw);
            return result.valid ? (result.value ?? undefined) : undefined;
          },
        },
      );
    },
    // The hospital API (/api/v1: queues, and broadcasts when this instance delivers them) and
    // its OpenAPI document and page (/api/docs).
    (server) =>
      registerHospitalApi(server, {
        apiKeys: new ApiKeys(database.prisma, clock),
        audit,
        kv,
        ratePerMinute: config.API_RATE_LIMIT,
        queue: parts.queue,
        broadcasts: parts.broadcasts,
      }),
    (server) =>
      registerPaymentPages(server, {
        translator,
        testGateway,
        production: isProduction(config),
      }),
    async (server) => {
      if (stripe && config.STRIPE_WEBHOOK_SECRET)
        await registerStripeWebhook(server, stripe, config.STRIPE_WEBHOOK_SECRET, payments);
    },
    // The queue's public pages: waiting-room displays, check-in and live-ticket pages, /kiosk.
    (server) =>
      registerQueuePages(server, {
        queue: parts.queue,
        kv,
        translator,
        links: parts.checkInTokens,
        hospitalName: config.HOSPITAL_NAME,
        hospitalCountry: config.HOSPITAL_COUNTRY,
        hospitalTimeZone: config.HOSPITAL_TIME_ZONE,
        appointment: (id) => hospital.appointment(id),
        checkIn: linkCheckIn,
        checkInWindow: config.CHECKIN_WINDOW_MINUTES,
        now: () => clock.now(),
      }),
  ];
}
