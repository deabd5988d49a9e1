// Intakes on PostgreSQL (Prisma). What the patient said is encrypted field by field before it
// reaches the database; the columns in clear (acuity, department, status, times) are what the
// inbox sorts and routes by.
import { createHash } from 'node:crypto';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { IntakeRecord, TypedRedFlag } from '../domain/intakes.ts';
import type { ConversationAddress } from '../conversation/message.ts';
import {
  redFlagsOf,
  type IntakeAction,
  type IntakeDesk,
  type IntakeDetail,
  type IntakeRecorder,
  type IntakeStatus,
  type IntakeSummary,
} from '../domain/intakes.ts';
import { dispositionFor, type Acuity, type Department, type IntakeAnswers } from '../domain/triage.ts';
import type { FieldCipher } from '../security/field-cipher.ts';

/** The encrypted part of an intake. */
interface IntakeContent {
  answers: IntakeAnswers;
  description?: string;
  reasons: string[];
  /** Emergency phrases typed during the intake or later on its thread. */
  typedRedFlags?: TypedRedFlag[];
}

/** A UUID derived from an effect's id, so a retried effect finds the row it wrote. */
function uuidFrom(key: string): string {
  const hex = createHash('sha256').update(key).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

interface IntakeRow {
  id: string;
  createdAt: Date;
  acuity: number;
  triageAcuity: number;
  department: string;
  status: string;
  reviewRequired: boolean;
  channel: string;
  locale: string;
  content: string;
  patient: { fullName: string | null };
}

/** Longest inbox the console loads at once; older open intakes are reached by closing newer. */
const INBOX_LIMIT = 500;

export class PrismaIntakeStore implements IntakeRecorder, IntakeDesk {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly cipher: FieldCipher,
    /** Told the id of every intake stored or changed (the console's live inbox). */
    private readonly changed: (id: string) => Promise<void> = async () => undefined,
  ) {}

  async record(
    address: ConversationAddress,
    patientId: string,
    intake: IntakeRecord,
    sourceKey: string,
  ): Promise<void> {
    const content: IntakeContent = {
      answers: intake.answers,
      description: intake.description,
      reasons: intake.result.reasons,
      ...(intake.typedRedFlags?.length ? { typedRedFlags: intake.typedRedFlags } : {}),
    };
    const { id } = await this.prisma.intake.upsert({
      where: { sourceKey },
      update: {},
      create: {
        sourceKey,
        patientId,
        channel: address.channel,
        channelUserId: address.channelUserId,
        locale: intake.locale,
        content: this.cipher.encryptJson(content),
        rulesVersion: intake.rulesVersion,
        triageAcuity: intake.result.acuity,
        acuity: intake.result.acuity,
        department: intake.result.department,
        reviewRequired: intake.result.reviewRequired,
        bookingUrgency: intake.result.bookingUrgency,
      },
      select: { id: true },
    });
    await this.changed(id);
  }

  async patientReply(
    address: ConversationAddress,
    intakeId: string,
    reply: { text: string; redFlag?: TypedRedFlag },
    sourceKey: string,
  ): Promise<void> {
    const eventId = uuidFrom(sourceKey);
    const stored = await this.prisma.$transaction(async (tx) => {
      // Only this conversation's own intake; a retried effect finds its row and stops.
      const intake = await tx.intake.findFirst({
        where: { id: intakeId, channel: address.channel, channelUserId: address.channelUserId },
      });
      if (!intake || (await tx.intakeEvent.findUnique({ where: { id: eventId }, select: { id: true } })))
        return false;
      const detail: Record<string, string> = { text: reply.text };
      let change: Record<string, unknown> =
        intake.status === 'closed' ? { status: 'reviewed', closedAt: null } : {};
      if (reply.redFlag) {
        detail.phrase = reply.redFlag.phrase;
        const content = this.cipher.decryptJson<IntakeContent>(intake.content);
        content.typedRedFlags = [...(content.typedRedFlags ?? []), reply.redFlag];
        const acuity = Math.min(intake.acuity, reply.redFlag.acuity) as Acuity;
        // A new emergency needs a fresh review, whatever was decided before.
        change = {
          content: this.cipher.encryptJson(content),
          acuity,
          ...dispositionFor(acuity),
          ...(acuity === 1 ? { department: 'emergency' } : {}),
          status: 'new',
          closedAt: null,
        };
      }
      await tx.intake.update({ where: { id: intakeId }, data: change });
      await tx.intakeEvent.create({
        data: {
          id: eventId,
          intakeId,
          staffId: null,
          kind: 'reply',
          content: this.cipher.encryptJson(detail),
        },
      });
      return true;
    });
    if (stored) await this.changed(intakeId);
  }

  /** Open intakes, most urgent first, an emergency phrase typed first within a level, then longest waiting. */
  async inbox(): Promise<IntakeSummary[]> {
    const rows = await this.prisma.intake.findMany({
      where: { status: { not: 'closed' } },
      orderBy: [{ acuity: 'asc' }, { createdAt: 'asc' }],
      take: INBOX_LIMIT,
      include: { patient: { select: { fullName: true } } },
    });
    const alerted = (summary: IntakeSummary) => (summary.typedRedFlags.length > 0 ? 0 : 1);
    return rows
      .map((row) => this.summary(row))
      .sort((a, b) => a.acuity - b.acuity || alerted(a) - alerted(b));
  }

  async detail(id: string): Promise<IntakeDetail | undefined> {
    const row = await this.prisma.intake.findUnique({
      where: { id },
      include: {
        patient: { select: { id: true, fullName: true, birthDate: true, phone: true } },
        events: { orderBy: { at: 'asc' }, include: { staff: { select: { displayName: true } } } },
      },
    });
    if (!row) return undefined;
    const content = this.cipher.decryptJson<IntakeContent>(row.content);
    const actions: IntakeAction[] = row.events.map((event) => ({
      at: event.at,
      kind: event.kind as IntakeAction['kind'],
      // Empty for the patient's replies and for staff no longer on record: the console names them
      // in its reader's language.
      staff: event.kind === 'reply' ? '' : (event.staff?.displayName ?? ''),
      detail: this.cipher.decryptJson<IntakeAction['detail']>(event.content),
    }));
    return {
      ...this.summary(row, content),
      answers: content.answers,
      description: content.description,
      reasons: content.reasons,
      bookingUrgency: row.bookingUrgency,
      rulesVersion: row.rulesVersion,
      patient: {
        id: row.patient.id,
        fullName: row.patient.fullName ?? '',
        birthDate: row.patient.birthDate ?? '',
        phone: row.patient.phone ?? '',
      },
      address: { channel: row.channel, channelUserId: row.channelUserId },
      actions,
    };
  }

  /** Confirms (same level) or overrides the acuity; either way the intake counts as reviewed. */
  async setAcuity(id: string, staffId: string, acuity: Acuity, reason: string): Promise<boolean> {
    const { reviewRequired, bookingUrgency } = dispositionFor(acuity);
    return this.act(
      id,
      staffId,
      'acuity',
      { acuity, reason },
      {
        acuity,
        reviewRequired,
        bookingUrgency,
        status: 'reviewed',
        reviewedAt: new Date(),
      },
    );
  }

  async route(id: string, staffId: string, department: Department): Promise<boolean> {
    return this.act(id, staffId, 'route', { department }, { department });
  }

  async logMessage(id: string, staffId: string, message: Record<string, string>): Promise<boolean> {
    return this.act(id, staffId, 'message', message, {});
  }

  /** Records that a nurse approved a booking that triage had held for review. */
  async logApproval(id: string, staffId: string, appointment: { start: string }): Promise<boolean> {
    return this.act(id, staffId, 'approve', appointment, {});
  }

  async close(id: string, staffId: string): Promise<boolean> {
    return this.act(id, staffId, 'close', {}, { status: 'closed', closedAt: new Date() });
  }

  /** Applies a change to an open intake with its record of who did it; false when not found or closed. */
  private async act(
    id: string,
    staffId: string,
    kind: IntakeAction['kind'],
    detail: IntakeAction['detail'],
    change: { acuity?: number; department?: string; status?: IntakeStatus } & Record<string, unknown>,
  ): Promise<boolean> {
    const done = await this.prisma.$transaction(async (tx) => {
      const updated = await tx.intake.updateMany({
        where: { id, status: { not: 'closed' } },
        data: change,
      });
      if (updated.count === 0) return false;
      await tx.intakeEvent.create({
        data: { intakeId: id, staffId, kind, content: this.cipher.encryptJson(detail) },
      });
      return true;
    });
    if (done) await this.changed(id);
    return done;
  }

  private summary(
    row: IntakeRow,
    content = this.cipher.decryptJson<IntakeContent>(row.content),
  ): IntakeSummary {
    return {
      id: row.id,
      createdAt: row.createdAt,
      acuity: row.acuity as Acuity,
      triageAcuity: row.triageAcuity as Acuity,
      department: row.department as Department,
      status: row.status as IntakeStatus,
      reviewRequired: row.reviewRequired,
      complaint: content.answers.complaint,
      redFlags: redFlagsOf(content.answers),
      typedRedFlags: content.typedRedFlags ?? [],
      patientName: row.patient.fullName ?? '',
      channel: row.channel,
      locale: row.locale,
    };
  }
}
