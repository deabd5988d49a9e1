// The broadcasts and their recipient outbox on PostgreSQL. A broadcast and every recipient row
// are written in one transaction, the broadcast row first: a second request with the same
// idempotency key waits on the unique index until the first commits, then finds it. Delivery
// runs move recipients pending → claimed → sending → final with single UPDATE statements
// guarded by the state (and the run holding them), so a run that lost its recipients (cancel, a
// later run took over) changes nothing; claims take rows with FOR UPDATE SKIP LOCKED, so two
// runs never hold the same recipient. Nothing here loads a broadcast's recipients as a whole:
// counts are GROUP BY queries, claims and take-overs touch one batch.
import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../clock.ts';
import type { ChannelName } from '../conversation/message.ts';
import type {
  BroadcastDesk,
  BroadcastReport,
  BroadcastRequest,
  ClaimedRecipient,
  DeliveryResult,
  InterruptedCall,
  Recipient,
} from '../domain/broadcasts.ts';
import { senderLabel } from '../domain/broadcasts.ts';
import { isLocale, DEFAULT_LOCALE, type Locale } from '../i18n/locales.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { readReports } from './prisma-broadcasts-report.ts';

/** Recipient rows per INSERT: the rows travel as seven arrays, so the size is not bound by parameters. */
const INSERT_CHUNK = 5_000;

/** 100,000 recipients are written in a few seconds; a busy machine gets room. */
const CREATE_TRANSACTION = { maxWait: 30_000, timeout: 300_000 };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** States of a recipient not sent yet. */
const OPEN = ['pending', 'claimed', 'sending'];

interface ClaimedRow {
  id: string;
  channelUserId: string;
  locale: string;
}

const claimed = (row: ClaimedRow): ClaimedRecipient => ({
  id: row.id,
  channelUserId: row.channelUserId,
  locale: isLocale(row.locale) ? row.locale : DEFAULT_LOCALE,
});

