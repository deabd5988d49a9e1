// The queue feature's system events: what the desk tells a patient's conversation as the queue
// moves (emitted through the ConversationNotifier, deduplicated by the keys noted here), and
// the answers of the chat's own queue effects (effects.ts).
import type { CheckInRefusal, TicketView } from '../../domain/queue.ts';
import type { AppointmentView } from '../../domain/booking.ts';

/** Why the chat shows a ticket: the first line of the message says it. */
export type TicketShown = 'checkedIn' | 'refresh' | 'requeued' | 'left';

declare module '../../conversation/flow.ts' {
  interface SystemEventMap {
    /** A ticket was issued or looked at (check-in by QR, "I'm here", walk-in, refresh). */
    'queue.ticket': { ticket: TicketView };
    /** A check-in or walk-in was refused. */
    'queue.refused': CheckInRefusal;
    /** The ticket reached a QUEUE_NOTIFY_AHEAD threshold (dedupe `queue:<id>:ahead:<n>`). */
    'queue.ahead': { ticket: TicketView };
    /** Its turn, to `room` (dedupe `queue:<id>:called:<recalls>`). */
    'queue.called': { ticket: TicketView };
    /** Called QUEUE_MAX_RECALLS times without coming: no-show (dedupe `queue:<id>:missed`). */
    'queue.missed': { ticket: TicketView };
    /** Moved to another department or room by staff (dedupe `queue:<id>:moved:<n>`). */
    'queue.transferred': { ticket: TicketView };
    /**
     * The answer to "Check in / my ticket" when the patient has no live ticket: their upcoming
     * appointments (the step keeps today's).
     */
    'queue.today': { appointments: AppointmentView[] };
    /** A ticket the chat asked the desk for; no `ticket` when the patient has none (any more). */
    'queue.shown': { ticket?: TicketView; why: TicketShown };
  }
}
