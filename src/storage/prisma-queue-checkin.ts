// Issuing tickets: check-in for a booked appointment (within CHECKIN_WINDOW_MINUTES, the
// hospital told the patient arrived), walk-ins where the department takes them, and finding a
// patient's live ticket by the keyed hash of their chat address (stored encrypted).
import type { ConversationAddress } from '../conversation/message.ts';
import { checkInTiming, ticketLabel } from '../domain/queue-rules.ts';
import type { CheckInResult, TicketKind, TicketView } from '../domain/queue.ts';
import { zonedDate } from '../domain/time-zone.ts';
import { DEPARTMENTS, type Department } from '../domain/triage.ts';
import type { Locale } from '../i18n/locales.ts';
import type { BookedAppointment } from '../integrations/fhir/hospital.ts';
import { VIEW_COLUMNS, type QueueDb, type TicketRow } from './prisma-queue-line.ts';
import type { QueueNotices } from './prisma-queue-notices.ts';
import type { QueueDeskDeps } from './prisma-queue-deps.ts';

const LIVE = ['waiting', 'called'];

export const isDepartment = (value: string): value is Department =>
  (DEPARTMENTS as readonly string[]).includes(value);

/** What issuing needs of the desk: its lock and its views. */
export interface DeskAccess {
  locked<T>(departments: Department[], work: (tx: QueueDb) => Promise<T>): Promise<T>;
  view(row: TicketRow): Promise<TicketView>;
}

export class QueueCheckIns {
  constructor(
    private readonly deps: QueueDeskDeps,
    private readonly notices: QueueNotices,
    private readonly desk: DeskAccess,
  ) {}

  private now(): number {
    return this.deps.clock.now();
  }

  private today(): string {
    return zonedDate(new Date(this.now()), this.deps.settings.timeZone);
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
    if (existing) return { ticket: await this.desk.view(existing) };
    const address = request.address ?? (request.patientId && (await this.chatOf(request.patientId)));
    if (!address) return { refused: { reason: 'no_appointment' } };
    const now = this.now();
    let appointment: BookedAppointment | undefined;
    try {
      const booked = await this.deps.hospital.appointment(request.appointmentId);
      if (!booked || !['booked', 'arrived', 'checked-in'].includes(booked.status))
        return { refused: { reason: 'no_appointment' } };
      const timing = checkInTiming(booked.start.getTime(), now, this.deps.settings.checkInWindow);
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
    if (!this.deps.settings.departments[request.department]?.walkIn)
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
    const prefix = this.deps.settings.departments[department].prefix;
    const result = await this.desk.locked([department], async (tx) => {
      // Read under the lock, so arrival times follow the numbers.
      const now = this.now();
      if (request.appointmentId) {
        // Checked in at the same moment on another instance: that ticket is the one.
        const twin = await tx.queueTicket.findUnique({
          where: { appointmentId: request.appointmentId },
          select: VIEW_COLUMNS,
        });
        if (twin) return { row: twin, fresh: false };
      } else {
        // A second press of "walk in" at the same moment (the department's lock holds it here).
        const live = await tx.queueTicket.findFirst({
          where: { addressKey: this.addressKey(request.address), day, status: { in: LIVE } },
          select: VIEW_COLUMNS,
        });
        if (live) return { row: live, fresh: false };
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
    const view = await this.desk.view(result.row);
    if (result.fresh) {
      await this.notices.publish({ department, change: 'issued', ticketId: view.id, label: view.label });
      if (request.tell)
        await this.notices.notify(
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
    return row ? this.desk.view(row) : undefined;
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
export async function nextNumber(tx: QueueDb, department: Department, day: string): Promise<number> {
  const rows = await tx.$queryRaw<{ last: number }[]>`
    INSERT INTO "QueueCounter" ("department", "day", "last") VALUES (${department}, ${day}, 1)
    ON CONFLICT ("department", "day") DO UPDATE SET "last" = "QueueCounter"."last" + 1
    RETURNING "last"`;
  return Number(rows[0]!.last);
}
