// The queue desk on PostgreSQL: tickets issued at check-in, called, recalled, missed, moved and
// served. Every change runs in one transaction under the department's advisory lock, so two
// staff (or two instances) pressing "call next" at once call two different tickets; numbers come
// from an upsert ... RETURNING on the day's counter row in the same transaction, so they are
// consecutive and never shared. After a change: the department's feed (queueFeed) gets a small
// JSON message for the live views, and only the patients it concerns are told — those who
// crossed a QUEUE_NOTIFY_AHEAD position (within the channel's push budget), the called one, the
// missed one, the moved one.
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { SystemEvent } from '../conversation/flow.ts';
import type { ConversationAddress } from '../conversation/message.ts';
import type { ConversationNotifier } from '../conversation/notifier.ts';
import { crossedThreshold } from '../domain/queue-order.ts';
import { checkInTiming, ticketLabel, type CheckInWindow } from '../domain/queue-rules.ts';
import {
  queueFeed,
  type CheckInResult,
  type QueueActor,
  type QueueBoard,
  type QueueDesk,
  type StaffQueueBoard,
  type TicketKind,
  type TicketView,
} from '../domain/queue.ts';
import { zonedDate } from '../domain/time-zone.ts';
import { DEPARTMENTS, type Department } from '../domain/triage.ts';
import type { Locale } from '../i18n/locales.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { BookedAppointment } from '../integrations/fhir/hospital.ts';
import type { FieldCipher } from '../security/field-cipher.ts';
import type { KeyValueStore } from './kv/key-value-store.ts';
import {
  changed,
  loadLine,
  roundOf,
  VIEW_COLUMNS,
  viewOf,
  type Line,
  type LineRules,
  type QueueDb,
  type TicketRow,
  type WaitingEntry,
} from './prisma-queue-line.ts';
import type { PushBudget } from './queue-push-budget.ts';
import '../features/queue/events.ts';

export interface QueueSettings extends LineRules {
  timeZone: string;
  checkInWindow: CheckInWindow;
  notifyAhead: number[];
  maxRecalls: number;
}

/** What the desk needs of the hospital: the appointment, and marking the patient arrived. */
export interface CheckInHospital {
  appointment(appointmentId: string): Promise<BookedAppointment | undefined>;
  checkIn(appointmentId: string, now: Date): Promise<BookedAppointment | undefined>;
}

export interface QueueDeskDeps {
  prisma: PrismaClient;
  cipher: FieldCipher;
  hospital: CheckInHospital;
  notifier: ConversationNotifier;
  kv: Pick<KeyValueStore, 'publish'>;
  pushes: PushBudget;
  clock: Clock;
  logger: Logger;
  settings: QueueSettings;
}

/** What the department's feed says changed (the live views read the board again). */
export interface QueueFeedMessage {
  department: Department;
  change: 'issued' | 'called' | 'recalled' | 'no_show' | 'requeued' | 'transferred' | 'done' | 'left';
  ticketId: string;
  label: string;
  room?: string;
}

interface Notice {
  ticketId: string;
  event: SystemEvent;
  dedupeKey: string;
  /** For a threshold notice: the line it was reached in (its view is built from it). */
  line?: Line;
}

interface Outcome {
  view: TicketView | undefined;
  feed?: QueueFeedMessage[];
  notices?: Notice[];
}

/** Longest a queue transaction may wait for the department's lock and run. */
const TRANSACTION = { maxWait: 15_000, timeout: 20_000 };

const LIVE = ['waiting', 'called'];

export const isDepartment = (value: string): value is Department =>
  (DEPARTMENTS as readonly string[]).includes(value);

export class PrismaQueue implements QueueDesk {
  private readonly settings: QueueSettings;

  constructor(private readonly deps: QueueDeskDeps) {
    this.settings = deps.settings;
  }

  private now(): number {
    return this.deps.clock.now();
  }

