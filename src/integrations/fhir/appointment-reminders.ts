// Appointment reminders: delayed jobs 24 h and 2 h before, one per appointment and offset (job
// ids make scheduling idempotent). Cancelling removes them; and a reminder that fires anyway
// asks the hospital first, so a cancelled appointment never gets one.
import type { Clock } from '../../clock.ts';
import type { ConversationAddress } from '../../conversation/message.ts';
import type { JobQueue } from '../../jobs/job-queue.ts';
import type { Hospital } from './hospital.ts';

export const REMINDER_OFFSETS_HOURS = [24, 2] as const;
const QUEUE = 'appointment-reminder';

export interface ReminderJob {
  address: ConversationAddress;
  appointmentId: string;
  hours: number;
}

/** When each reminder is due for an appointment at `start`; those already past are left out. */
export function reminderSchedule(start: Date, now: number): { hours: number; at: number }[] {
  return REMINDER_OFFSETS_HOURS.map((hours) => ({ hours, at: start.getTime() - hours * 3_600_000 })).filter(
    (reminder) => reminder.at > now,
  );
}

export class AppointmentReminders {
  constructor(
    private readonly jobs: JobQueue,
    private readonly hospital: Hospital,
    private readonly clock: Clock,
    /** Hands the reminder to the patient's conversation. */
    private readonly remind: (
      address: ConversationAddress,
      appointmentId: string,
      start: string,
      hours: number,
    ) => Promise<void>,
  ) {
    jobs.define<ReminderJob>(QUEUE, async (job) => void (await this.fire(job)), {
      concurrency: 4,
      attempts: 5,
      backoffMs: 30_000,
    });
  }

  async schedule(address: ConversationAddress, appointmentId: string, start: Date): Promise<void> {
    for (const { hours, at } of reminderSchedule(start, this.clock.now())) {
      await this.jobs.add<ReminderJob>(
        QUEUE,
        { address, appointmentId, hours },
        { jobId: jobId(appointmentId, hours), delayMs: at - this.clock.now() },
      );
    }
  }

  async cancel(appointmentId: string): Promise<void> {
    for (const hours of REMINDER_OFFSETS_HOURS) await this.jobs.remove(QUEUE, jobId(appointmentId, hours));
  }

  /** Sends the reminder if the appointment still stands; returns whether it did. */
  async fire(job: ReminderJob): Promise<boolean> {
    const appointment = await this.hospital.appointment(job.appointmentId);
    if (!appointment || (appointment.status !== 'booked' && appointment.status !== 'pending')) return false;
    if (appointment.start.getTime() <= this.clock.now()) return false;
    await this.remind(job.address, job.appointmentId, appointment.start.toISOString(), job.hours);
    return true;
  }
}

const jobId = (appointmentId: string, hours: number) => `reminder:${appointmentId}:${hours}h`;
