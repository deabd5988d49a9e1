// The queue desk on PostgreSQL: tickets issued at check-in, called, recalled, missed, moved and
// served. Every change runs in one transaction under the department's advisory lock, so two
// staff (or two instances) pressing "call next" at once call two different tickets; numbers come
// from an upsert ... RETURNING on the day's counter row in the same transaction, so they are
// consecutive and never shared. After a change: the department's feed (queueFeed) gets a small
// JSON message for the live views, and only the patients it concerns are told — those who
// crossed a QUEUE_NOTIFY_AHEAD position (within the channel's push budget), the called one, the
// missed one, the moved one.
import type { ConversationAddress } from '../conversation/message.ts';
import { ticketLabel } from '../domain/queue-rules.ts';
import type {
  CheckInResult,
  QueueActor,
  QueueBoard,
  QueueDesk,
  StaffQueueBoard,
  TicketKind,
  TicketView,
} from '../domain/queue.ts';
import { zonedDate } from '../domain/time-zone.ts';
import type { Department } from '../domain/triage.ts';
import {
  changed,
  loadLine,
  roundOf,
  VIEW_COLUMNS,
  viewOf,
  type Line,
  type QueueDb,
  type TicketRow,
  type WaitingEntry,
} from './prisma-queue-line.ts';
import { readBoards, readStaffBoard } from './prisma-queue-boards.ts';
import { nextNumber, QueueCheckIns } from './prisma-queue-checkin.ts';
import type { QueueDeskDeps, QueueSettings } from './prisma-queue-deps.ts';
import {
  calledNotice,
  feed,
  QueueNotices,
  type Notice,
  type QueueFeedMessage,
} from './prisma-queue-notices.ts';

interface Outcome {
  view: TicketView | undefined;
  feed?: QueueFeedMessage[];
  notices?: Notice[];
}

/** Longest a queue transaction may wait for the department's lock and run. */
const TRANSACTION = { maxWait: 15_000, timeout: 20_000 };

const LIVE = ['waiting', 'called'];

export type { QueueDeskDeps, QueueSettings, CheckInHospital } from './prisma-queue-deps.ts';

export class PrismaQueue implements QueueDesk {
  private readonly settings: QueueSettings;
  private readonly notices: QueueNotices;
  private readonly checkIns: QueueCheckIns;
  /** The last change of each department queued on this instance (see `locked`). */
  private readonly turns = new Map<Department, Promise<void>>();

  constructor(private readonly deps: QueueDeskDeps) {
    this.settings = deps.settings;
    this.notices = new QueueNotices({ ...deps, notifyAhead: deps.settings.notifyAhead });
    this.checkIns = new QueueCheckIns(deps, this.notices, {
      locked: (departments, work) => this.locked(departments, work),
      view: (row) => this.view(row),
    });
  }

  private now(): number {
    return this.deps.clock.now();
  }

  private today(): string {
    return zonedDate(new Date(this.now()), this.settings.timeZone);
  }

  checkIn(request: Parameters<QueueDesk['checkIn']>[0]): Promise<CheckInResult> {
    return this.checkIns.checkIn(request);
  }

  walkIn(request: Parameters<QueueDesk['walkIn']>[0]): Promise<CheckInResult> {
    return this.checkIns.walkIn(request);
  }

  ticketOf(address: ConversationAddress): Promise<TicketView | undefined> {
    return this.checkIns.ticketOf(address);
  }

  async ticket(ticketId: string): Promise<TicketView | undefined> {
    const row = await this.row(this.deps.prisma, ticketId);
    return row ? this.view(row) : undefined;
  }

  async leave(ticketId: string): Promise<TicketView | undefined> {
    return this.act(ticketId, async (tx, row, line) => {
      if (!LIVE.includes(row.status)) return { view: viewOf(row, line) };
      const left = await update(tx, row.id, { status: 'left' });
      return {
        view: viewOf(left, undefined),
        removed: row.status === 'waiting' ? [row.id] : [],
        feed: [feed(left, 'left')],
      };
    });
  }

  async requeue(ticketId: string): Promise<TicketView | undefined> {
    return this.act(ticketId, async (tx, row, line) => {
      if (row.status !== 'no_show' || row.requeued) return { view: viewOf(row, line) };
      const now = this.now();
      // At the back of its own line: behind every ticket waiting in it now.
      const back = await tx.queueTicket.aggregate({
        where: { department: row.department, day: row.day, status: 'waiting', kind: row.kind },
        _max: { sortAt: true },
      });
      const sortAt = Math.max(now, (back._max.sortAt?.getTime() ?? 0) + 1);
      const again = await update(tx, row.id, {
        status: 'waiting',
        requeued: true,
        recalls: 0,
        room: null,
        calledAt: null,
        queuedAt: new Date(now),
        sortAt: new Date(sortAt),
      });
      const entry = await this.entry(tx, row.id);
      return { view: undefined, added: [entry], viewRow: again, feed: [feed(again, 'requeued')] };
    });
  }

