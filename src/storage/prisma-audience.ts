// Who a broadcast reaches: the patients with an appointment on a day (asked of the hospital),
// those holding a ticket in a department's queue today, or those who said yes to hospital
// notices and have not said "stop" since. Each patient once, on one channel: the queue ticket's
// own chat for a queue notice (where the patient is being told about the line already),
// otherwise the chat they used last. Erased patients, and patients with no chat, are left out.
import type { Clock } from '../clock.ts';
import type { ConversationAddress } from '../conversation/message.ts';
import {
  HOSPITAL_NOTICES,
  type Audience,
  type AudienceFinder,
  type Recipient,
} from '../domain/broadcasts.ts';
import { zonedDate } from '../domain/time-zone.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { DayAppointment, DayAppointmentsQuery } from '../integrations/fhir/hospital.ts';
import { DEFAULT_LOCALE, isLocale } from '../i18n/locales.ts';
import type { FieldCipher } from '../security/field-cipher.ts';

/** What the finder needs of the hospital (src/integrations/fhir/hospital.ts). */
export interface AudienceHospital {
  appointmentsOn(query: DayAppointmentsQuery): Promise<DayAppointment[]>;
}

export interface AudienceFinderDeps {
  prisma: PrismaClient;
  hospital: AudienceHospital;
  /** Opens the queue tickets' chat addresses. */
  cipher: Pick<FieldCipher, 'decryptJson'>;
  /** HOSPITAL_TIME_ZONE: what "today" and an appointment date mean. */
  timeZone: string;
  clock: Clock;
}

interface ReachRow {
  id: string;
  locale: string;
  channel: string;
  channelUserId: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Patient ids per query of the appointments audience. */
const LOOKUP_CHUNK = 10_000;

const LIVE_TICKETS = ['waiting', 'called'];

const recipientOf = (row: ReachRow): Recipient => ({
  patientId: row.id,
  channel: row.channel,
  channelUserId: row.channelUserId,
  locale: isLocale(row.locale) ? row.locale : DEFAULT_LOCALE,
});

export class PrismaAudienceFinder implements AudienceFinder {
  constructor(private readonly deps: AudienceFinderDeps) {}

  recipients(audience: Audience): Promise<Recipient[]> {
    switch (audience.kind) {
      case 'appointments':
        return this.appointments(audience);
      case 'queue':
        return this.queue(audience.department);
      case 'subscribers':
        return this.subscribers();
    }
  }

  private async appointments(audience: Extract<Audience, { kind: 'appointments' }>): Promise<Recipient[]> {
    const appointments = await this.deps.hospital.appointmentsOn({
      date: audience.date,
      timeZone: this.deps.timeZone,
      ...(audience.department ? { department: audience.department } : {}),
      ...(audience.doctor ? { doctor: audience.doctor } : {}),
    });
    // Only the hospital's patients that are ours carry our id; anything else is not a patient here.
    const ids = [
      ...new Set(
        appointments.flatMap((appointment) =>
          appointment.ourPatientId && UUID.test(appointment.ourPatientId) ? [appointment.ourPatientId] : [],
        ),
      ),
    ];
    const recipients: Recipient[] = [];
    for (let start = 0; start < ids.length; start += LOOKUP_CHUNK) {
      const chunk = ids.slice(start, start + LOOKUP_CHUNK);
      const rows = await this.deps.prisma.$queryRaw<ReachRow[]>`
        SELECT p."id"::text AS "id", p."locale", i."channel", i."channelUserId"
          FROM "Patient" p
          JOIN LATERAL (SELECT "channel", "channelUserId" FROM "ChannelIdentity"
                         WHERE "patientId" = p."id" ORDER BY "lastSeenAt" DESC, "id" LIMIT 1) i ON true
         WHERE p."id" = ANY(${chunk}::uuid[]) AND p."erasedAt" IS NULL`;
      recipients.push(...rows.map(recipientOf));
    }
    return recipients;
  }

  private async subscribers(): Promise<Recipient[]> {
    // Each patient's latest decision on hospital notices (the consent index is on patient,
    // purpose, time); only a yes that still stands counts.
    const rows = await this.deps.prisma.$queryRaw<ReachRow[]>`
      WITH latest AS (
        SELECT DISTINCT ON ("patientId") "patientId", "granted" FROM "Consent"
         WHERE "purpose" = ${HOSPITAL_NOTICES}
         ORDER BY "patientId", "decidedAt" DESC, "id" DESC)
      SELECT p."id"::text AS "id", p."locale", i."channel", i."channelUserId"
        FROM latest
        JOIN "Patient" p ON p."id" = latest."patientId"
        JOIN LATERAL (SELECT "channel", "channelUserId" FROM "ChannelIdentity"
                       WHERE "patientId" = p."id" ORDER BY "lastSeenAt" DESC, "id" LIMIT 1) i ON true
       WHERE latest."granted" AND p."erasedAt" IS NULL`;
    return rows.map(recipientOf);
  }

  private async queue(department: string): Promise<Recipient[]> {
    const day = zonedDate(new Date(this.deps.clock.now()), this.deps.timeZone);
    const tickets = await this.deps.prisma.queueTicket.findMany({
      where: { department, day, status: { in: LIVE_TICKETS } },
      orderBy: { sortAt: 'asc' },
      select: { address: true, patientId: true, locale: true },
    });
    const held = tickets.map((ticket) => ({
      address: this.deps.cipher.decryptJson<ConversationAddress>(ticket.address),
      patientId: ticket.patientId,
      locale: ticket.locale,
    }));
    // A ticket taken without a known patient is matched by its chat, when that chat is a patient's.
    const unknown = held.filter((ticket) => !ticket.patientId);
    const byChat = new Map<string, string>();
    if (unknown.length > 0) {
      const identities = await this.deps.prisma.channelIdentity.findMany({
        where: {
          OR: unknown.map((ticket) => ({
            channel: ticket.address.channel,
            channelUserId: ticket.address.channelUserId,
          })),
        },
        select: { channel: true, channelUserId: true, patientId: true },
      });
      for (const identity of identities)
        byChat.set(`${identity.channel}:${identity.channelUserId}`, identity.patientId);
    }
    const withPatient = held.flatMap((ticket) => {
      const patientId =
        ticket.patientId ?? byChat.get(`${ticket.address.channel}:${ticket.address.channelUserId}`);
      return patientId ? [{ ...ticket, patientId }] : [];
    });
    const present = new Set(
      (
        await this.deps.prisma.patient.findMany({
          where: { id: { in: [...new Set(withPatient.map((ticket) => ticket.patientId))] }, erasedAt: null },
          select: { id: true },
        })
      ).map((patient) => patient.id),
    );
    const seen = new Set<string>();
    const recipients: Recipient[] = [];
    for (const ticket of withPatient) {
      if (!present.has(ticket.patientId) || seen.has(ticket.patientId)) continue;
      seen.add(ticket.patientId);
      recipients.push({
        patientId: ticket.patientId,
        channel: ticket.address.channel,
        channelUserId: ticket.address.channelUserId,
        locale: isLocale(ticket.locale) ? ticket.locale : DEFAULT_LOCALE,
      });
    }
    return recipients;
  }
}
