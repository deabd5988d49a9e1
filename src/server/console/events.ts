// The console's live events: one discriminated union shared by the server, which sends them on
// /console/api/stream, and the web front end, which patches its views with them. Each carries
// the change itself (never more than the list it patches shows), so a page need not refetch.
import type { BroadcastReport } from '../../domain/broadcasts.ts';
import type { IntakeSummary } from '../../domain/intakes.ts';
import type { StaffQueueBoard } from '../../domain/queue.ts';

/** A value as it crosses JSON: dates become ISO strings. */
export type Wire<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] };

/** A row of the triage inbox as the browser receives it. */
export type InboxRow = Wire<IntakeSummary>;

export type ConsoleEvent =
  /** An open intake was stored or changed: its inbox row as it is now. */
  | { type: 'intake.changed'; intake: InboxRow }
  /** An intake was closed: it leaves the inbox. */
  | { type: 'intake.closed'; id: string }
  /** A department's queue moved (a ticket issued, called, recalled, done…): its staff board now. */
  | { type: 'queue.board'; board: StaffQueueBoard }
  /** A broadcast's delivery moved on (or it was cancelled or finished): its report now. */
  | { type: 'broadcast.progress'; report: BroadcastReport };

export type ConsoleEventType = ConsoleEvent['type'];

/** The SSE event name: the part before the dot, so a page listens to one family. */
export const sseName = (event: ConsoleEvent): string => event.type.split('.')[0]!;

/** Only the inbox row's fields, whatever richer object the summary is taken from. */
export function inboxRow(summary: IntakeSummary): InboxRow {
  return {
    id: summary.id,
    createdAt: summary.createdAt.toISOString(),
    acuity: summary.acuity,
    triageAcuity: summary.triageAcuity,
    department: summary.department,
    status: summary.status,
    reviewRequired: summary.reviewRequired,
    complaint: summary.complaint,
    redFlags: summary.redFlags,
    typedRedFlags: summary.typedRedFlags,
    patientName: summary.patientName,
    channel: summary.channel,
    locale: summary.locale,
  };
}
