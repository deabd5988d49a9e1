// The hospital API's queues, for the hospital's own kiosks and HIS: a department's board (ticket
// numbers, rooms and waiting times only, the same as the waiting-room display: no names, phones,
// birth dates or chat addresses) and "call next". Behind API keys with the `queues` scope; every
// call-next is an audit row naming the key.
import type { FastifyInstance } from 'fastify';
import type { QueueDesk } from '../../domain/queue.ts';
import { queueRoom, ROOM_RULE } from '../../domain/queue-room.ts';
import { DEPARTMENTS, type Department } from '../../domain/triage.ts';
import type { ApiKeys } from '../../security/api-keys.ts';
import type { AuditLog } from '../../security/audit-log.ts';
import { errors } from '../errors.ts';
import { requireApiKey } from './api-key-auth.ts';

export interface QueueApiDeps {
  queue: QueueDesk;
  apiKeys: ApiKeys;
  audit: AuditLog;
}

const departmentParams = {
  type: 'object',
  required: ['department'],
  properties: { department: { type: 'string', maxLength: 40 } },
} as const;

const callNextBody = {
  type: 'object',
  additionalProperties: false,
  required: ['room'],
  // The rule itself is queueRoom's (src/domain/queue-room.ts); the schema only bounds the size.
  properties: { room: { type: 'string', maxLength: 200 } },
} as const;

const known = (department: string): Department => {
  if (!(DEPARTMENTS as readonly string[]).includes(department))
    throw errors.notFound(`no department ${department}: one of ${DEPARTMENTS.join(', ')}`);
  return department as Department;
};

export async function registerQueueApi(app: FastifyInstance, deps: QueueApiDeps): Promise<void> {
  const guard = requireApiKey(deps.apiKeys, 'queues');

  app.get<{ Params: { department: string } }>(
    '/api/v1/queues/:department',
    { schema: { params: departmentParams }, preHandler: guard },
    async (request, reply) => {
      const board = await deps.queue.board(known(request.params.department));
      return reply.header('cache-control', 'no-store').send(board);
    },
  );

  app.post<{ Params: { department: string }; Body: { room: string } }>(
    '/api/v1/queues/:department/call-next',
    { schema: { params: departmentParams, body: callNextBody }, preHandler: guard },
    async (request, reply) => {
      const department = known(request.params.department);
      const room = queueRoom(request.body.room);
      if (!room) throw errors.invalidRoom(ROOM_RULE);
      const holder = request.apiKey!;
      const ticket = await deps.queue.callNext(department, room, { apiKey: holder.name });
      await deps.audit.record({
        actorId: null,
        actorLabel: `api-key:${holder.id}`,
        action: 'queue.call-next',
        subjectType: 'queue',
        subjectId: department,
        ip: request.ip,
        detail: { room, ticket: ticket?.label ?? 'none waiting' },
      });
      // Nobody waiting is an answer, not an error: the kiosk shows "no one waiting".
      return reply.header('cache-control', 'no-store').send({ called: ticket ?? null });
    },
  );
}
