// The hospital API's broadcasts, for the hospital's own systems: send one notice to everyone with
// an appointment on a day, in a department's queue today, or subscribed to hospital notices; read
// how far its delivery got; cancel what was not sent. Behind API keys with the `broadcasts`
// scope. The same idempotencyKey again answers the broadcast it made (200 instead of 202), so a
// system that lost the answer may post again without telling anyone twice; the same key with a
// different audience or text is a 409, not a silent reuse.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  MAX_BROADCAST_TEXT,
  type Audience,
  type BroadcastReport,
  type Broadcasts,
  type BroadcastTexts,
  type DeliveryCounts,
} from '../../domain/broadcasts.ts';
import { InvalidBroadcast } from '../../features/broadcasts/service.ts';
import { SUPPORTED_LOCALES } from '../../i18n/locales.ts';
import { errors } from '../errors.ts';
import { departmentSchema, refusals, security } from './schemas.ts';

export interface BroadcastApiDeps {
  broadcasts: Broadcasts;
}

interface SendBody {
  audience: Audience;
  text: BroadcastTexts;
  idempotencyKey: string;
}

const kind = (name: string, description: string) => ({ type: 'string', const: name, description });

const audienceSchema = {
  description: 'Who the notice goes to.',
  oneOf: [
    {
      title: 'Appointments',
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'date'],
      properties: {
        kind: kind('appointments', 'Everyone with a booked appointment on `date`.'),
        date: {
          type: 'string',
          pattern: '^\\d{4}-\\d{2}-\\d{2}$',
          format: 'date',
          description: "A day in the hospital's time zone (YYYY-MM-DD).",
          examples: ['2026-12-07'],
        },
        department: departmentSchema,
        doctor: {
          type: 'string',
          pattern: '^[A-Za-z0-9.-]{1,64}$',
          description: "The doctor's id (the hospital's Practitioner id).",
        },
      },
    },
    {
      title: 'Queue',
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'department'],
      properties: {
        kind: kind('queue', "Everyone waiting or called in the department's queue today."),
        department: departmentSchema,
      },
    },
    {
      title: 'Subscribers',
      type: 'object',
      additionalProperties: false,
      required: ['kind'],
      properties: {
        kind: kind('subscribers', 'Everyone who said yes to hospital notices and has not said stop.'),
      },
    },
  ],
} as const;

const textSchema = {
  type: 'string',
  minLength: 1,
  maxLength: MAX_BROADCAST_TEXT,
  // Not blank: a notice of spaces tells nobody anything.
  pattern: '\\S',
} as const;

const sendBody = {
  type: 'object',
  additionalProperties: false,
  required: ['audience', 'text', 'idempotencyKey'],
  examples: [
    {
      audience: { kind: 'appointments', date: '2026-12-07', department: 'cardiology' },
      text: {
        en: 'Dr Minh is running 30 minutes late today.',
        vi: 'Hôm nay bác sĩ Minh đến muộn 30 phút.',
      },
      idempotencyKey: '3f1c2a9e-5b7d-4e8f-9a0b-1c2d3e4f5a6b',
    },
  ],
  properties: {
    audience: audienceSchema,
    text: {
      description:
        "The notice in each language it was written in. Each patient gets their own language, else the hospital's, else English, else the first given.",
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: Object.fromEntries(SUPPORTED_LOCALES.map((locale) => [locale, textSchema])),
      examples: [
        { en: 'Cardiology closes at 15:00 today.', vi: 'Khoa Tim mạch đóng cửa lúc 15:00 hôm nay.' },
      ],
    },
    idempotencyKey: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      pattern: '^[\\x21-\\x7e]+$',
      description:
        'Chosen by the caller (a UUID, say), printable ASCII without spaces. The same key again answers the broadcast it made and makes no second one.',
    },
  },
} as const;

const accepted = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'recipients'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    recipients: { type: 'integer', minimum: 0, description: 'Patients the notice goes to.' },
  },
} as const;

const countProperties = {
  total: { type: 'integer', minimum: 0 },
  sent: { type: 'integer', minimum: 0 },
  failed: { type: 'integer', minimum: 0 },
  blocked: { type: 'integer', minimum: 0, description: 'The patient blocked the bot.' },
  pending: { type: 'integer', minimum: 0, description: 'Not sent yet.' },
  cancelled: { type: 'integer', minimum: 0 },
} as const;
const countsSchema = {
  type: 'object',
  additionalProperties: false,
  required: Object.keys(countProperties),
  properties: countProperties,
} as const;