  private today(): string {
    return zonedDate(new Date(this.now()), this.settings.timeZone);
  }

  private addressKey(address: ConversationAddress): string {
    return this.deps.cipher.lookupHash('queue-address', `${address.channel}:${address.channelUserId}`);
  }

  /**
   * Checks in for a booked appointment within CHECKIN_WINDOW_MINUTES: the hospital marks it
   * arrived, then a ticket is issued. Without `address` (a QR scanned at reception), the
   * patient's most recently used chat is told the ticket (`queue.ticket`).
   */
  async checkIn(request: {
    appointmentId: string;
    address?: ConversationAddress;
    patientId?: string;
    locale: Locale;
    acuity?: number;
  }): Promise<CheckInResult> {
    const existing = await this.deps.prisma.queueTicket.findUnique({
      where: { appointmentId: request.appointmentId },
      select: VIEW_COLUMNS,
    });
    if (existing) return { ticket: await this.view(existing) };
    const address = request.address ?? (request.patientId && (await this.chatOf(request.patientId)));
    if (!address) return { refused: { reason: 'no_appointment' } };
    const now = this.now();
    let appointment: BookedAppointment | undefined;
    try {
      const booked = await this.deps.hospital.appointment(request.appointmentId);
      if (!booked || !['booked', 'arrived', 'checked-in'].includes(booked.status))
        return { refused: { reason: 'no_appointment' } };
      const timing = checkInTiming(booked.start.getTime(), now, this.settings.checkInWindow);
      if (!timing.open)
        return {
          refused:
            timing.reason === 'too_early'
              ? { reason: 'too_early', opensAt: timing.opensAt }
              : { reason: 'too_late', closedAt: timing.closedAt },
        };
      appointment = await this.deps.hospital.checkIn(request.appointmentId, new Date(now));
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'queue check-in: the hospital did not answer');
      return { refused: { reason: 'hospital_unavailable' } };
    }
    if (!appointment?.department || !isDepartment(appointment.department))
      return { refused: { reason: 'no_appointment' } };
    const ticket = await this.issue({
      department: appointment.department,
      kind: 'appointment',
      address,
      patientId: request.patientId,
      locale: request.locale,
      acuity: request.acuity,
      appointmentId: request.appointmentId,
      appointmentStart: appointment.start.getTime(),
      tell: !request.address,
    });
    return { ticket };
  }

  async walkIn(request: {
    department: Department;
    address: ConversationAddress;
    patientId?: string;
    locale: Locale;
    acuity?: number;
  }): Promise<CheckInResult> {
    if (!this.settings.departments[request.department]?.walkIn)
      return { refused: { reason: 'walk_in_not_allowed', department: request.department } };
    const live = await this.ticketOf(request.address);
    if (live) return { ticket: live };
    return { ticket: await this.issue({ ...request, kind: 'walk_in', tell: false }) };
  }

  private async issue(request: {
    department: Department;
    kind: TicketKind;
    address: ConversationAddress;
    patientId?: string;
    locale: Locale;
    acuity?: number;
    appointmentId?: string;
    appointmentStart?: number;
    /** Tell the conversation (the check-in came from outside the chat). */
    tell: boolean;
  }): Promise<TicketView> {
    const { department } = request;
    const day = this.today();
    const prefix = this.settings.departments[department].prefix;
    const result = await this.locked([department], async (tx) => {
      // Read under the lock, so arrival times follow the numbers.
      const now = this.now();
      if (request.appointmentId) {
        // Checked in at the same moment on another instance: that ticket is the one.
        const twin = await tx.queueTicket.findUnique({
          where: { appointmentId: request.appointmentId },
          select: VIEW_COLUMNS,
        });
        if (twin) return { row: twin, fresh: false };
      }
      const number = await nextNumber(tx, department, day);
      const row = await tx.queueTicket.create({
        data: {
          department,
          day,
          number,
          label: ticketLabel(prefix, number),
          kind: request.kind,
          appointmentId: request.appointmentId ?? null,
          appointmentStart: request.appointmentStart ? new Date(request.appointmentStart) : null,
          acuity: request.acuity ?? null,
          checkedInAt: new Date(now),
          queuedAt: new Date(now),
          sortAt: new Date(request.kind === 'appointment' ? (request.appointmentStart ?? now) : now),
          address: this.deps.cipher.encryptJson(request.address),
          addressKey: this.addressKey(request.address),
          patientId: request.patientId ?? null,
          locale: request.locale,
        },
        select: VIEW_COLUMNS,
      });
      return { row, fresh: true };
    });
    const view = await this.view(result.row);
    if (result.fresh) {
      await this.publish({ department, change: 'issued', ticketId: view.id, label: view.label });
      if (request.tell)
        await this.deps.notifier.notify(
          request.address,
          { kind: 'system', name: 'queue.ticket', data: { ticket: view } },
          `queue:${view.id}:issued`,
        );
    }
    return view;
  }

  async ticketOf(address: ConversationAddress): Promise<TicketView | undefined> {
    const row = await this.deps.prisma.queueTicket.findFirst({
      where: { addressKey: this.addressKey(address), day: this.today(), status: { in: LIVE } },
      orderBy: { checkedInAt: 'desc' },
      select: VIEW_COLUMNS,
    });
    return row ? this.view(row) : undefined;
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
        notices: [this.calledNotice(called)],
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
        notices: [this.calledNotice(again)],
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
    const { board } = await this.boards(department);
    return board;
  }

  async staffBoard(department: Department): Promise<StaffQueueBoard> {
    const { board, line } = await this.boards(department);
    const rows = await this.deps.prisma.queueTicket.findMany({
      where: { department, day: line.day, status: { in: [...LIVE, 'no_show'] } },
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

  private async boards(department: Department): Promise<{ board: QueueBoard; line: Line }> {
    const line = await loadLine(this.deps.prisma, department, this.today(), this.now(), this.settings);
    const calling = await this.deps.prisma.queueTicket.findMany({
      where: { department, day: line.day, status: 'called' },
      orderBy: { calledAt: 'desc' },
      take: 20,
      select: { label: true, room: true, calledAt: true, recalls: true },
    });
    const eta = (ahead: number) => Math.round((ahead * line.averageMinutes) / Math.max(1, line.rooms));
    return {
      line,
      board: {
        department,
        day: line.day,
        calling: calling.map((row) => ({
          label: row.label,
          room: row.room ?? '',
          calledAt: row.calledAt?.getTime() ?? 0,
          recalls: row.recalls,
        })),
        waiting: line.order.map((entry, index) => ({
          label: entry.label,
          kind: entry.kind,
          etaMinutes: eta(index),
        })),
        averageServiceMinutes: line.averageMinutes,
      },
    };
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
      notices.push(...this.thresholdNotices(before.get(department)!, after));
    for (const message of result.feed ?? []) await this.publish(message);
    await this.tell(notices);
    return result.view;
  }

  private async locked<T>(departments: Department[], work: (tx: QueueDb) => Promise<T>): Promise<T> {
    return this.deps.prisma.$transaction(async (tx) => {
      for (const department of departments)
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`frontdoor:queue:${department}`}))`;
      return work(tx);
    }, TRANSACTION);
  }

  /** The waiting tickets whose place passed a QUEUE_NOTIFY_AHEAD position between two lines. */
  private thresholdNotices(before: Line, after: Line): Notice[] {
    const notices: Notice[] = [];
    for (const [id, ahead] of after.ahead) {
      const threshold = crossedThreshold(before.ahead.get(id), ahead, this.settings.notifyAhead);
      if (threshold === undefined) continue;
      notices.push({
        ticketId: id,
        // The view is completed (label, status) when the row is read for its address.
        event: { kind: 'system', name: 'queue.ahead', data: { ticket: { id } as TicketView } },
        dedupeKey: `queue:${id}:ahead:${threshold}`,
        line: after,
      });
    }
    return notices;
  }

  private calledNotice(row: TicketRow): Notice {
    return {
      ticketId: row.id,
      event: { kind: 'system', name: 'queue.called', data: { ticket: viewOf(row, undefined) } },
      dedupeKey: `queue:${row.id}:called:${row.recalls}${roundOf(row)}`,
    };
  }

  /** Tells each notice's patient; threshold notices only while the channel's budget lasts. */
  private async tell(notices: Notice[]): Promise<void> {
    if (notices.length === 0) return;
    const rows = await this.deps.prisma.queueTicket.findMany({
      where: { id: { in: notices.map((notice) => notice.ticketId) } },
      select: { ...VIEW_COLUMNS, address: true },
    });
    const byId = new Map(rows.map((row) => [row.id, row]));
    for (const notice of notices) {
      const row = byId.get(notice.ticketId);
      if (!row) continue;
      const address = this.deps.cipher.decryptJson<ConversationAddress>(row.address);
      let event = notice.event;
      if (notice.event.name === 'queue.ahead') {
        if (row.status !== 'waiting') continue;
        event = { kind: 'system', name: 'queue.ahead', data: { ticket: viewOf(row, notice.line) } };
        const dedupeKey = `${notice.dedupeKey}${roundOf(row)}`;
        if (!(await this.deps.pushes.take(address.channel))) continue;
        await this.safeNotify(address, event, dedupeKey);
        continue;
      }
      await this.deps.pushes.spend(address.channel);
      await this.safeNotify(address, event, notice.dedupeKey);
    }
  }

  private async safeNotify(address: ConversationAddress, event: SystemEvent, dedupeKey: string) {
    try {
      await this.deps.notifier.notify(address, event, dedupeKey);
    } catch (error) {
      // The change is made; a patient not told now sees it on the live page or on refresh.
      this.deps.logger.error({ err: error, event: event.name }, 'queue: could not tell the patient');
    }
  }

  private async publish(message: QueueFeedMessage): Promise<void> {
    await this.deps.kv.publish(queueFeed(message.department), JSON.stringify(message)).catch((error) => {
      this.deps.logger.warn({ err: error }, 'queue: could not publish to the live views');
    });
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

  /** The chat the patient used last: where a check-in from outside the chat is told. */
  private async chatOf(patientId: string): Promise<ConversationAddress | undefined> {
    const identity = await this.deps.prisma.channelIdentity.findFirst({
      where: { patientId },
      orderBy: { lastSeenAt: 'desc' },
      select: { channel: true, channelUserId: true },
    });
    return identity ?? undefined;
  }
}

/** The next number of the department's day, from its counter row (one atomic statement). */
async function nextNumber(tx: QueueDb, department: Department, day: string): Promise<number> {
  const rows = await tx.$queryRaw<{ last: number }[]>`
    INSERT INTO "QueueCounter" ("department", "day", "last") VALUES (${department}, ${day}, 1)
    ON CONFLICT ("department", "day") DO UPDATE SET "last" = "QueueCounter"."last" + 1
    RETURNING "last"`;
  return Number(rows[0]!.last);
}

function update(tx: QueueDb, id: string, data: Record<string, unknown>): Promise<TicketRow> {
  return tx.queueTicket.update({ where: { id }, data, select: VIEW_COLUMNS });
}

function feed(row: TicketRow, change: QueueFeedMessage['change']): QueueFeedMessage {
  return {
    department: row.department as Department,
    change,
    ticketId: row.id,
    label: row.label,
    ...(row.room ? { room: row.room } : {}),
  };
}

const actorLabel = (actor: QueueActor) =>
  actor.staffId ? `staff:${actor.staffId}` : actor.apiKey ? `api-key:${actor.apiKey}` : 'system';
