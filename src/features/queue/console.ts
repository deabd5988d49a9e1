// The queue boards' console API: a department's board, and what the desk does on it (call the
// next ticket to a room, recall, no-show, transfer, done). Operators (and admins) act on every
// department; nurses and doctors read the boards (staff accounts carry no department yet, so
// "nurses for their department" is read-only until they do). Every read and action is audited.
import { z } from 'zod';
import type { StaffQueueBoard, TicketView } from '../../domain/queue.ts';
import { queueFeed } from '../../domain/queue.ts';
import { queueRoom, ROOM_RULE } from '../../domain/queue-room.ts';
import { DEPARTMENTS, type Department } from '../../domain/triage.ts';
import type { FastifyRequest } from 'fastify';
import { errors } from '../../server/errors.ts';
import {
  consolePlugin,
  guards,
  objectSchema,
  recorder,
  staffId,
  type ConsoleFeed,
  type Permissions,
} from '../../server/console/plugin.ts';
import { parseInput, safeLine } from '../../server/validation.ts';

const permissions = {
  'queues:read': ['operator', 'admin', 'nurse', 'doctor'],
  'queues:act': ['operator', 'admin'],
  // Reception: the kiosk page, where a scanner types a patient's check-in link.
  'queues:check-in': ['operator', 'admin', 'nurse'],
} as const satisfies Permissions;

/** QUEUE_MAX_RECALLS when the runtime names none (the setting's default). */
export const DEFAULT_MAX_RECALLS = 2;

const department = { type: 'string', enum: [...DEPARTMENTS] } as const;
/** A room's name, checked by queueRoom (src/domain/queue-room.ts); the schema only bounds it. */
const room = { type: 'string', maxLength: 200 } as const;
const ticketParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } },
} as const;
const departmentParams = { type: 'object', required: ['department'], properties: { department } } as const;

/** The room as kept, or 400 invalid_room. */
const roomOf = (input: string): string => {
  const name = queueRoom(input);
  if (!name) throw errors.invalidRoom(ROOM_RULE);
  return name;
};
const callNextBody = z.object({ room: z.string() });
const transferBody = z.object({ department: z.enum(DEPARTMENTS), room: z.string().optional() });
const checkInBody = z.object({ link: safeLine(1, 600) });

