// What the waiting room, the hospital API and staff see of a department's queue: the public
// board (ticket numbers, rooms, waiting times: no personal data) and the staff board.
import type { QueueBoard, StaffQueueBoard, TicketKind } from '../domain/queue.ts';
import { etaMinutes } from '../domain/queue-order.ts';
import type { Department } from '../domain/triage.ts';
import { loadLine, type Line, type LineRules, type QueueDb } from './prisma-queue-line.ts';

/** The public board and the line it was read from. */
export async function readBoards(
  db: QueueDb,
  department: Department,
  day: string,
  now: number,
  rules: LineRules,
): Promise<{ board: QueueBoard; line: Line }> {
  const line = await loadLine(db, department, day, now, rules);
  const calling = await db.queueTicket.findMany({
    where: { department, day, status: 'called' },
    orderBy: { calledAt: 'desc' },
    take: 20,
    select: { label: true, room: true, calledAt: true, recalls: true },
  });
  return {
    line,
    board: {
      department,
      day,
      calling: calling.map((row) => ({
        label: row.label,
        room: row.room ?? '',
        calledAt: row.calledAt?.getTime() ?? 0,
        recalls: row.recalls,
      })),
      waiting: line.order.map((entry, index) => ({
        label: entry.label,
        kind: entry.kind,
        etaMinutes: etaMinutes(index, line.averageMinutes, line.rooms),
      })),
      averageServiceMinutes: line.averageMinutes,
    },
  };
}

/** The staff board: called tickets first, then the waiting in calling order, then the missed. */
export async function readStaffBoard(
  db: QueueDb,
  department: Department,
  day: string,
  now: number,
  rules: LineRules,
): Promise<StaffQueueBoard> {
  const { board, line } = await readBoards(db, department, day, now, rules);
  const rows = await db.queueTicket.findMany({
    where: { department, day, status: { in: ['waiting', 'called', 'no_show'] } },
    select: {
      id: true,
      label: true,
      kind: true,
      status: true,
      appointmentStart: true,
      acuity: true,
      room: true,
      recalls: true,
      requeued: true,
      checkedInAt: true,
      calledAt: true,
    },
  });
  const rank = (id: string, status: string) =>
    status === 'waiting' ? (line.ahead.get(id) ?? 0) : status === 'called' ? -1 : Number.MAX_SAFE_INTEGER;
  rows.sort((a, b) => rank(a.id, a.status) - rank(b.id, b.status));
  return {
    ...board,
    tickets: rows.map((row) => ({
      id: row.id,
      label: row.label,
      kind: row.kind as TicketKind,
      status: row.status as StaffQueueBoard['tickets'][number]['status'],
      ...(row.appointmentStart ? { appointmentStart: row.appointmentStart.getTime() } : {}),
      ...(row.acuity ? { acuity: row.acuity } : {}),
      ...(row.room ? { room: row.room } : {}),
      recalls: row.recalls,
      requeued: row.requeued,
      checkedInAt: row.checkedInAt.getTime(),
      ...(row.calledAt ? { calledAt: row.calledAt.getTime() } : {}),
    })),
  };
}
