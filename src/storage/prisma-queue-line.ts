// One department's line as the desk reads it from PostgreSQL: its waiting tickets in calling
// order, the recent calls the order and the waiting times depend on, and the ticket views built
// from them. The order itself is src/domain/queue-order.ts.
import {
  activeRooms,
  appointmentsSinceWalkIn,
  averageServiceMinutes,
  callingOrder,
  etaMinutes,
  SERVICE_TIME_WINDOW,
  type QueuedEntry,
} from '../domain/queue-order.ts';
import type { DepartmentQueueRules } from '../domain/queue-rules.ts';
import type { TicketKind, TicketStatus, TicketView } from '../domain/queue.ts';
import type { Department } from '../domain/triage.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';

/** The client or a transaction on it. */
export type QueueDb = Pick<PrismaClient, 'queueTicket' | '$executeRaw' | '$queryRaw'>;

export interface LineRules {
  graceMinutes: number;
  walkInEvery: number;
  serviceMinutes: number;
  departments: DepartmentQueueRules;
}

export interface WaitingEntry extends QueuedEntry {
  label: string;
}

export interface Line {
  department: Department;
  day: string;
  /** Waiting tickets in the order they will be called. */
  order: WaitingEntry[];
  /** Tickets ahead of each waiting ticket. */
  ahead: Map<string, number>;
  /** Kinds of the department's calls today, newest first (the walk-in interleave). */
  recentKinds: TicketKind[];
  averageMinutes: number;
  rooms: number;
  now: number;
}

/** The columns a view needs (no address). */
export interface TicketRow {
  id: string;
  department: string;
  day: string;
  label: string;
  kind: string;
  status: string;
  room: string | null;
  recalls: number;
  requeued: boolean;
  transfers: number;
}

export const VIEW_COLUMNS = {
  id: true,
  department: true,
  day: true,
  label: true,
  kind: true,
  status: true,
  room: true,
  recalls: true,
  requeued: true,
  transfers: true,
} as const;

const ms = (at: Date | null | undefined) => at?.getTime() ?? 0;

/** Reads the department's line today. */
export async function loadLine(
  db: QueueDb,
  department: Department,
  day: string,
  now: number,
  rules: LineRules,
): Promise<Line> {
  // Raw rows for the hot read (a department can have thousands waiting): times come back as
  // epoch milliseconds, without the client's per-row mapping.
  const waiting = await db.$queryRaw<
    { id: string; kind: string; sortAt: number; acuity: number | null; label: string; number: number }[]
  >`SELECT "id", "kind", (EXTRACT(EPOCH FROM "sortAt") * 1000)::float8 AS "sortAt", "acuity", "label", "number"
    FROM "QueueTicket" WHERE "department" = ${department} AND "day" = ${day} AND "status" = 'waiting'`;
  const calls = await db.queueTicket.findMany({
    where: { department, day, calledAt: { not: null } },
    orderBy: { calledAt: 'desc' },
    take: 50,
    select: { kind: true, room: true, calledAt: true },
  });
  const served = await db.queueTicket.findMany({
    where: { department, day, doneAt: { not: null }, calledAt: { not: null } },
    orderBy: { doneAt: 'desc' },
    take: SERVICE_TIME_WINDOW,
    select: { calledAt: true, doneAt: true },
  });
  const entries = waiting.map((row) => ({
    id: row.id,
    kind: row.kind as TicketKind,
    sortAt: Math.round(Number(row.sortAt)),
    acuity: row.acuity ?? undefined,
    label: row.label,
    number: Number(row.number),
  }));
  return arrange(
    {
      department,
      day,
      recentKinds: calls.map((call) => call.kind as TicketKind),
      averageMinutes: averageServiceMinutes(
        served.map((row) => ms(row.doneAt) - ms(row.calledAt)),
        rules.serviceMinutes,
      ),
      rooms: activeRooms(
        calls.map((call) => ({ room: call.room ?? '', calledAt: ms(call.calledAt) })),
        now,
      ),
      now,
    },
    entries,
    rules,
  );
}

/** The line with `entries` waiting, in calling order. */
export function arrange(
  base: Omit<Line, 'order' | 'ahead'>,
  entries: WaitingEntry[],
  rules: LineRules,
): Line {
  const order = callingOrder(entries, {
    now: base.now,
    graceMs: rules.graceMinutes * 60_000,
    walkInEvery: rules.walkInEvery,
    appointmentsSinceWalkIn: appointmentsSinceWalkIn(base.recentKinds.slice(0, rules.walkInEvery + 1)),
  });
  return { ...base, order, ahead: new Map(order.map((entry, index) => [entry.id, index])) };
}

/** The line after a change: tickets left it, joined it, or one was called (to `room`). */
export function changed(
  line: Line,
  change: { removed?: string[]; added?: WaitingEntry[]; called?: { kind: TicketKind; room: string } },
  rules: LineRules,
): Line {
  const removed = new Set(change.removed ?? []);
  const entries = [...line.order.filter((entry) => !removed.has(entry.id)), ...(change.added ?? [])];
  const recentKinds = change.called ? [change.called.kind, ...line.recentKinds] : line.recentKinds;
  const rooms = change.called ? Math.max(line.rooms, 1) : line.rooms;
  return arrange({ ...line, recentKinds, rooms }, entries, rules);
}

/** What the patient sees of a ticket, with its place in `line` when it waits. */
export function viewOf(row: TicketRow, line: Line | undefined): TicketView {
  const ahead = row.status === 'waiting' ? line?.ahead.get(row.id) : undefined;
  return {
    id: row.id,
    label: row.label,
    department: row.department as Department,
    status: row.status as TicketStatus,
    ...(ahead === undefined
      ? {}
      : { ahead, etaMinutes: etaMinutes(ahead, line!.averageMinutes, line!.rooms) }),
    ...(row.room ? { room: row.room } : {}),
    canRequeue: row.status === 'no_show' && !row.requeued,
  };
}

/**
 * The suffix of a ticket's dedupe keys: a re-queued or transferred ticket is told its thresholds
 * and its call again, so its keys differ from those of its first time in line.
 */
export const roundOf = (row: Pick<TicketRow, 'requeued' | 'transfers'>): string =>
  `${row.requeued ? ':requeued' : ''}${row.transfers > 0 ? `:moved${row.transfers}` : ''}`;
