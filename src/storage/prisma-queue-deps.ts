// What the queue desk is built from: its settings, the hospital it tells of arrivals and the
// services it stores, locks, publishes and tells patients through.
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { ConversationNotifier } from '../conversation/notifier.ts';
import type { CheckInWindow } from '../domain/queue-rules.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { BookedAppointment } from '../integrations/fhir/hospital.ts';
import type { FieldCipher } from '../security/field-cipher.ts';
import type { KeyValueStore } from './kv/key-value-store.ts';
import type { LineRules } from './prisma-queue-line.ts';
import type { PushBudget } from './queue-push-budget.ts';

export interface QueueSettings extends LineRules {
  timeZone: string;
  checkInWindow: CheckInWindow;
  notifyAhead: number[];
  maxRecalls: number;
}

/** What the desk needs of the hospital: the appointment, and marking the patient arrived. */
export interface CheckInHospital {
  appointment(appointmentId: string): Promise<BookedAppointment | undefined>;
  checkIn(appointmentId: string, now: Date): Promise<BookedAppointment | undefined>;
}

export interface QueueDeskDeps {
  prisma: PrismaClient;
  cipher: FieldCipher;
  hospital: CheckInHospital;
  notifier: ConversationNotifier;
  kv: Pick<KeyValueStore, 'publish'>;
  pushes: PushBudget;
  clock: Clock;
  logger: Logger;
  settings: QueueSettings;
}
