// The queue at the hospital as the rest of Frontdoor sees it: tickets issued at check-in, the
// order they are called in, and what staff, the waiting-room display and patients may see.
// Plain data; the desk (QueueDesk) is implemented over PostgreSQL in src/storage/.
import type { ConversationAddress } from '../conversation/message.ts';
import type { Locale } from '../i18n/locales.ts';
import type { Department } from './triage.ts';

/** waiting → called (recalled any number of times up to QUEUE_MAX_RECALLS) → done | no_show; or left. */
export type TicketStatus = 'waiting' | 'called' | 'done' | 'no_show' | 'left';

export type TicketKind = 'appointment' | 'walk_in';

/** A ticket as the desk keeps it. Never shown whole outside the desk: see the views below. */
export interface QueueTicket {
  id: string;
  department: Department;
  /** The hospital-zone day it was issued for (YYYY-MM-DD); numbers restart every day. */
  day: string;
  /** 23 for "B-023": consecutive per department and day, never shared. */
  number: number;
  /** The department's prefix and the number: "B-023". */
  label: string;
  kind: TicketKind;
  status: TicketStatus;
  appointmentId?: string;
  /** Epoch ms of the appointment's start (appointments are ordered by it). */
  appointmentStart?: number;
  /** Triage acuity (1 emergency … 5 self-care), for the order within the grace window. */
  acuity?: number;
  checkedInAt: number;
  /** Where it stands in line: the check-in, or the re-queue. */
  queuedAt: number;
  room?: string;
  calledAt?: number;
  recalls: number;
  /** A missed turn may be re-queued once. */
  requeued: boolean;
  /** Whom to tell as the queue moves. */
  address: ConversationAddress;
  patientId?: string;
  locale: Locale;
}

/** What the patient sees of their own ticket (the chat, the live ticket page). */
export interface TicketView {
  id: string;
  label: string;
  department: Department;
  status: TicketStatus;
  /** Tickets called before this one (0: next); undefined once called. */
  ahead?: number;
  /** Minutes until its turn, from the department's recent service times. */
  etaMinutes?: number;
  room?: string;
  /** Whether a missed turn may still be re-queued. */
  canRequeue: boolean;
}

/** The waiting room as the public display and the hospital API show it: no personal data. */
export interface QueueBoard {
  department: Department;
  day: string;
  /** Most recent call first. */
  calling: { label: string; room: string; calledAt: number; recalls: number }[];
  /** In calling order. */
  waiting: { label: string; kind: TicketKind; etaMinutes: number }[];
  /** Rolling average of the department's real service times today (minutes). */
  averageServiceMinutes: number;
}

/** The staff board: the public board plus what staff act on (ids, appointment times, priority). */
export interface StaffQueueBoard extends QueueBoard {
  tickets: {
    id: string;
    label: string;
    kind: TicketKind;
    status: TicketStatus;
    appointmentStart?: number;
    acuity?: number;
    room?: string;
    recalls: number;
    requeued: boolean;
    checkedInAt: number;
    calledAt?: number;
  }[];
}

/** Why a check-in or a walk-in was refused. */
export type CheckInRefusal =
  /** Outside CHECKIN_WINDOW_MINUTES: `opensAt`/`closedAt` say when it could be done. */
  | { reason: 'too_early'; opensAt: number }
  | { reason: 'too_late'; closedAt: number }
  | { reason: 'no_appointment' }
  | { reason: 'walk_in_not_allowed'; department: Department }
  | { reason: 'hospital_unavailable' };

export type CheckInResult = { ticket: TicketView } | { refused: CheckInRefusal };

/** Who acted, for the audit log and for the order of two presses at once. */
export interface QueueActor {
  staffId?: string;
  /** An API key's name when a hospital system acted. */
  apiKey?: string;
}

/** The queue's port: issuing, calling and reading tickets. Every change is atomic across instances. */
export interface QueueDesk {
  /**
   * Checks in for a booked appointment (within the window); the same appointment again returns
   * its ticket. Without `address` (a check-in link or QR used outside the chat: reception, kiosk,
   * the check-in page) `patientId` names the patient, whose most recently used chat is told the
   * new ticket as `queue.ticket`; from the chat, the caller shows it.
   */
  checkIn(request: {
    appointmentId: string;
    address?: ConversationAddress;
    patientId?: string;
    locale: Locale;
    acuity?: number;
  }): Promise<CheckInResult>;
  /** A walk-in ticket, for departments that allow them; one live ticket per patient. */
  walkIn(request: {
    department: Department;
    address: ConversationAddress;
    patientId?: string;
    locale: Locale;
    acuity?: number;
  }): Promise<CheckInResult>;
  /** The patient's live ticket today (waiting or called), if any. */
  ticketOf(address: ConversationAddress): Promise<TicketView | undefined>;
  ticket(ticketId: string): Promise<TicketView | undefined>;
  /** The patient leaves the queue. */
  leave(ticketId: string): Promise<TicketView | undefined>;
  /** A missed (no-show) ticket goes back in line, once. */
  requeue(ticketId: string): Promise<TicketView | undefined>;
  /** Calls the next ticket in order to `room`; two calls at once never call the same ticket. */
  callNext(department: Department, room: string, actor: QueueActor): Promise<TicketView | undefined>;
  recall(ticketId: string, actor: QueueActor): Promise<TicketView | undefined>;
  noShow(ticketId: string, actor: QueueActor): Promise<TicketView | undefined>;
  transfer(
    ticketId: string,
    to: { department: Department; room?: string },
    actor: QueueActor,
  ): Promise<TicketView | undefined>;
  /** Served: its service time feeds the department's average. */
  done(ticketId: string, actor: QueueActor): Promise<TicketView | undefined>;
  board(department: Department): Promise<QueueBoard>;
  staffBoard(department: Department): Promise<StaffQueueBoard>;
}

/** The key-value store channel on which a department's changes are published (live views). */
export const queueFeed = (department: Department) => `queue:${department}`;
