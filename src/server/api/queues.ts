// The hospital API's queues, for the hospital's own kiosks and HIS: a department's board (ticket
// numbers, rooms and waiting times only, the same as the waiting-room display: no names, phones,
// birth dates or chat addresses) and "call next". Behind API keys with the `queues` scope; the
// key, the rate limit and the audit row of every call are the API scope's (src/server/api/index.ts).
import type { FastifyInstance } from 'fastify';
import type { QueueDesk } from '../../domain/queue.ts';
import { queueRoom, ROOM_RULE } from '../../domain/queue-room.ts';
import { DEPARTMENTS, type Department } from '../../domain/triage.ts';
import { errors } from '../errors.ts';
import { refusals, security } from './schemas.ts';

export interface QueueApiDeps {
  queue: QueueDesk;
}

const departmentParams = {
  type: 'object',
  required: ['department'],
  properties: {
    department: {
      type: 'string',
      maxLength: 40,
      description: `A department code: ${DEPARTMENTS.join(', ')}.`,
      examples: ['cardiology'],
    },
  },
} as const;

const callNextBody = {
  type: 'object',
  additionalProperties: false,
  required: ['room'],
  // The rule itself is queueRoom's (src/domain/queue-room.ts); the schema only bounds the size.
  properties: { room: { type: 'string', maxLength: 200, description: ROOM_RULE, examples: ['4'] } },
} as const;

const epochMs = { type: 'integer', description: 'Epoch milliseconds.' } as const;
const ticketKind = { type: 'string', enum: ['appointment', 'walk_in'] } as const;

const boardSchema = {
  description: "The department's waiting room, as its display shows it: no personal data.",
  type: 'object',
  additionalProperties: false,
  required: ['department', 'day', 'calling', 'waiting', 'averageServiceMinutes'],
  properties: {
    department: { type: 'string' },
    day: { type: 'string', format: 'date', description: "The hospital's day (YYYY-MM-DD)." },
    calling: {
      description: 'Most recent call first.',
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['label', 'room', 'calledAt', 'recalls'],
        properties: {
          label: { type: 'string', examples: ['B-023'] },
          room: { type: 'string' },
          calledAt: epochMs,
          recalls: { type: 'integer', minimum: 0 },
        },
      },
    },
    waiting: {
      description: 'In calling order.',
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['label', 'kind', 'etaMinutes'],
        properties: {
          label: { type: 'string' },
          kind: ticketKind,
          etaMinutes: { type: 'number', minimum: 0 },
        },
      },
    },
    averageServiceMinutes: { type: 'number', minimum: 0 },
  },
} as const;

const calledSchema = {
  description: 'The ticket called to the room, or null when nobody is waiting.',
  type: 'object',
  additionalProperties: false,
  required: ['called'],
  properties: {
    called: {
      oneOf: [
        {
          type: 'object',
          additionalProperties: false,
          required: ['id', 'label', 'department', 'status', 'canRequeue'],
          properties: {
            id: { type: 'string' },
            label: { type: 'string' },
            department: { type: 'string' },
            status: { type: 'string', enum: ['waiting', 'called', 'done', 'no_show', 'left'] },
            ahead: { type: 'integer', minimum: 0 },
            etaMinutes: { type: 'number', minimum: 0 },
            room: { type: 'string' },
            canRequeue: { type: 'boolean' },
          },
        },
        { type: 'null' },
      ],
    },
  },
} as const;

const known = (department: string): Department => {
  if (!(DEPARTMENTS as readonly string[]).includes(department))
    throw errors.notFound(`no department ${department}: one of ${DEPARTMENTS.join(', ')}`);
  return department as Department;
};

const department = (request: { params: unknown }) => (request.params as { department: string }).department;

export async function registerQueueApi(app: FastifyInstance, deps: QueueApiDeps): Promise<void> {
  app.get<{ Params: { department: string } }>(
    '/queues/:department',
    {
      schema: {
        operationId: 'queueBoard',
        tags: ['queues'],
        summary: "A department's queue board",
        security,
        params: departmentParams,
        response: { 200: boardSchema, ...refusals([404]) },
      },
      config: {
        apiScope: 'queues',
        audit: { action: 'queue.board.read', subjectType: 'queue', subjectId: department },
      },
    },
    async (request, reply) => {
      const board = await deps.queue.board(known(request.params.department));
      return reply.header('cache-control', 'no-store').send(board);
    },
  );

  app.post<{ Params: { department: string }; Body: { room: string } }>(
    '/queues/:department/call-next',
    {
      schema: {
        operationId: 'queueCallNext',
        tags: ['queues'],
        summary: 'Call the next ticket to a room',
        description: 'Two calls at once never call the same ticket.',
        security,
        params: departmentParams,
        body: callNextBody,
        response: { 200: calledSchema, ...refusals([400, 404, 415], { 400: ['invalid_room'] }) },
      },
      config: {
        apiScope: 'queues',
        audit: { action: 'queue.call-next', subjectType: 'queue', subjectId: department },
      },
    },
    async (request, reply) => {
      const department = known(request.params.department);
      const room = queueRoom(request.body.room);
      if (!room) throw errors.invalidRoom(ROOM_RULE);
      const ticket = await deps.queue.callNext(department, room, { apiKey: request.apiKey!.name });
      request.auditDetail = { room, ticket: ticket?.label ?? 'none waiting' };
      // Nobody waiting is an answer, not an error: the kiosk shows "no one waiting".
      return reply.header('cache-control', 'no-store').send({ called: ticket ?? null });
    },
  );
}
