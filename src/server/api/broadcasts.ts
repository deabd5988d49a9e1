// The hospital API's broadcasts, for the hospital's own systems: send one notice to everyone with
// an appointment on a day, in a department's queue today, or subscribed to hospital notices; read
// how far its delivery got; cancel what was not sent. Behind API keys with the `broadcasts`
// scope. The same idempotencyKey again answers the broadcast it made (200 instead of 202), so a
// system that lost the answer may post again without telling anyone twice; the same key with a
// different audience or text is a 409, not a silent reuse.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type {
  Audience,
  BroadcastReport,
  Broadcasts,
  BroadcastTexts,
  DeliveryCounts,
} from '../../domain/broadcasts.ts';
import { InvalidBroadcast } from '../../features/broadcasts/service.ts';
import { errors } from '../errors.ts';
import { accepted, idParams, reportSchema, sendBody } from './broadcast-schemas.ts';
import { refusals, security } from './schemas.ts';

export interface BroadcastApiDeps {
  broadcasts: Broadcasts;
}

interface SendBody {
  audience: Audience;
  text: BroadcastTexts;
  idempotencyKey: string;
}

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
    '/broadcasts',
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
    '/broadcasts/:id',
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
    '/broadcasts/:id/cancel',
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