export class PrismaBroadcastDesk implements BroadcastDesk {
  /**
   * The language each run is working through (key: run, broadcast, channel): a run keeps to
   * the language with most pending until it runs out, so the count that picks it is made once
   * per language, not once per claim. Forgotten when that language has run out.
   */
  private readonly working = new Map<string, Locale>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly clock: Clock = systemClock,
  ) {}

  private now(): Date {
    return new Date(this.clock.now());
  }

  async create(
    request: BroadcastRequest,
    recipients: Recipient[],
  ): Promise<{ id: string; recipients: number; created: boolean }> {
    const known = await this.made(request.idempotencyKey);
    if (known) return known;
    const id = randomUUID();
    const now = this.now();
    const outcome = await this.prisma.$transaction(async (tx) => {
      // ON CONFLICT waits for a concurrent insert of the same key to commit, then skips: the
      // first request's broadcast is then visible to the next statement (READ COMMITTED).
      const inserted = await tx.$queryRaw<{ id: string }[]>`
        INSERT INTO "Broadcast" ("id", "idempotencyKey", "audience", "texts", "sentBy", "status", "createdAt", "finishedAt")
        VALUES (${id}::uuid, ${request.idempotencyKey}, ${JSON.stringify(request.audience)}::jsonb,
                ${JSON.stringify(request.texts)}::jsonb, ${senderLabel(request.sender)},
                ${recipients.length === 0 ? 'done' : 'sending'}, ${now}, ${recipients.length === 0 ? now : null})
        ON CONFLICT ("idempotencyKey") DO NOTHING
        RETURNING "id"`;
      if (inserted.length === 0) return undefined;
      let count = 0;
      for (let start = 0; start < recipients.length; start += INSERT_CHUNK) {
        const chunk = recipients.slice(start, start + INSERT_CHUNK);
        count += await tx.$executeRaw`
          INSERT INTO "BroadcastRecipient" ("id", "broadcastId", "patientId", "channel", "channelUserId", "locale")
          SELECT gen_random_uuid(), ${id}::uuid, r."patientId", r."channel", r."channelUserId", r."locale"
            FROM unnest(${chunk.map((r) => r.patientId)}::uuid[], ${chunk.map((r) => r.channel)}::text[],
                        ${chunk.map((r) => r.channelUserId)}::text[], ${chunk.map((r) => r.locale)}::text[])
                 AS r("patientId", "channel", "channelUserId", "locale")
          ON CONFLICT ("broadcastId", "patientId") DO NOTHING`;
      }
      return { id, recipients: count, created: true };
    }, CREATE_TRANSACTION);
    if (outcome) return outcome;
    const first = await this.made(request.idempotencyKey);
    if (!first) throw new Error('a broadcast with this idempotency key was made and is gone');
    return first;
  }

  async made(
    idempotencyKey: string,
  ): Promise<{ id: string; recipients: number; created: false } | undefined> {
    const broadcast = await this.prisma.broadcast.findUnique({
      where: { idempotencyKey },
      select: { id: true },
    });
    if (!broadcast) return undefined;
    const recipients = await this.prisma.broadcastRecipient.count({ where: { broadcastId: broadcast.id } });
    return { id: broadcast.id, recipients, created: false };
  }

  async report(id: string): Promise<BroadcastReport | undefined> {
    // An id that is not a UUID names no broadcast (and PostgreSQL would refuse it).
    if (!UUID.test(id)) return undefined;
    const broadcast = await this.prisma.broadcast.findUnique({ where: { id } });
    if (!broadcast) return undefined;
    return (await readReports(this.prisma, [broadcast]))[0];
  }

  async list(limit: number): Promise<BroadcastReport[]> {
    const broadcasts = await this.prisma.broadcast.findMany({
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: Math.max(0, Math.min(limit, 500)),
    });
    return readReports(this.prisma, broadcasts);
  }

  async cancel(id: string): Promise<BroadcastReport | undefined> {
    if (!(await this.report(id))) return undefined;
    const now = this.now();
    await this.prisma.$transaction([
      this.prisma.broadcast.updateMany({
        where: { id, status: 'sending' },
        data: { status: 'cancelled', finishedAt: now },
      }),
      // Recipients being sent right now finish as their call ends (settle); the rest stop here.
      this.prisma.broadcastRecipient.updateMany({
        where: { broadcastId: id, state: { in: ['pending', 'claimed'] } },
        data: { state: 'cancelled', settledAt: now },
      }),
    ]);
    return this.report(id);
  }

  async unfinished(): Promise<{ id: string; channels: ChannelName[] }[]> {
    const sending = await this.prisma.broadcast.findMany({
      where: { status: 'sending' },
      orderBy: { createdAt: 'asc' },
      select: { id: true },
    });
    if (sending.length === 0) return [];
    const ids = sending.map((broadcast) => broadcast.id);
    const open = await this.prisma.$queryRaw<{ broadcastId: string; channel: string }[]>`
      SELECT DISTINCT "broadcastId"::text AS "broadcastId", "channel" FROM "BroadcastRecipient"
       WHERE "broadcastId" = ANY(${ids}::uuid[]) AND "state" = ANY(${OPEN}::text[])
       ORDER BY "channel"`;
    return ids.map((id) => ({
      id,
      channels: open.filter((row) => row.broadcastId === id).map((row) => row.channel),
    }));
  }

  async takeOver(broadcastId: string, channel: ChannelName, run: string): Promise<InterruptedCall[]> {
    for (const key of this.working.keys())
      if (key.endsWith(`|${broadcastId}|${channel}`)) this.working.delete(key);
    const interrupted = await this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`
        UPDATE "BroadcastRecipient" SET "state" = 'pending', "run" = NULL
         WHERE "broadcastId" = ${broadcastId}::uuid AND "channel" = ${channel} AND "state" = 'claimed'`;
      return tx.$queryRaw<(ClaimedRow & { callKey: string | null })[]>`
        UPDATE "BroadcastRecipient" SET "run" = ${run}
         WHERE "broadcastId" = ${broadcastId}::uuid AND "channel" = ${channel} AND "state" = 'sending'
        RETURNING "id"::text AS "id", "channelUserId", "locale", "callKey"`;
    });
    const calls = new Map<string, ClaimedRecipient[]>();
    for (const row of interrupted) {
      const key = row.callKey ?? '';
      calls.set(key, [...(calls.get(key) ?? []), claimed(row)]);
    }
    return [...calls].map(([key, recipients]) => ({ key, recipients }));
  }

  async claim(
    broadcastId: string,
    channel: ChannelName,
    run: string,
    max: number,
  ): Promise<ClaimedRecipient[]> {
    if (max <= 0) return [];
    const working = `${run}|${broadcastId}|${channel}`;
    const current = this.working.get(working);
    if (current) {
      const rows = await this.claimIn(broadcastId, channel, run, current, max);
      if (rows.length < max) this.working.delete(working);
      if (rows.length > 0) return rows;
    }
    const [most] = await this.prisma.$queryRaw<{ locale: string }[]>`
      SELECT "locale" FROM "BroadcastRecipient"
       WHERE "broadcastId" = ${broadcastId}::uuid AND "channel" = ${channel} AND "state" = 'pending'
       GROUP BY "locale" ORDER BY count(*) DESC, "locale" LIMIT 1`;
    if (!most) return [];
    const rows = await this.claimIn(broadcastId, channel, run, most.locale, max);
    if (rows.length === max && isLocale(most.locale)) this.working.set(working, most.locale);
    return rows;
  }

  private async claimIn(
    broadcastId: string,
    channel: ChannelName,
    run: string,
    locale: string,
    max: number,
  ): Promise<ClaimedRecipient[]> {
    const rows = await this.prisma.$queryRaw<ClaimedRow[]>`
      WITH picked AS (
        SELECT "id" FROM "BroadcastRecipient"
         WHERE "broadcastId" = ${broadcastId}::uuid AND "channel" = ${channel} AND "state" = 'pending'
           AND "locale" = ${locale}
         LIMIT ${max} FOR UPDATE SKIP LOCKED)
      UPDATE "BroadcastRecipient" r SET "state" = 'claimed', "run" = ${run}, "callKey" = NULL
        FROM picked WHERE r."id" = picked."id"
      RETURNING r."id"::text AS "id", r."channelUserId", r."locale"`;
    return rows.map(claimed);
  }

  async sending(run: string, key: string, recipientIds: string[]): Promise<boolean> {
    const ids = [...new Set(recipientIds)];
    if (ids.length === 0) return false;
    // All or none: a call is made for the whole batch, so none is marked unless the run still
    // holds every one of them.
    const marked = await this.prisma.$executeRaw`
      WITH held AS (
        SELECT "id" FROM "BroadcastRecipient"
         WHERE "id" = ANY(${ids}::uuid[]) AND "run" = ${run} AND "state" = 'claimed'
         FOR UPDATE)
      UPDATE "BroadcastRecipient" r SET "state" = 'sending', "callKey" = ${key}
        FROM held WHERE r."id" = held."id" AND (SELECT count(*) FROM held) = ${ids.length}::bigint`;
    return marked === ids.length;
  }

  async settle(outcomes: { id: string; result: DeliveryResult; reason?: string }[]): Promise<void> {
    if (outcomes.length === 0) return;
    await this.prisma.$executeRaw`
      UPDATE "BroadcastRecipient" r SET "state" = o."result", "reason" = o."reason", "settledAt" = ${this.now()}
        FROM unnest(${outcomes.map((o) => o.id)}::uuid[], ${outcomes.map((o) => o.result)}::text[],
                    ${outcomes.map((o) => o.reason ?? null)}::text[]) AS o("id", "result", "reason")
       WHERE r."id" = o."id" AND r."state" IN ('claimed', 'sending') AND o."result" <> ALL(${OPEN}::text[])`;
  }

  async release(run: string, recipientIds: string[]): Promise<void> {
    if (recipientIds.length === 0) return;
    await this.prisma.$executeRaw`
      UPDATE "BroadcastRecipient" SET "state" = 'pending', "run" = NULL, "callKey" = NULL
       WHERE "id" = ANY(${recipientIds}::uuid[]) AND "run" = ${run} AND "state" IN ('claimed', 'sending')`;
  }

  async finishIfDone(broadcastId: string): Promise<boolean> {
    const finished = await this.prisma.$executeRaw`
      UPDATE "Broadcast" b SET "status" = 'done', "finishedAt" = ${this.now()}
       WHERE b."id" = ${broadcastId}::uuid AND b."status" = 'sending'
         AND NOT EXISTS (SELECT 1 FROM "BroadcastRecipient" r
                          WHERE r."broadcastId" = b."id" AND r."state" = ANY(${OPEN}::text[]))`;
    if (finished > 0) return true;
    const broadcast = await this.prisma.broadcast.findUnique({
      where: { id: broadcastId },
      select: { status: true },
    });
    return broadcast?.status === 'done';
  }
}
