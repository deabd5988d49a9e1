// The patient register on PostgreSQL (Prisma): channel identities, consents, identification
// and recognition of patients who come back on another channel.
import type pg from 'pg';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { KnownPatient } from '../domain/patients.ts';
import type { ConversationAddress } from '../conversation/message.ts';
import type { ConsentDecision, Identification, PatientDirectory } from '../domain/patients.ts';
import { isLocale, type Locale } from '../i18n/locales.ts';

const HEALTH_DATA = 'health-data';

interface PatientRow {
  id: string;
  fullName: string | null;
  birthDate: string | null;
  phone: string | null;
  locale: string;
  country: string | null;
  erasedAt: Date | null;
  consented: boolean | null;
}

const FIND_BY_CHANNEL = `
  SELECT p.id, p."fullName", p."birthDate", p.phone, p.locale, p.country, p."erasedAt",
         (SELECT c.granted FROM "Consent" c
           WHERE c."patientId" = p.id AND c.purpose = $3
           ORDER BY c."decidedAt" DESC LIMIT 1) AS consented
    FROM "ChannelIdentity" i
    JOIN "Patient" p ON p.id = i."patientId"
   WHERE i.channel = $1 AND i."channelUserId" = $2`;

/** PatientDirectory on Prisma. */
export class PrismaPatientDirectory implements PatientDirectory {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly pool: pg.Pool,
  ) {}

  async findByChannel(address: ConversationAddress): Promise<KnownPatient | undefined> {
    // Runs for every new conversation. Plain SQL on Prisma's own pool: Prisma compiling this
    // query cost about a third of the CPU of a whole first message.
    const { rows } = await this.pool.query<PatientRow>(FIND_BY_CHANNEL, [
      address.channel,
      address.channelUserId,
      HEALTH_DATA,
    ]);
    const patient = rows[0];
    if (!patient || patient.erasedAt) return undefined;
    return {
      id: patient.id,
      displayName: patient.fullName ?? '',
      locale: isLocale(patient.locale) ? patient.locale : 'en',
      country: patient.country ?? undefined,
      birthDate: patient.birthDate ?? undefined,
      consented: patient.consented ?? false,
      profileComplete: Boolean(patient.fullName && patient.birthDate && patient.phone),
    };
  }

  async recordConsent(address: ConversationAddress, decision: ConsentDecision): Promise<void> {
    const patientId = await this.patientFor(address, decision.locale);
    await this.prisma.consent.create({
      data: {
        patientId,
        purpose: decision.purpose,
        textVersion: decision.textVersion,
        granted: decision.granted,
        channel: address.channel,
        ...(decision.decidedAt === undefined ? {} : { decidedAt: new Date(decision.decidedAt) }),
      },
    });
  }

  async identify(
    address: ConversationAddress,
    identification: Identification,
  ): Promise<{ patientId: string; returning: boolean }> {
    const currentId = await this.patientFor(address, identification.locale);
    return this.prisma.$transaction(async (tx) => {
      // A clinical record keeps the identity it was taken under: when this chat registers again
      // (after withdrawing consent and starting again) with another name or birth date, it is
      // another person, so the chat moves to a new (or the matching) patient with the consent
      // just given, and the earlier patient keeps its name, intakes and payments. The same name
      // and birth date with another phone is the same person with a new number: updated in place.
      const current = await tx.patient.findUniqueOrThrow({ where: { id: currentId } });
      // The earliest other patient registered with this phone and birth date: the same person.
      const samePersonElsewhere = () =>
        tx.patient.findFirst({
          where: {
            phone: identification.phone,
            birthDate: identification.birthDate,
            erasedAt: null,
            id: { not: currentId },
          },
          orderBy: { createdAt: 'asc' },
        });
      if (current.fullName && current.birthDate && !sameIdentity(current, identification)) {
        const match = await samePersonElsewhere();
        const patientId = match
          ? (await tx.patient.update({ where: { id: match.id }, data: { locale: identification.locale } })).id
          : (
              await tx.patient.create({
                data: {
                  fullName: identification.fullName,
                  birthDate: identification.birthDate,
                  phone: identification.phone,
                  country: identification.country,
                  locale: identification.locale,
                },
              })
            ).id;
        await tx.channelIdentity.update({ where: { channel_channelUserId: address }, data: { patientId } });
        const consent = await tx.consent.findFirst({
          where: { patientId: currentId, purpose: HEALTH_DATA, channel: address.channel },
          orderBy: { decidedAt: 'desc' },
        });
        if (consent) await tx.consent.update({ where: { id: consent.id }, data: { patientId } });
        return { patientId, returning: Boolean(match) };
      }
      const existing = await samePersonElsewhere();
      if (!existing) {
        await tx.patient.update({
          where: { id: currentId },
          data: {
            fullName: current.fullName ?? identification.fullName,
            birthDate: identification.birthDate,
            phone: identification.phone,
            country: identification.country,
            locale: identification.locale,
          },
        });
        return { patientId: currentId, returning: false };
      }
      // The same person registered before (another channel, or a lost chat): one record, with
      // this channel account, its consents, emergency records and intakes moved onto it.
      await tx.channelIdentity.updateMany({
        where: { patientId: currentId },
        data: { patientId: existing.id },
      });
      await tx.consent.updateMany({ where: { patientId: currentId }, data: { patientId: existing.id } });
      await tx.redFlagEvent.updateMany({ where: { patientId: currentId }, data: { patientId: existing.id } });
      await tx.intake.updateMany({ where: { patientId: currentId }, data: { patientId: existing.id } });
      await tx.patient.delete({ where: { id: currentId } });
      await tx.patient.update({ where: { id: existing.id }, data: { locale: identification.locale } });
      return { patientId: existing.id, returning: true };
    });
  }

  async setLocale(address: ConversationAddress, locale: Locale): Promise<void> {
    const identity = await this.prisma.channelIdentity.findUnique({
      where: { channel_channelUserId: address },
    });
    if (identity) await this.prisma.patient.update({ where: { id: identity.patientId }, data: { locale } });
  }

  async recordRedFlag(
    address: ConversationAddress,
    match: { phrase: string; phraseLocale: Locale; emergencyNumber: string },
  ): Promise<void> {
    const identity = await this.prisma.channelIdentity.findUnique({
      where: { channel_channelUserId: address },
    });
    await this.prisma.redFlagEvent.create({
      data: { ...address, ...match, patientId: identity?.patientId ?? null },
    });
  }

  /** The patient behind this channel account, created on first contact. */
  private async patientFor(address: ConversationAddress, locale: Locale): Promise<string> {
    const identity = await this.prisma.channelIdentity.upsert({
      where: { channel_channelUserId: address },
      update: { lastSeenAt: new Date() },
      create: { ...address, patient: { create: { locale } } },
    });
    return identity.patientId;
  }
}

/** The same person: the same name (ignoring case and spacing) and the same birth date. */
function sameIdentity(
  patient: { fullName: string | null; birthDate: string | null },
  identification: Identification,
): boolean {
  const name = (text: string | null) =>
    (text ?? '').normalize('NFC').trim().replace(/\s+/g, ' ').toLocaleLowerCase();
  return (
    name(patient.fullName) === name(identification.fullName) && patient.birthDate === identification.birthDate
  );
}
