// The broadcast composer's console API: who an audience reaches (count), sending once per
// compose (the page's idempotency key), past broadcasts and one report, cancelling, and the
// live progress feed. Operators and admins only; every read and action is audited, every POST
// carries the CSRF token. The work itself is the Broadcasts service (ConsoleDeps.broadcasts).
import type { FastifyRequest } from 'fastify';
import {
  BROADCAST_FEED,
  MAX_BROADCAST_TEXT,
  hospitalLocale,
  type Audience,
  type Broadcasts,
} from '../../domain/broadcasts.ts';
import { DEPARTMENTS } from '../../domain/triage.ts';
import { SUPPORTED_LOCALES, type Locale } from '../../i18n/locales.ts';
import { errors } from '../../server/errors.ts';
import {
  consolePlugin,
  guards,
  idParams,
  objectSchema,
  recorder,
  type ConsoleDeps,
  type ConsoleFeed,
  type Permissions,
} from '../../server/console/plugin.ts';
import { noticeFrame, type NoticeFrame } from './delivery-notice.ts';
import {
  hospitalToday,
  InvalidBroadcast,
  MAX_DAYS_AHEAD,
  validateAudience,
  validateBroadcastTexts,
} from './service.ts';

const permissions = {
  'broadcasts:read': ['operator', 'admin'],
  'broadcasts:send': ['operator', 'admin'],
} as const satisfies Permissions;

/** The desk's checks (the hospital API makes the same), refused as a 400 in the catalogue's shape. */
function checked<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof InvalidBroadcast) throw errors.badRequest(error.message);
    throw error;
  }
}

/** The same for what the service refuses once it has looked (a key it cannot keep). */
const refused = (error: unknown): never => {
  if (error instanceof InvalidBroadcast) throw errors.badRequest(error.message);
  throw error;
};

const body = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
const sendBody = objectSchema(
  {
    audience: { type: 'object' },
    texts: { type: 'object' },
    idempotencyKey: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{8,128}$' },
  },
  ['audience', 'texts', 'idempotencyKey'],
);
const countBody = objectSchema({ audience: { type: 'object' } }, ['audience']);
const departmentParams = {
  type: 'object',
  required: ['department'],
  properties: { department: { type: 'string', enum: [...DEPARTMENTS] } },
} as const;

/** The audience in the audit log: its kind and choices, never who is in it. */
const audienceDetail = (audience: Audience): Record<string, string> => ({
  audience: audience.kind,
  ...(audience.kind === 'appointments' ? { date: audience.date } : {}),
  ...('department' in audience && audience.department ? { department: audience.department } : {}),
  ...(audience.kind === 'appointments' && audience.doctor ? { doctor: audience.doctor } : {}),
});

/** The hospital's day, wherever the browser is: the first an appointments audience may name. */
const today = (deps: ConsoleDeps) => hospitalToday(deps.clock, deps.hospitalTimeZone);

const service = (deps: ConsoleDeps): Broadcasts => {
  if (!deps.broadcasts) throw errors.unavailable('broadcasts are not set up on this instance');
  return deps.broadcasts;
};

/** Each delivery step of a broadcast, as its report now, to the roles that send broadcasts. */
export const broadcastFeed: ConsoleFeed = {
  channel: BROADCAST_FEED,
  roles: permissions['broadcasts:read'],
  toEvent: async (message, deps) => {
    const report = await deps.broadcasts?.report(message);
    return report && { type: 'broadcast.progress', report };
  },
};

/**
 * What the composer shows besides its own texts: each language's heading and footers (the
 * preview frames the text as delivery does), the hospital's language.
 */