/** The token in what a scanner typed: a whole check-in URL, or the token alone. */
export function checkInTokenOf(link: string): string | undefined {
  const text = link.trim();
  const inUrl = /\/checkin\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)(?:[/?#]|$)/.exec(text);
  if (inUrl) return inUrl[1];
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(text) ? text : undefined;
}

/** What the board page gets: the board, and when a no-show may be marked. */
export interface BoardResponse {
  board: StaffQueueBoard;
  maxRecalls: number;
  /** The hospital's zone: the board's times are shown in it, wherever the desk's browser is. */
  timeZone: string;
}

/** Each department's changes, as its staff board, to the roles that read boards. */
export const queueFeeds: ConsoleFeed[] = DEPARTMENTS.map((code) => ({
  channel: queueFeed(code),
  roles: permissions['queues:read'],
  toEvent: async (_message, deps) => ({ type: 'queue.board', board: await deps.queue.staffBoard(code) }),
}));

export const queueConsole = consolePlugin({
  name: 'queue',
  permissions,
  feeds: queueFeeds,
  routes: async (app, deps) => {
    const { queue } = deps;
    const { allow, changing } = guards(app, permissions);
    const record = recorder(deps.audit);
    const maxRecalls = deps.queueMaxRecalls ?? DEFAULT_MAX_RECALLS;
    const actor = (request: FastifyRequest) => ({ staffId: staffId(request) });

    app.get(
      '/console/api/queues/:department',
      { preHandler: allow('queues:read'), schema: { params: departmentParams } },
      async (request): Promise<BoardResponse> => {
        const { department: code } = request.params as { department: Department };
        const board = await queue.staffBoard(code);
        await record(request, 'queue.view', 'queue', code, { tickets: board.tickets.length });
        return { board, maxRecalls, timeZone: deps.hospitalTimeZone };
      },
    );

    app.post(
      '/console/api/queues/:department/call-next',
      {
        ...changing('queues:act'),
        schema: { params: departmentParams, body: objectSchema({ room }, ['room']) },
      },
      async (request) => {
        const { department: code } = request.params as { department: Department };
        const room = roomOf(parseInput(callNextBody, request.body).room);
        const ticket = await queue.callNext(code, room, actor(request));
        await record(request, 'queue.call-next', 'queue', code, {
          room,
          ...(ticket ? { ticket: ticket.id, label: ticket.label } : { empty: true }),
        });
        return { ticket: ticket ?? null };
      },
    );

    app.post(
      '/console/api/queues/check-in',
      {
        ...changing('queues:check-in'),
        schema: { body: objectSchema({ link: { type: 'string', minLength: 1, maxLength: 600 } }, ['link']) },
      },
      async (request) => {
        const { link } = parseInput(checkInBody, request.body);
        const token = checkInTokenOf(link);
        const appointmentId = token ? deps.checkInTokens?.verify('checkin', token) : undefined;
        if (!appointmentId || !deps.checkInByLink)
          throw errors.badRequest('this is not a valid check-in code (or it has expired)');
        const result = await deps.checkInByLink(appointmentId);
        if (!result) throw errors.notFound('no patient is known for this appointment');
        await record(request, 'queue.check-in', 'appointment', appointmentId, {
          ...('ticket' in result
            ? { ticket: result.ticket.id, label: result.ticket.label }
            : { refused: result.refused.reason }),
        });
        return { ...result, timeZone: deps.hospitalTimeZone };
      },
    );

    /** A POST on one ticket: the desk's answer, or 409 when the ticket is not in a state for it. */
    const ticketAction = (
      action: string,
      schema: Record<string, unknown> | undefined,
      act: (id: string, request: FastifyRequest) => Promise<TicketView | undefined>,
    ) =>
      app.post(
        `/console/api/queues/tickets/:id/${action}`,
        { ...changing('queues:act'), schema: { params: ticketParams, ...(schema ? { body: schema } : {}) } },
        async (request) => {
          const { id } = request.params as { id: string };
          const ticket = await act(id, request);
          if (!ticket) throw errors.conflict(`this ticket cannot be given "${action}" now`);
          await record(request, `queue.${action}`, 'queue-ticket', id, {
            label: ticket.label,
            department: ticket.department,
            status: ticket.status,
            ...(ticket.room ? { room: ticket.room } : {}),
          });
          return { ticket };
        },
      );

    /** The ticket as its department's staff board has it (the board says what staff may do). */
    const onBoard = async (id: string) => {
      const view = await queue.ticket(id);
      if (!view) throw errors.notFound('no such ticket');
      const board = await queue.staffBoard(view.department);
      return { view, row: board.tickets.find((ticket) => ticket.id === id) };
    };

    ticketAction('recall', undefined, async (id, request) => {
      const { row } = await onBoard(id);
      if (row?.status !== 'called') throw errors.conflict('only a called ticket can be recalled');
      if (row.recalls >= maxRecalls)
        throw errors.conflict(`recalled ${maxRecalls} times already: mark it a no-show`);
      return queue.recall(id, actor(request));
    });

    ticketAction('no-show', undefined, async (id, request) => {
      const { row } = await onBoard(id);
      if (row?.status !== 'called') throw errors.conflict('only a called ticket can be a no-show');
      if (row.recalls < maxRecalls)
        throw errors.conflict(`recall it first: a no-show comes after ${maxRecalls} recalls`);
      return queue.noShow(id, actor(request));
    });

    ticketAction('done', undefined, async (id, request) => {
      const { row } = await onBoard(id);
      if (row?.status !== 'called') throw errors.conflict('only a called ticket can be done');
      return queue.done(id, actor(request));
    });

    ticketAction('transfer', objectSchema({ department, room }, ['department']), async (id, request) => {
      const body = parseInput(transferBody, request.body);
      const room = body.room === undefined ? undefined : roomOf(body.room);
      const { view } = await onBoard(id);
      if (view.status !== 'waiting' && view.status !== 'called')
        throw errors.conflict('only a waiting or called ticket can be transferred');
      if (view.department === body.department && !room)
        throw errors.badRequest('a transfer within the department needs a room');
      return queue.transfer(id, { department: body.department, room }, actor(request));
    });
  },
});
