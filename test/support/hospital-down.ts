// A booking service whose hospital never answers: for tests about delivery, not booking.
import type { BookingService } from '../../src/domain/booking.ts';

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
