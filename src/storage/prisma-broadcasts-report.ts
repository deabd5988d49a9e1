// Delivery reports of broadcasts: the recipients counted by channel and state in the database
// (GROUP BY on the outbox's index), never loaded.
import type {
  Audience,
  BroadcastReport,
  BroadcastStatus,
  BroadcastTexts,
  DeliveryCounts,
  RecipientState,
} from '../domain/broadcasts.ts';
import type { Broadcast, PrismaClient } from '../generated/prisma/client.ts';

export const noCounts = (): DeliveryCounts => ({
  total: 0,
  sent: 0,
  failed: 0,
  blocked: 0,
  pending: 0,
  cancelled: 0,
});

/** Adds `count` recipients in `state` to the counts. */
function add(counts: DeliveryCounts, state: RecipientState, count: number): void {
  counts.total += count;
  switch (state) {
    case 'sent':
    case 'failed':
    case 'blocked':
    case 'cancelled':
      counts[state] += count;
      break;
    // Claimed and being sent are not sent yet.
    default:
      counts.pending += count;
  }
}

const STATUSES: BroadcastStatus[] = ['sending', 'done', 'cancelled'];

/** Reports of the broadcasts, in the order given. */
export async function readReports(
  prisma: Pick<PrismaClient, '$queryRaw'>,
  broadcasts: Broadcast[],
): Promise<BroadcastReport[]> {
  if (broadcasts.length === 0) return [];
  const rows = await prisma.$queryRaw<
    { broadcastId: string; channel: string; state: string; count: number }[]
  >`
    SELECT "broadcastId"::text AS "broadcastId", "channel", "state", count(*)::int AS "count"
      FROM "BroadcastRecipient"
     WHERE "broadcastId" = ANY(${broadcasts.map((broadcast) => broadcast.id)}::uuid[])
     GROUP BY "broadcastId", "channel", "state"`;
  return broadcasts.map((broadcast) => {
    const report: BroadcastReport = {
      id: broadcast.id,
      status: STATUSES.find((status) => status === broadcast.status) ?? 'sending',
      audience: broadcast.audience as unknown as Audience,
      texts: broadcast.texts as BroadcastTexts,
      sentBy: broadcast.sentBy,
      createdAt: broadcast.createdAt.getTime(),
      ...(broadcast.finishedAt ? { finishedAt: broadcast.finishedAt.getTime() } : {}),
      ...noCounts(),
      channels: {},
    };
    for (const row of rows) {
      if (row.broadcastId !== broadcast.id) continue;
      const count = Number(row.count);
      add(report, row.state as RecipientState, count);
      add((report.channels[row.channel] ??= noCounts()), row.state as RecipientState, count);
    }
    return report;
  });
}
