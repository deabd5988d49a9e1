// Reminders that versions before the flows decided them set here: one delayed job per
// appointment and offset in the queue `appointment-reminder` (job `reminder:<id>:<hours>h`,
// a row in ScheduledTimer, rebuilt at every start). No new job is added; those still waiting
// (appointments booked before the upgrade) are honoured: when one comes due it hands
// "booking.reminderDue" to the patient's conversation, which asks the hospital and reminds as
// for any booking. It uses the dedupe key the conversation's own timer of that reminder has, so
// an appointment that has both (booked on an older instance during a rolling upgrade, its answer
// stepped on a newer one) is reminded once. Remove this module and its wiring once
// `SELECT count(*) FROM "ScheduledTimer" WHERE queue = 'appointment-reminder'` is 0 everywhere
// (at the latest when the furthest appointment booked before the upgrade has passed).
import type { ConversationNotifier } from '../../conversation/notifier.ts';
import type { ConversationAddress } from '../../conversation/message.ts';
import { timerEventKey } from '../../conversation/timers.ts';
import type { BookingService } from '../../domain/booking.ts';
import { reminderTimerId } from '../../domain/deadlines.ts';
import type { JobQueue } from '../../jobs/job-queue.ts';

const LEGACY_QUEUE = 'appointment-reminder';
const HOUR_MS = 3_600_000;

/** A reminder job as earlier versions wrote it. */
export interface LegacyReminderJob {
  address: ConversationAddress;
  appointmentId: string;
  hours: number;
}

export class LegacyReminders {
  constructor(
    jobs: JobQueue,
    private readonly booking: Pick<BookingService, 'reminderStart'>,
    private readonly conversations: ConversationNotifier,
  ) {
    jobs.define<LegacyReminderJob>(LEGACY_QUEUE, (job) => this.due(job), {
      concurrency: 4,
      attempts: 5,
      backoffMs: 30_000,
    });
  }

  /** Hands a due reminder to its conversation; one for an appointment that no longer stands is dropped. */
  async due({ address, appointmentId, hours }: LegacyReminderJob): Promise<void> {
    const start = await this.booking.reminderStart(appointmentId);
    if (!start) return;
    // The instant the conversation's own timer for this reminder is set at (reminderSchedule).
    const at = Date.parse(start) - hours * HOUR_MS;
    await this.conversations.notify(
      address,
      { kind: 'system', name: 'booking.reminderDue', data: { appointmentId, hours } },
      timerEventKey(address, reminderTimerId(appointmentId, hours), at),
    );
  }
}
