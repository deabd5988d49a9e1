// What the desk tells after a change: a small JSON message on the department's feed for the live
// views, and the patients it concerns through the ConversationNotifier — only those who crossed
// a QUEUE_NOTIFY_AHEAD position (while the channel's push budget lasts), the called, the missed
// and the moved, each under a dedupe key (events.ts), so a retried change tells nobody twice.
import type { Logger } from 'pino';
import type { SystemEvent } from '../conversation/flow.ts';
import type { ConversationAddress } from '../conversation/message.ts';
import type { ConversationNotifier } from '../conversation/notifier.ts';
import { crossedThreshold } from '../domain/queue-order.ts';
import { queueFeed, type TicketView } from '../domain/queue.ts';
import type { Department } from '../domain/triage.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { FieldCipher } from '../security/field-cipher.ts';
import type { KeyValueStore } from './kv/key-value-store.ts';
import { roundOf, VIEW_COLUMNS, viewOf, type Line, type TicketRow } from './prisma-queue-line.ts';
import type { PushBudget } from './queue-push-budget.ts';
import '../features/queue/events.ts';

/** What the department's feed says changed (the live views read the board again). */
export interface QueueFeedMessage {
  department: Department;
  change: 'issued' | 'called' | 'recalled' | 'no_show' | 'requeued' | 'transferred' | 'done' | 'left';
  ticketId: string;
  label: string;
  room?: string;
}

export interface Notice {
  ticketId: string;
  event: SystemEvent;
  dedupeKey: string;
  /** For a threshold notice: the line it was reached in (its view is built from it). */
  line?: Line;
}

export function feed(row: TicketRow, change: QueueFeedMessage['change']): QueueFeedMessage {
  return {
    department: row.department as Department,
    change,
    ticketId: row.id,
    label: row.label,
    ...(row.room ? { room: row.room } : {}),
  };
}

/** "Your turn" (again after a recall): always sent. */
export function calledNotice(row: TicketRow): Notice {
  return {
    ticketId: row.id,
    event: { kind: 'system', name: 'queue.called', data: { ticket: viewOf(row, undefined) } },
    dedupeKey: `queue:${row.id}:called:${row.recalls}${roundOf(row)}`,
  };
}

export class QueueNotices {
  constructor(
    private readonly deps: {
      prisma: PrismaClient;
      cipher: FieldCipher;
      notifier: ConversationNotifier;
      kv: Pick<KeyValueStore, 'publish'>;
      pushes: PushBudget;
      logger: Logger;
      notifyAhead: number[];
    },
  ) {}

  /** The waiting tickets whose place passed a QUEUE_NOTIFY_AHEAD position between two lines. */
  thresholds(before: Line, after: Line): Notice[] {
    const notices: Notice[] = [];
    for (const [id, ahead] of after.ahead) {
      const threshold = crossedThreshold(before.ahead.get(id), ahead, this.deps.notifyAhead);
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

  /** Tells each notice's patient; threshold notices only while the channel's budget lasts. */
  async tell(notices: Notice[]): Promise<void> {
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
      if (notice.event.name === 'queue.ahead') {
        if (row.status !== 'waiting' || !(await this.deps.pushes.take(address.channel))) continue;
        const event: SystemEvent = {
          kind: 'system',
          name: 'queue.ahead',
          data: { ticket: viewOf(row, notice.line) },
        };
        await this.notify(address, event, `${notice.dedupeKey}${roundOf(row)}`);
        continue;
      }
      await this.deps.pushes.spend(address.channel);
      await this.notify(address, notice.event, notice.dedupeKey);
    }
  }

  /** Tells one conversation, whatever else happens: the change is made either way. */
  async notify(address: ConversationAddress, event: SystemEvent, dedupeKey: string): Promise<void> {
    try {
      await this.deps.notifier.notify(address, event, dedupeKey);
    } catch (error) {
      // A patient not told now sees it on the live page or on refresh.
      this.deps.logger.error({ err: error, event: event.name }, 'queue: could not tell the patient');
    }
  }

  async publish(message: QueueFeedMessage): Promise<void> {
    await this.deps.kv.publish(queueFeed(message.department), JSON.stringify(message)).catch((error) => {
      this.deps.logger.warn({ err: error }, 'queue: could not publish to the live views');
    });
  }
}