const reportSchema = {
  description: 'How far the delivery got.',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'status', ...Object.keys(countProperties), 'channels', 'createdAt', 'finishedAt'],
  properties: {
    id: { type: 'string' },
    status: { type: 'string', enum: ['sending', 'done', 'cancelled'] },
    ...countProperties,
    channels: {
      description: 'The counts per channel (telegram, line, web …).',
      type: 'object',
      additionalProperties: countsSchema,
    },
    createdAt: { type: 'string', format: 'date-time' },
    finishedAt: { type: ['string', 'null'], format: 'date-time', description: 'null while sending.' },
  },
} as const;

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', format: 'uuid', description: "The broadcast's id." } },
} as const;

const counts = (c: DeliveryCounts): DeliveryCounts => ({
  total: c.total,
  sent: c.sent,
  failed: c.failed,
  blocked: c.blocked,
  pending: c.pending,
  cancelled: c.cancelled,
});

const reportBody = (report: BroadcastReport) => ({
  id: report.id,
  status: report.status,
  ...counts(report),
  channels: Object.fromEntries(Object.entries(report.channels).map(([name, c]) => [name, counts(c)])),
  createdAt: new Date(report.createdAt).toISOString(),
  finishedAt: report.finishedAt === undefined ? null : new Date(report.finishedAt).toISOString(),
});

/** The same JSON whatever the order of keys (and without undefined fields). */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );

const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

export async function registerBroadcastApi(app: FastifyInstance, deps: BroadcastApiDeps): Promise<void> {
  const { broadcasts } = deps;

  app.post<{ Body: SendBody }>(
    '/api/v1/broadcasts',
    {
      schema: {
        operationId: 'sendBroadcast',
        tags: ['broadcasts'],
        summary: 'Send a notice to an audience',
        description:
          "Finds the recipients now, keeps the broadcast and starts delivering it on each patient's channel. 202 when made; 200 with the same id when this idempotencyKey already made it (even a moment ago, even at the same time).",
        security,
        body: sendBody,
        response: {
          202: { description: 'Accepted: delivery has started.', ...accepted },
          200: { description: 'This idempotencyKey already made this broadcast.', ...accepted },
          ...refusals([400, 409, 415]),
        },
      },
      config: {
        apiScope: 'broadcasts',
        audit: { action: 'broadcast.send', subjectType: 'broadcast', subjectId: () => 'none' },
      },
    },
    async (request, reply) => {
      const { audience, text, idempotencyKey } = request.body;
      const sent = await broadcasts
        .send({
          audience,
          texts: text,
          idempotencyKey,
          sender: { kind: 'api-key', name: request.apiKey!.name },
        })
        .catch((error: unknown) => {
          // The service's own checks (the same as the console's), past what the schema says.
          throw error instanceof InvalidBroadcast ? errors.badRequest(error.message) : error;
        });
      request.auditSubject = sent.id;
      request.auditDetail = { recipients: sent.recipients, created: sent.created, idempotencyKey };
      if (!sent.created) {
        const first = await broadcasts.report(sent.id);
        if (
          first &&
          canonical({ audience: first.audience, texts: first.texts }) !== canonical({ audience, texts: text })
        )
          throw errors.conflict(
            `idempotencyKey ${idempotencyKey} already made broadcast ${sent.id} with another audience or text`,
          );
      }
      return reply
        .code(sent.created ? 202 : 200)
        .header('cache-control', 'no-store')
        .send({ id: sent.id, recipients: sent.recipients });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/broadcasts/:id',
    {
      schema: {
        operationId: 'broadcastReport',
        tags: ['broadcasts'],
        summary: "A broadcast's delivery report",
        security,
        params: idParams,
        response: { 200: reportSchema, ...refusals([400, 404]) },
      },
      config: {
        apiScope: 'broadcasts',
        audit: { action: 'broadcast.read', subjectType: 'broadcast', subjectId: idOf },
      },
    },
    async (request, reply) => {
      const report = await broadcasts.report(request.params.id);
      if (!report) throw errors.notFound(`no broadcast ${request.params.id}`);
      return reply.header('cache-control', 'no-store').send(reportBody(report));
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/v1/broadcasts/:id/cancel',
    {
      schema: {
        operationId: 'cancelBroadcast',
        tags: ['broadcasts'],
        summary: 'Stop what has not been sent',
        description:
          'Recipients not sent yet are dropped (counted as cancelled); what was sent stays sent. Answers the report; cancelling again, or a finished broadcast, changes nothing.',
        security,
        params: idParams,
        response: { 200: reportSchema, ...refusals([400, 404]) },
      },
      config: {
        apiScope: 'broadcasts',
        audit: { action: 'broadcast.cancel', subjectType: 'broadcast', subjectId: idOf },
      },
    },
    async (request, reply) => {
      const report = await broadcasts.cancel(request.params.id);
      if (!report) throw errors.notFound(`no broadcast ${request.params.id}`);
      return reply.header('cache-control', 'no-store').send(reportBody(report));
    },
  );
}