  async callNext(department: Department, room: string, actor: QueueActor): Promise<TicketView | undefined> {
    const outcome = await this.change([department], async (tx, lines) => {
      const line = lines.get(department)!;
      const next = line.order[0];
      if (!next) return { view: undefined };
      const called = await update(tx, next.id, {
        status: 'called',
        room,
        calledAt: new Date(this.now()),
        recalls: 0,
      });
      const after = changed(line, { removed: [next.id], called: { kind: next.kind, room } }, this.settings);
      this.deps.logger.info(
        { department, ticket: called.label, room, actor: actorLabel(actor) },
        'queue call',
      );
      return {
        view: viewOf(called, after),
        lines: new Map([[department, after]]),
        feed: [feed(called, 'called')],
        notices: [calledNotice(called)],
      };
    });
    return outcome;
  }

  /** Calls the ticket again; once it has been called QUEUE_MAX_RECALLS more times it stays as it is. */
  async recall(ticketId: string, _actor: QueueActor): Promise<TicketView | undefined> {
    return this.act(ticketId, async (tx, row, line) => {
      if (row.status !== 'called' || row.recalls >= this.settings.maxRecalls)
        return { view: viewOf(row, line) };
      const again = await update(tx, row.id, { recalls: row.recalls + 1, calledAt: new Date(this.now()) });
      return {
        view: viewOf(again, line),
        feed: [feed(again, 'recalled')],
        notices: [calledNotice(again)],
      };
    });
  }

  /**
   * A called ticket whose patient did not come after QUEUE_MAX_RECALLS recalls: missed (they may
   * re-queue once). Before that many recalls the ticket stays called (its view says so).
   */
  async noShow(ticketId: string, _actor: QueueActor): Promise<TicketView | undefined> {
    return this.act(ticketId, async (tx, row, line) => {
      if (row.status !== 'called' || row.recalls < this.settings.maxRecalls)
        return { view: viewOf(row, line) };
      const missed = await update(tx, row.id, { status: 'no_show' });
      const view = viewOf(missed, undefined);
      return {
        view,
        feed: [feed(missed, 'no_show')],
        notices: [
          {
            ticketId: row.id,
            event: { kind: 'system', name: 'queue.missed', data: { ticket: view } },
            dedupeKey: `queue:${row.id}:missed${roundOf(row)}`,
          },
        ],
      };
    });
  }

  /**
   * Moves a waiting or called ticket: to another room of its department (it keeps its place or
   * its call), or to another department, where it gets that department's next number and stands
   * in line from now on.
   */
  async transfer(
    ticketId: string,
    to: { department: Department; room?: string },
    _actor: QueueActor,
  ): Promise<TicketView | undefined> {
    const current = await this.row(this.deps.prisma, ticketId);
    if (!current) return undefined;
    const from = current.department as Department;
    return this.change([from, to.department], async (tx, lines) => {
      const row = await this.row(tx, ticketId);
      if (!row || !LIVE.includes(row.status) || row.department !== from)
        return { view: row ? viewOf(row, lines.get(row.department as Department)) : undefined };
      const now = this.now();
      let moved: TicketRow;
      const next = new Map<Department, Line>();
      if (to.department === from) {
        moved = await update(tx, row.id, { room: to.room ?? row.room, transfers: row.transfers + 1 });
      } else {
        const number = await nextNumber(tx, to.department, row.day);
        moved = await update(tx, row.id, {
          department: to.department,
          number,
          label: ticketLabel(this.settings.departments[to.department].prefix, number),
          status: 'waiting',
          room: to.room ?? null,
          calledAt: null,
          recalls: 0,
          queuedAt: new Date(now),
          sortAt: new Date(now),
          transfers: row.transfers + 1,
        });
        if (row.status === 'waiting')
          next.set(from, changed(lines.get(from)!, { removed: [row.id] }, this.settings));
        next.set(
          to.department,
          changed(lines.get(to.department)!, { added: [await this.entry(tx, row.id)] }, this.settings),
        );
      }
      const view = viewOf(moved, next.get(to.department) ?? lines.get(to.department));
      return {
        view,
        lines: next,
        feed: [
          feed(moved, 'transferred'),
          ...(to.department === from ? [] : [{ ...feed(moved, 'transferred'), department: from }]),
        ],
        notices: [
          {
            ticketId: row.id,
            event: { kind: 'system', name: 'queue.transferred', data: { ticket: view } },
            dedupeKey: `queue:${row.id}:moved:${moved.transfers}`,
          },
        ],
      };
    });
  }

  /** Served: called → done is a service time for the department's average. */
  async done(ticketId: string, _actor: QueueActor): Promise<TicketView | undefined> {
    return this.act(ticketId, async (tx, row, line) => {
      if (row.status !== 'called') return { view: viewOf(row, line) };
      const served = await update(tx, row.id, { status: 'done', doneAt: new Date(this.now()) });
      return { view: viewOf(served, undefined), feed: [feed(served, 'done')] };
    });
  }

