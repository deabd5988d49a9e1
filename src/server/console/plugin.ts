// What a console plugin is: a Fastify plugin for one concern's API routes, with the permissions
// it checks and the roles that hold them. Features bring their own (src/features/*/console.ts);
// sign-in, staff, audit and the live stream are the console's own (this folder).
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { i18n } from 'i18next';
import type { Clock } from '../../clock.ts';
import type { ConversationNotifier } from '../../conversation/notifier.ts';
import type { Broadcasts } from '../../domain/broadcasts.ts';
import type { IntakeDesk } from '../../domain/intakes.ts';
import type { CheckInResult, QueueDesk } from '../../domain/queue.ts';
import type { Hospital } from '../../integrations/fhir/hospital.ts';
import type { Payments } from '../../integrations/stripe/payments.ts';
import type { AuditLog } from '../../security/audit-log.ts';
import type { CheckInTokens } from '../../security/checkin-token.ts';
import type { Role, StaffAccounts } from '../../security/staff-accounts.ts';
import type { KeyValueStore } from '../../storage/kv/key-value-store.ts';
import type { Locale } from '../../i18n/locales.ts';
import { errors } from '../errors.ts';
import type { ConsoleEvent } from './events.ts';

/** What the console's plugins are built from (the runtime's services). */
export interface ConsoleDeps {
  accounts: StaffAccounts;
  audit: AuditLog;
  intakes: IntakeDesk;
  hospital: Hospital;
  /** Zone in which appointment times are shown to staff. */
  hospitalTimeZone: string;
  /** Tells a patient's conversation what the console did (ordered with everything else they get). */
  engine: ConversationNotifier;
  payments: Payments;
  /** The hospital's queues (boards, call next, recall, no-show, transfer, done). */
  queue: QueueDesk;
  /** Signed check-in and live-ticket links (the kiosk reads a scanned one). */
  checkInTokens: CheckInTokens;
  /** QUEUE_MAX_RECALLS: recalls before a called ticket may be marked a no-show. */
  queueMaxRecalls?: number;
  /** Hospital broadcasts: the composer's count, sending, reports. */
  broadcasts?: Broadcasts;
  /** The hospital's language (hospitalLocale(HOSPITAL_COUNTRY)): a notice's fallback text. */
  hospitalLocale?: Locale;
  /** HOSPITAL_NAME, as patients see it (a notice's first line names it). */
  hospitalName?: string;
  /** Checks an appointment's patient in as the check-in page does (and tells their chat). */
  checkInByLink?(appointmentId: string): Promise<CheckInResult | undefined>;
  kv: KeyValueStore;
  translator: i18n;
  clock: Clock;
  /** The hospital country's emergency number, shown in the template previews. */
  emergencyNumber?: string;
}

/** Who may do what: each plugin names its permissions and the roles that hold them. */
export type Permissions<P extends string = string> = Record<P, readonly Role[]>;

/**
 * A live feed: messages published on a KeyValueStore channel, turned into typed events for the
 * console's stream. Only staff holding `roles` receive them.
 */
export interface ConsoleFeed {
  channel: string;
  roles: readonly Role[];
  toEvent(message: string, deps: ConsoleDeps): Promise<ConsoleEvent | undefined>;
}

export interface ConsolePlugin<P extends string = string> {
  name: string;
  permissions: Permissions<P>;
  /** Registered inside the console's scope (sessions, CSRF and the audit helper in place). */
  routes: FastifyPluginAsync<ConsoleDeps>;
  feeds?: ConsoleFeed[];
  /** Texts for this plugin's codes in the staff member's language, merged into /me's labels. */
  labels?(deps: ConsoleDeps, locale: Locale): Record<string, unknown>;
}

/** Declares a plugin; the helper only keeps `P` tied between permissions and routes. */
export const consolePlugin = <P extends string>(plugin: ConsolePlugin<P>): ConsolePlugin<P> => plugin;

/** Route options that refuse a request unless a signed-in staff member holds `permission`. */
export function guards<P extends string>(app: FastifyInstance, permissions: Permissions<P>) {
  const allow = (permission?: P) => async (request: FastifyRequest) => {
    const staff = request.staff;
    if (!staff) throw errors.unauthorized('sign in to the console first');
    if (permission && !staff.roles.some((role) => permissions[permission].includes(role))) {
      throw errors.forbidden(`your role does not have the ${permission} permission`);
    }
  };
  // The plugin's hook reads no `this`; bound anyway so the lint rule holds.
  const checkCsrf = app.csrfProtection.bind(app);
  return {
    allow,
    /** For state-changing requests: a CSRF token as well. */
    changing: (permission?: P) => ({ onRequest: checkCsrf, preHandler: allow(permission) }),
    checkCsrf,
  };
}

/** Writes an audit row for what the signed-in staff member (or nobody yet) did. */
export const recorder =
  (audit: AuditLog) =>
  (
    request: FastifyRequest,
    action: string,
    subjectType: string,
    subjectId: string,
    detail?: Record<string, string | number | boolean>,
  ) =>
    audit.record({
      actorId: request.staff?.id ?? null,
      actorLabel: request.staff?.email ?? 'anonymous',
      action,
      subjectType,
      subjectId,
      ip: request.ip,
      detail,
    });

export function staffId(request: FastifyRequest): string {
  if (!request.staff) throw errors.unauthorized();
  return request.staff.id;
}

const uuid = { type: 'string', format: 'uuid' } as const;
export const idParams = { type: 'object', required: ['id'], properties: { id: uuid } } as const;

export const objectSchema = (properties: Record<string, unknown>, required: string[] = []) => ({
  type: 'object',
  additionalProperties: false,
  required,
  properties,
});

/** The staff member's display time for a moment, in the hospital's zone. */
export const staffTime = (timeZone: string, style: 'medium' | 'full' = 'medium') => {
  const format = new Intl.DateTimeFormat('en-GB', { timeZone, dateStyle: style, timeStyle: 'short' });
  return (at: Date) => format.format(at);
};
