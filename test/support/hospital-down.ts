// A booking service whose hospital never answers: for tests about delivery, not booking.
import { randomBytes } from 'node:crypto';
import { systemClock } from '../../src/clock.ts';
import type { BookingService } from '../../src/domain/booking.ts';
import type { QueueDesk } from '../../src/domain/queue.ts';
import { CheckInTokens } from '../../src/security/checkin-token.ts';

const failed = async () => ({ kind: 'failed' as const });

export const hospitalDown: BookingService = {
  doctors: failed,
  slots: failed,
  hold: failed,
  book: failed,
  checkout: failed,
  appointments: failed,
  cancel: failed,
  releaseHold: async () => undefined,
  reminderStart: async () => undefined,
};

const refused = async () => ({ refused: { reason: 'hospital_unavailable' as const } });
const none = async () => undefined;

/** A queue desk whose hospital never answers: for tests about delivery, not queues. */
export const queueDown: QueueDesk = {
  checkIn: refused,
  walkIn: refused,
  ticketOf: none,
  ticket: none,
  leave: none,
  requeue: none,
  callNext: none,
  recall: none,
  noShow: none,
  transfer: none,
  done: none,
  board: () => Promise.reject(new Error('the queue is down')),
  staffBoard: () => Promise.reject(new Error('the queue is down')),
};

/** Check-in links under a key made up for the test. */
export const testCheckInTokens = new CheckInTokens(
  randomBytes(32),
  'http://localhost:3000',
  'UTC',
  systemClock,
);