  async board(department: Department): Promise<QueueBoard> {
    return (await readBoards(this.deps.prisma, department, this.today(), this.now(), this.settings)).board;
  }

  async staffBoard(department: Department): Promise<StaffQueueBoard> {
    return readStaffBoard(this.deps.prisma, department, this.today(), this.now(), this.settings);
  }

  // --- the machinery every change shares -------------------------------------------------

  /** A change to one ticket, under its department's lock; `removed`/`added` say how its line moved. */
  private async act(
    ticketId: string,
    work: (
      tx: QueueDb,
      row: TicketRow,
      line: Line,
    ) => Promise<Outcome & { removed?: string[]; added?: WaitingEntry[]; viewRow?: TicketRow }>,
  ): Promise<TicketView | undefined> {
    const current = await this.row(this.deps.prisma, ticketId);
    if (!current) return undefined;
    const department = current.department as Department;
    return this.change([department], async (tx, lines) => {
      const row = await this.row(tx, ticketId);
      const line = lines.get(department)!;
      // Moved to another department between the two reads: act on it there next time.
      if (!row || row.department !== department) return { view: row ? viewOf(row, undefined) : undefined };
      const result = await work(tx, row, line);
      if (!result.removed?.length && !result.added?.length) return result;
      const after = changed(line, { removed: result.removed, added: result.added }, this.settings);
      return {
        ...result,
        view: result.view ?? (result.viewRow ? viewOf(result.viewRow, after) : undefined),
        lines: new Map([[department, after]]),
      };
    });
  }

  /**
   * Runs `work` in one transaction holding the departments' advisory locks (taken in name order,
   * so two transfers cannot deadlock), with each department's line as it stood; then publishes
   * the feed messages and tells the patients who crossed a threshold and those `work` names.
   */
  private async change(
    departments: Department[],
    work: (tx: QueueDb, lines: Map<Department, Line>) => Promise<Outcome & { lines?: Map<Department, Line> }>,
  ): Promise<TicketView | undefined> {
    const locked = [...new Set(departments)].sort();
    const before = new Map<Department, Line>();
    const result = await this.locked(locked, async (tx) => {
      for (const department of locked)
        before.set(department, await loadLine(tx, department, this.today(), this.now(), this.settings));
      return work(tx, before);
    });
    const notices = [...(result.notices ?? [])];
    for (const [department, after] of result.lines ?? new Map<Department, Line>())
      notices.push(...this.notices.thresholds(before.get(department)!, after));
    for (const message of result.feed ?? []) await this.notices.publish(message);
    await this.notices.tell(notices);
    return result.view;
  }

  /**
   * One transaction holding the departments' advisory locks (across instances). Within this
   * instance the changes of a department also wait their turn in memory first, so a burst (a
   * hundred check-ins at once) waits here rather than holding every pooled connection while
   * PostgreSQL makes them wait for the lock one by one.
   */
  private async locked<T>(departments: Department[], work: (tx: QueueDb) => Promise<T>): Promise<T> {
    const previous = departments.map((department) => this.turns.get(department) ?? Promise.resolve());
    let release = () => {};
    const turn = new Promise<void>((resolve) => (release = resolve));
    for (const department of departments) this.turns.set(department, turn);
    try {
      await Promise.all(previous);
      return await this.deps.prisma.$transaction(async (tx) => {
        for (const department of departments)
          await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`frontdoor:queue:${department}`}))`;
        return work(tx);
      }, TRANSACTION);
    } finally {
      release();
      for (const department of departments)
        if (this.turns.get(department) === turn) this.turns.delete(department);
    }
  }

  private async view(row: TicketRow): Promise<TicketView> {
    if (row.status !== 'waiting') return viewOf(row, undefined);
    const line = await loadLine(
      this.deps.prisma,
      row.department as Department,
      row.day,
      this.now(),
      this.settings,
    );
    return viewOf(row, line);
  }

  private row(db: QueueDb, ticketId: string): Promise<TicketRow | null> {
    if (!/^[0-9a-f-]{36}$/i.test(ticketId)) return Promise.resolve(null);
    return db.queueTicket.findUnique({ where: { id: ticketId }, select: VIEW_COLUMNS });
  }

  private async entry(db: QueueDb, ticketId: string): Promise<WaitingEntry> {
    const row = await db.queueTicket.findUniqueOrThrow({
      where: { id: ticketId },
      select: { id: true, kind: true, sortAt: true, acuity: true, label: true, number: true },
    });
    return {
      ...row,
      kind: row.kind as TicketKind,
      sortAt: row.sortAt.getTime(),
      acuity: row.acuity ?? undefined,
    };
  }
}

function update(tx: QueueDb, id: string, data: Record<string, unknown>): Promise<TicketRow> {
  return tx.queueTicket.update({ where: { id }, data, select: VIEW_COLUMNS });
}

const actorLabel = (actor: QueueActor) =>
  actor.staffId ? `staff:${actor.staffId}` : actor.apiKey ? `api-key:${actor.apiKey}` : 'system';