export const broadcastLabels = (deps: ConsoleDeps) => ({
  broadcasts: {
    frames: Object.fromEntries(
      SUPPORTED_LOCALES.map((locale) => [
        locale,
        noticeFrame(deps.translator, deps.hospitalName ?? '', locale),
      ]),
    ) as Record<Locale, NoticeFrame>,
    hospitalLocale: deps.hospitalLocale ?? hospitalLocale(''),
    /** "Today" for the appointments audience is the hospital's day, wherever the browser is. */
    timeZone: deps.hospitalTimeZone,
    maxText: MAX_BROADCAST_TEXT,
    /** The last appointments day the server accepts, counted from the hospital's today. */
    maxDaysAhead: MAX_DAYS_AHEAD,
  },
});
export type BroadcastLabels = ReturnType<typeof broadcastLabels>;

export const broadcastsConsole = consolePlugin({
  name: 'broadcasts',
  permissions,
  feeds: [broadcastFeed],
  labels: (deps) => broadcastLabels(deps),
  routes: async (app, deps) => {
    const { allow, changing } = guards(app, permissions);
    const record = recorder(deps.audit);
    const sender = (request: FastifyRequest) => {
      if (!request.staff) throw errors.unauthorized();
      return { kind: 'staff' as const, staffId: request.staff.id, label: request.staff.email };
    };

    app.post(
      '/console/api/broadcasts/count',
      { ...changing('broadcasts:read'), schema: { body: countBody } },
      async (request) => {
        const audience = checked(() => validateAudience(body(request.body).audience, today(deps)));
        const count = await service(deps).count(audience).catch(refused);
        await record(request, 'broadcast.count', 'broadcast', '*', {
          ...audienceDetail(audience),
          total: count.total,
        });
        return count;
      },
    );

    app.post(
      '/console/api/broadcasts',
      { ...changing('broadcasts:send'), schema: { body: sendBody } },
      async (request, reply) => {
        const asked = body(request.body);
        const audience = checked(() => validateAudience(asked.audience, today(deps)));
        const texts = checked(() => validateBroadcastTexts(asked.texts));
        const sent = await service(deps)
          .send({
            audience,
            texts,
            idempotencyKey: String(asked.idempotencyKey),
            sender: sender(request),
          })
          .catch(refused);
        await record(request, 'broadcast.send', 'broadcast', sent.id, {
          ...audienceDetail(audience),
          languages: Object.keys(texts).join(','),
          recipients: sent.recipients,
          created: sent.created,
        });
        return reply.code(sent.created ? 202 : 200).send(sent);
      },
    );

    app.get('/console/api/broadcasts', { preHandler: allow('broadcasts:read') }, async (request) => {
      const broadcasts = await service(deps).list(50);
      await record(request, 'broadcast.list', 'broadcast', '*', { count: broadcasts.length });
      return { broadcasts };
    });

    app.get(
      '/console/api/broadcasts/doctors/:department',
      { preHandler: allow('broadcasts:read'), schema: { params: departmentParams } },
      async (request) => {
        const { department: code } = request.params as { department: string };
        const info = (await deps.hospital.departments()).find((each) => each.code === code);
        const doctors = info ? await deps.hospital.doctors(info) : [];
        await record(request, 'broadcast.doctors', 'department', code, { count: doctors.length });
        return {
          doctors: doctors.map((doctor) => ({ id: doctor.practitionerId, names: doctor.names })),
        };
      },
    );

    app.get(
      '/console/api/broadcasts/:id',
      { preHandler: allow('broadcasts:read'), schema: { params: idParams } },
      async (request) => {
        const { id } = request.params as { id: string };
        const report = await service(deps).report(id);
        if (!report) throw errors.notFound('no such broadcast');
        await record(request, 'broadcast.view', 'broadcast', id, { status: report.status });
        return { report };
      },
    );

    app.post(
      '/console/api/broadcasts/:id/cancel',
      { ...changing('broadcasts:send'), schema: { params: idParams } },
      async (request) => {
        const { id } = request.params as { id: string };
        const report = await service(deps).cancel(id);
        if (!report) throw errors.notFound('no such broadcast');
        await record(request, 'broadcast.cancel', 'broadcast', id, {
          status: report.status,
          cancelled: report.cancelled,
        });
        return { report };
      },
    );
  },
});
